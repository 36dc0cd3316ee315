from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import throttle
from .models import User


class ThrottledLoginMixin:
    """Refuse sign-in while the account or the client address is locked after repeated failures."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        until = throttle.login_locked_until(self.request, username)
        if until:
            raise ValidationError(throttle.wait_message(until, what="login"), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                until = throttle.login_failed(self.request, username)
                if until:
                    raise ValidationError(throttle.wait_message(until, what="login"), code="throttled") from error
            raise
        throttle.login_succeeded(self.request, username)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    username = forms.CharField(label=_("Username or e-mail"), max_length=254,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin site's sign-in is another door to the same accounts: same limits."""


class ThrottledPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        until = throttle.password_reset_locked_until(self.request, email)
        if until:
            raise ValidationError(throttle.wait_message(until, what="reset"), code="throttled")
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already uses this address."))
        return email
