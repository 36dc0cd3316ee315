"""Forms validate input; views pass cleaned_data to services, which write."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Segment

from .journey_templates import TEMPLATES, template_choices
from .models import Channel, Persona, Stage
from .selectors import workspace_members

# A customer attribute name: starts with a letter (Korean included), then letters, digits, "_" or "-".
# "__" is refused because the name becomes part of an ORM lookup on Customer.attributes.
ATTRIBUTE_NAME = re.compile(r"^[^\W\d_][\w-]*$")
MAX_RULE_PAIRS = 20


def parse_segment_rule(text: str) -> dict[str, str]:
    """'tier=gold, region=서울' → {"tier": "gold", "region": "서울"}. Pairs are separated by commas or
    new lines; an empty text is an empty rule (every customer)."""
    rule: dict[str, str] = {}
    for part in re.split(r"[,\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        key, equals, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key or not value:
            raise ValidationError(
                _("“%(part)s” is not an attribute=value pair. Write pairs separated by commas, "
                  "for example: tier=gold, region=서울"), code="pair", params={"part": part})
        if not ATTRIBUTE_NAME.match(key) or "__" in key:
            raise ValidationError(
                _("“%(key)s” is not a valid attribute name. Start with a letter and use only letters, "
                  "digits, “_” and “-”."), code="key", params={"key": key})
        if key in rule:
            raise ValidationError(_("“%(key)s” appears twice. Give each attribute one value."),
                                  code="duplicate", params={"key": key})
        rule[key] = value
    if len(rule) > MAX_RULE_PAIRS:
        raise ValidationError(_("A segment rule can have at most %(max)s pairs."), code="too_long",
                              params={"max": MAX_RULE_PAIRS})
    return rule


class SegmentRuleField(forms.CharField):
    def to_python(self, value):
        return parse_segment_rule(super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, dict):
            return ", ".join(f"{key}={item}" for key, item in value.items())
        return value


class PersonaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who they are, what they need, what frustrates them."))
    segment_rule = SegmentRuleField(
        label=_("Segment rule"), required=False, max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "tier=gold, region=서울"}),
        help_text=_("Optional. Customer attributes this persona stands for, as attribute=value pairs separated "
                    "by commas. Leave empty for all customers."))
    saved_segment = forms.ModelChoiceField(
        label=_("Saved segment"), queryset=Segment.objects.none(), required=False,
        empty_label=_("None: use the segment rule"),
        help_text=_("Optional. The persona stands for the customers of this saved segment instead of the rule."))

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workspace is not None:
            self.fields["saved_segment"].queryset = Segment.objects.for_workspace(workspace).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("saved_segment") and cleaned.get("segment_rule"):
            self.add_error("segment_rule", _("Use either a segment rule or a saved segment, not both."))
        return cleaned


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class JourneyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    persona = forms.ModelChoiceField(label=_("Persona"), queryset=Persona.objects.none(), required=False,
                                     empty_label=_("No persona"))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persona"].queryset = Persona.objects.for_workspace(workspace)


class JourneyCreateForm(JourneyForm):
    template = forms.ChoiceField(label=_("Start from"), choices=template_choices, initial=TEMPLATES[0].key,
                                 widget=forms.RadioSelect)
    field_order = ["name", "persona", "template", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. Mobile plan sign-up")


class StageForm(forms.Form):
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False,
                              widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("e.g. Onboarding")}))
    name_ko = forms.CharField(label=_("Name in Korean"), max_length=120, required=False,
                              widget=forms.TextInput(attrs={"placeholder": "예: 온보딩"}))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name_en") and not cleaned.get("name_ko"):
            raise ValidationError(_("Give the stage a name, in English, Korean or both."), code="no_name")
        return cleaned


class StageMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Earlier")), ("down", _("Later"))])


class TouchpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.WEB)
    owner = MemberChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Nobody yet"),
        error_messages={"invalid_choice": _("Choose a member of this workspace as the owner.")},
        help_text=_("The member who answers for this touchpoint's experience."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Untick while the touchpoint is paused; it stays on the map."))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        # Only members may own a touchpoint: anyone else is not a valid choice.
        self.fields["owner"].queryset = workspace_members(workspace)
        self.fields["name"].widget.attrs.update(placeholder=_("e.g. Store visit"), autofocus=True)


class TouchpointEditForm(TouchpointForm):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), empty_label=None)
    field_order = ["name", "stage", "channel", "owner", "description", "is_active"]

    def __init__(self, *args, journey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.for_workspace(journey.workspace_id).of_journey(journey)


class TouchpointMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Move to stage"), queryset=Stage.objects.none(), empty_label=None)

    def __init__(self, *args, journey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.for_workspace(journey.workspace_id).of_journey(journey)
