from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AlertRule, FollowUpCase, ScoreGroup, Sentiment, Source, Tag

PERIOD_CHOICES = [("", _("All time")), ("7d", _("Last 7 days")), ("30d", _("Last 30 days")),
                  ("90d", _("Last 90 days")), ("365d", _("Last 12 months"))]


class FeedbackFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Search the feedback, e.g. 배송 or delivery"), "autocomplete": "off"}))
    group = forms.ChoiceField(label=_("NPS group"), required=False,
                              choices=[("", _("All groups")), *ScoreGroup.choices])
    sentiment = forms.ChoiceField(label=_("Sentiment"), required=False,
                                  choices=[("", _("Any sentiment")), *Sentiment.choices])
    touchpoint = forms.TypedChoiceField(label=_("Touchpoint"), required=False, coerce=int, empty_value=None)
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All sources")), *Source.choices])
    status = forms.ChoiceField(label=_("Follow-up"), required=False, choices=[
        ("", _("Any follow-up")), ("open", _("Case open")), ("closed", _("Case closed")), ("none", _("No case"))])
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIOD_CHOICES)

    def __init__(self, *args, facets: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        facets = facets or {}
        self.fields["touchpoint"].choices = [("", _("All touchpoints")), *facets.get("touchpoints", [])]
        self.fields["tag"].choices = [("", _("All tags")), *[(tag.pk, tag.name) for tag in facets.get("tags", [])]]
        self.fields["theme"].choices = [("", _("All themes")),
                                        *[(theme.pk, theme.label) for theme in facets.get("themes", [])]]
        if not facets:
            # An htmx request renders only the table: accept any id, the query scopes it to the workspace.
            for name in ("touchpoint", "tag", "theme"):
                self.fields[name] = forms.IntegerField(required=False)

    def filters(self) -> dict:
        """The valid filters; an invalid one (a hand-edited address) is ignored rather than refused."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class BulkTagForm(forms.Form):
    items = forms.TypedMultipleChoiceField(coerce=int, error_messages={
        "required": _("Select at least one feedback item first.")})
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), empty_label=_("Choose a tag"),
                                 error_messages={"required": _("Choose the tag to add or remove.")})
    action = forms.ChoiceField(choices=[("add", _("Add tag")), ("remove", _("Remove tag"))])

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.for_workspace(workspace)
        # Any posted id is accepted here; the service keeps only the workspace's own items.
        self.fields["items"].choices = [(value, value) for value in self.data.getlist("items")
                                        if str(value).isdigit()] if hasattr(self.data, "getlist") else []


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    colour = forms.CharField(label=_("Colour"), max_length=7, initial="#64748B",
                             widget=forms.TextInput(attrs={"type": "color"}))


class TagRuleForm(forms.Form):
    keywords = forms.CharField(label=_("Keywords"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 2, "placeholder": _("배송, 택배, delivery, shipping")}), help_text=_(
        "Feedback containing any of these words gets the tag. Leave empty to tag only by hand."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("open", _("Open")), ("", _("All statuses")), *FollowUpCase.Status.choices])
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    touchpoint = forms.TypedChoiceField(label=_("Touchpoint"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    order = forms.ChoiceField(label=_("Order"), required=False, choices=[
        ("", _("Newest first")), ("due", _("Due first"))])

    def __init__(self, *args, workers=(), touchpoints=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Anyone")), ("none", _("Unassigned")),
                                           *[(str(m.user_id), m.user.display_name) for m in workers]]
        self.fields["touchpoint"].choices = [("", _("All touchpoints")), *touchpoints]

    def filters(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


class CaseNoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={
        "rows": 3, "placeholder": _("What did the customer say? What was done?")}))


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(choices=FollowUpCase.Status.choices)
    note = forms.CharField(required=False, max_length=5000)


class CaseAssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(m.user_id, m.user.display_name) for m in workers]


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["name", "kind", "touchpoint", "threshold", "min_responses", "keywords", "is_active"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.touchpoints.models import Touchpoint

        self.fields["touchpoint"].queryset = Touchpoint.objects.for_workspace(workspace).active().order_by("name")
        self.fields["touchpoint"].empty_label = _("Every touchpoint")


class ThemeEditForm(forms.Form):
    """One edit of a theme: rename (both labels), hide, show, merge into another theme, or split off."""

    action = forms.ChoiceField(choices=[(value, value) for value in ("rename", "hide", "show", "merge", "split")])
    label_ko = forms.CharField(label=_("Korean label"), max_length=80, required=False)
    label_en = forms.CharField(label=_("English label"), max_length=80, required=False)
    into = forms.IntegerField(label=_("Merge into"), required=False)

    def __init__(self, *args, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = themes  # the workspace's themes, to look `into` up in

    def clean(self):
        data = super().clean()
        named = data.get("label_ko", "").strip() or data.get("label_en", "").strip()
        if data.get("action") == "rename" and not named:
            raise forms.ValidationError(_("Give the theme a name in Korean or in English."))
        if data.get("action") == "merge":
            target = self.themes.filter(pk=data.get("into") or 0, merged_into__isnull=True).first()
            if target is None:
                raise forms.ValidationError(_("Choose a theme to merge into."))
            data["into"] = target
        return data
