from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Language, Role, Workspace

TIME_ZONE_CHOICES = [(name, name) for name in settings.TIME_ZONES]


class WorkspaceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="Asia/Seoul")

    class Meta:
        model = Workspace
        fields = ["name", "slug", "brand_color", "logo", "default_language", "time_zone", "contact_fatigue_days",
                  "embed_allowed_origins", "follow_up_sla_hours", "follow_up_nps_threshold"]
        widgets = {"brand_color": forms.TextInput(attrs={"type": "color"}),
                   "embed_allowed_origins": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, logo_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.logo_too_large = logo_too_large

    @staticmethod
    def logo_too_large_message() -> str:
        return _("The logo must be at most %(size)s.") % {"size": filesizeformat(settings.LOGO_MAX_BYTES)}

    def clean(self):
        if self.logo_too_large:
            # The upload handler stopped reading the file, so the form saw no logo at all.
            self.add_error("logo", self.logo_too_large_message())
        return super().clean()

    def clean_logo(self):
        """ImageField has already opened the file with Pillow and verified it (anything else, SVG included,
        is refused as "not an image"); what is left is its size in bytes and in pixels."""
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > settings.LOGO_MAX_BYTES:
            raise forms.ValidationError(self.logo_too_large_message())
        image = getattr(logo, "image", None)
        if image is not None and image.width * image.height > settings.LOGO_MAX_PIXELS:
            raise forms.ValidationError(_("The logo is %(width)s × %(height)s pixels; at most %(limit)s million pixels "
                                          "are allowed. A logo needs far fewer.") % {
                "width": image.width, "height": image.height, "limit": round(settings.LOGO_MAX_PIXELS / 1e6, 1)})
        return logo


    def clean_embed_allowed_origins(self):
        from django.core.validators import URLValidator

        origins = []
        for line in self.cleaned_data.get("embed_allowed_origins", "").splitlines():
            origin = line.strip().rstrip("/")
            if not origin:
                continue
            try:
                URLValidator(schemes=["https", "http"])(origin)
            except forms.ValidationError:
                raise forms.ValidationError(_("“%(origin)s” is not a web origin like https://www.example.co.kr.")
                                            % {"origin": origin}) from None
            if origin.count("/") > 2:
                raise forms.ValidationError(_("“%(origin)s” has a path; give only the scheme and host.")
                                            % {"origin": origin})
            origins.append(origin)
        return "\n".join(origins)


class WorkspaceCreateForm(WorkspaceForm):
    class Meta(WorkspaceForm.Meta):
        fields = ["name", "slug", "brand_color", "default_language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leave empty to derive it from the name.")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ANALYST)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class NewMemberForm(forms.Form):
    """A person who has no account yet sets a name and a password when accepting."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            from apps.accounts.models import User

            probe = User(username=self.email, email=self.email, first_name=cleaned.get("first_name", ""),
                         last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class WorkspaceDeleteForm(forms.Form):
    """Deleting a workspace is typed, not clicked: the owner writes its slug."""

    confirm = forms.CharField(label=_("Type the workspace's address name to confirm"), max_length=60,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, workspace, **kwargs):
        self.workspace = workspace
        super().__init__(*args, **kwargs)

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.workspace.slug:
            raise forms.ValidationError(_("That is not “%(slug)s”. Type it exactly to confirm.")
                                        % {"slug": self.workspace.slug})
        return value
