from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Language

from .models import HIDDEN_FIELD_KEY, Question, Survey, WaveSchedule

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
HIDDEN_FIELD_PREFIX = "h_"
HIDDEN_FIELD_MAX_LENGTH = 200
# The honeypot: a field people never see (visually hidden, out of the tab order) and bots fill in.
HONEYPOT_FIELD = "website"

REQUIRED_MESSAGES = {
    Question.Kind.NPS: _("Please choose a score from 0 to 10."),
    Question.Kind.CSAT: _("Please choose a score from 1 to 5."),
    Question.Kind.CES: _("Please choose a score from 1 to 7."),
    Question.Kind.RATING: _("Please choose a rating from 1 to 5."),
    Question.Kind.SINGLE_CHOICE: _("Please choose an answer."),
    Question.Kind.MULTIPLE_CHOICE: _("Please choose at least one answer."),
    Question.Kind.SHORT_TEXT: _("Please write an answer."),
    Question.Kind.LONG_TEXT: _("Please write an answer."),
}


def hidden_fields_from(data: Mapping[str, str], allowed: Sequence[str], *, prefix: str = "") -> dict[str, str]:
    """The survey's allowed hidden fields found in a query string (prefix "") or in the posted form
    (prefix "h_"); other keys are ignored and long values cut, so a link cannot bloat the row."""
    found = {}
    if not isinstance(allowed, list):
        return found
    for key in allowed[:20]:
        if not isinstance(key, str):
            continue
        value = data.get(prefix + key)
        if value:
            found[key] = str(value)[:HIDDEN_FIELD_MAX_LENGTH]
    return found


class SurveyForm(forms.Form):
    """The public answer form, built from the survey's own questions.

    Every field is optional at field level: whether an answer is needed depends on the NPS answer
    (a follow-up is asked only for some scores), so clean() applies `required` to the questions that
    are shown and drops whatever was posted for the ones that are not."""

    def __init__(self, *args, questions: Sequence[Question], **kwargs):
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[self.field_name(question)] = self._field_for(question)

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    def _field_for(self, question: Question) -> forms.Field:
        if question.is_scale:
            low, high, *_labels = question.scale
            return forms.TypedChoiceField(
                choices=[(value, value) for value in range(low, high + 1)], coerce=int, required=False,
                empty_value=None, error_messages={"invalid_choice": REQUIRED_MESSAGES[question.kind]})
        if question.is_choice:
            choices = [(choice.pk, choice.text) for choice in question.choices.all()]
            invalid = {"invalid_choice": _("Please choose from the answers shown."),
                       "invalid_list": _("Please choose from the answers shown.")}
            if question.kind == Question.Kind.MULTIPLE_CHOICE:
                return forms.TypedMultipleChoiceField(choices=choices, coerce=int, required=False,
                                                      error_messages=invalid)
            return forms.TypedChoiceField(choices=choices, coerce=int, required=False, empty_value=None,
                                          error_messages=invalid)
        limit = LONG_TEXT_MAX if question.kind == Question.Kind.LONG_TEXT else SHORT_TEXT_MAX
        return forms.CharField(max_length=limit, required=False, error_messages={
            "max_length": _("Please keep your answer under %(limit_value)d characters (it has %(show_value)d).")})

    def nps_answer(self) -> int | None:
        """The answer to the survey's first NPS question, which follow-up questions depend on."""
        for question in self.questions:
            if question.kind == Question.Kind.NPS:
                return self.cleaned_data.get(self.field_name(question))
        return None

    def clean(self):
        cleaned = super().clean()
        nps_answer = self.nps_answer()
        for question in self.questions:
            name = self.field_name(question)
            if not question.is_shown_for(nps_answer):
                cleaned.pop(name, None)
                self._errors.pop(name, None)
                continue
            if question.required and cleaned.get(name) in (None, "", []) and name not in self._errors:
                self.add_error(name, REQUIRED_MESSAGES[question.kind])
        return cleaned

    @property
    def answers(self) -> dict[int, Any]:
        """Validated answers by question id: int for scales, Choice or list of Choice, or text."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if value in (None, "", []):
                continue
            if question.is_choice:
                by_id = {choice.pk: choice for choice in question.choices.all()}
                value = [by_id[pk] for pk in value] if isinstance(value, list) else by_id[value]
            answers[question.pk] = value
        return answers

    def questions_for_display(self) -> list[dict]:
        """What the template needs for each question: the posted values (kept after an error), the
        options with their checked state, and the error."""
        rows = []
        for number, question in enumerate(self.questions, start=1):
            name = self.field_name(question)
            if self.is_bound:
                posted = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
                posted = [str(value) for value in posted if value not in (None, "")]
            else:
                posted = []
            options, ends = [], {}
            if question.is_scale:
                low, high, low_label, high_label = question.scale
                ends = {"low": low, "high": high, "low_label": low_label, "high_label": high_label}
                for value in range(low, high + 1):
                    label = low_label if value == low else high_label if value == high else ""
                    options.append({"value": value, "text": str(value), "label": label,
                                    "checked": str(value) in posted})
            elif question.is_choice:
                options = [{"value": choice.pk, "text": choice.text, "checked": str(choice.pk) in posted}
                           for choice in question.choices.all()]
            errors = self.errors.get(name, []) if self.is_bound else []
            described_by = [f"id_{name}-help"] if question.help_text else []
            described_by += [f"id_{name}-error"] if errors else []
            rows.append({
                "question": question, "number": number, "name": name, "id": f"id_{name}",
                "options": options, "text": posted[0] if posted and question.is_text else "",
                "errors": errors, "described_by": " ".join(described_by),
                "max_length": LONG_TEXT_MAX if question.kind == Question.Kind.LONG_TEXT else SHORT_TEXT_MAX,
                **ends,
            })
        return rows


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language of the survey"), choices=Language.choices)
    template = forms.ChoiceField(label=_("Start from"), choices=Survey.Template.choices,
                                 initial=Survey.Template.NPS)
    touchpoint = forms.ModelChoiceField(label=_("Touchpoint"), queryset=Touchpoint.objects.none(), required=False,
                                        empty_label=_("No touchpoint"))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_workspace(workspace).active().order_by("name")


class SurveyStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Survey.Status.choices)


class DistributionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160,
                           help_text=_("For your own reference, e.g. “November delivery customers”."))
    segment = forms.CharField(label=_("Segment"), max_length=120, required=False)
    tier = forms.CharField(label=_("Tier"), max_length=120, required=False)
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    saved_segment = forms.ModelChoiceField(label=_("Saved segment"), queryset=None, required=False,
                                           empty_label=_("No saved segment"),
                                           help_text=_("Optional. Only its customers, besides the filters above."))

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.customers.models import Segment

        self.fields["saved_segment"].queryset = (Segment.objects.for_workspace(workspace).order_by("name")
                                                 if workspace is not None else Segment.objects.none())

    def filters(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in ("segment", "tier", "region") if self.cleaned_data.get(key)}


# Builder --------------------------------------------------------------------------------------

class SurveySettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language of the survey"), choices=Language.choices)
    touchpoint = forms.ModelChoiceField(label=_("Touchpoint"), queryset=Touchpoint.objects.none(), required=False,
                                        empty_label=_("No touchpoint"),
                                        help_text=_("Where customers met the brand: responses count towards its "
                                                    "score on the journey map."))
    status = forms.ChoiceField(label=_("Status"), choices=Survey.Status.choices)
    intro = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Shown above the first question."))
    thank_you_message = forms.CharField(label=_("Thank-you message"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text=_("Shown after the answers are sent."))
    close_at = forms.DateTimeField(label=_("Closes at"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                              format="%Y-%m-%dT%H:%M"),
                                   help_text=_("Optional. After this moment the survey takes no more answers."))
    response_cap = forms.IntegerField(label=_("Response limit"), required=False, min_value=1,
                                      help_text=_("Optional. Stop taking answers after this many responses."))
    allowed_hidden_fields = forms.CharField(
        label=_("Hidden fields"), required=False, max_length=400,
        help_text=_("Link parameters saved with each response, separated by commas, e.g. channel, order. "
                    "A link …?order=A123 then records the order number."))

    def __init__(self, *args, workspace, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        touchpoints = Touchpoint.objects.for_workspace(workspace).active()
        if survey is not None and survey.touchpoint_id:
            # An archived touchpoint stays selectable on the survey that already uses it.
            touchpoints = Touchpoint.objects.for_workspace(workspace).filter(
                models.Q(archived_at__isnull=True) | models.Q(pk=survey.touchpoint_id))
        self.fields["touchpoint"].queryset = touchpoints.select_related("stage").order_by("name")

    @staticmethod
    def initial_for(survey: Survey) -> dict:
        return {"title": survey.title, "language": survey.language, "touchpoint": survey.touchpoint_id,
                "status": survey.status, "intro": survey.intro, "thank_you_message": survey.thank_you_message,
                "close_at": timezone.localtime(survey.close_at) if survey.close_at else None,
                "response_cap": survey.response_cap,
                "allowed_hidden_fields": ", ".join(survey.allowed_hidden_fields or [])}

    def clean_allowed_hidden_fields(self) -> list[str]:
        keys = [key.strip() for key in self.cleaned_data["allowed_hidden_fields"].replace("\n", ",").split(",")]
        keys = list(dict.fromkeys(key for key in keys if key))
        bad = [key for key in keys if not HIDDEN_FIELD_KEY.fullmatch(key)]
        if bad:
            raise forms.ValidationError(_('Use short names made of letters, digits, "_", "-" or ".": %(keys)s.')
                                        % {"keys": ", ".join(bad)})
        if len(keys) > 20:
            raise forms.ValidationError(_("At most 20 hidden fields."))
        return keys


class QuestionForm(forms.Form):
    """A question in the builder. Who is asked is a choice of NPS groups, or a custom range of scores."""

    SHOW_WHEN = [
        ("always", _("Everyone")),
        ("detractors", _("Detractors only (NPS 0–6)")),
        ("passives", _("Passives only (NPS 7–8)")),
        ("promoters", _("Promoters only (NPS 9–10)")),
        ("not_promoters", _("Detractors and passives (NPS 0–8)")),
        ("custom", _("A range of NPS answers…")),
    ]
    RANGES = {"always": (None, None), "detractors": (0, 6), "passives": (7, 8), "promoters": (9, 10),
              "not_promoters": (0, 8)}

    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False,
                                help_text=_("Optional, shown under the question."))
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    show_when = forms.ChoiceField(label=_("Ask"), choices=SHOW_WHEN, initial="always",
                                  help_text=_("A follow-up is asked only after an NPS answer in this range."))
    show_if_nps_min = forms.IntegerField(label=_("From NPS answer"), min_value=0, max_value=10, required=False)
    show_if_nps_max = forms.IntegerField(label=_("To NPS answer"), min_value=0, max_value=10, required=False)

    def __init__(self, *args, kind_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if kind_locked:
            # A disabled field ignores what is posted and keeps the question's type.
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("This question has answers, so its type is fixed: they keep their "
                                              "meaning.")

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        range_ = (question.show_if_nps_min, question.show_if_nps_max)
        show_when = next((key for key, value in cls.RANGES.items() if value == range_), "custom")
        return {"kind": question.kind, "text": question.text, "help_text": question.help_text,
                "required": question.required, "show_when": show_when,
                "show_if_nps_min": question.show_if_nps_min, "show_if_nps_max": question.show_if_nps_max}

    def clean(self):
        cleaned = super().clean()
        show_when = cleaned.get("show_when")
        if show_when == "custom":
            low, high = cleaned.get("show_if_nps_min"), cleaned.get("show_if_nps_max")
            if low is None or high is None:
                self.add_error("show_if_nps_min", _("Give the lowest and the highest NPS answer."))
            elif low > high:
                self.add_error("show_if_nps_max", _("The highest score must not be below the lowest one."))
        elif show_when in self.RANGES:
            cleaned["show_if_nps_min"], cleaned["show_if_nps_max"] = self.RANGES[show_when]
        if show_when not in (None, "always") and cleaned.get("kind") == Question.Kind.NPS:
            self.add_error("show_when", _("The NPS question itself is asked to everyone."))
        return cleaned

    def question_fields(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("kind", "text", "help_text", "required", "show_if_nps_min",
                                                        "show_if_nps_max")}


class ChoiceForm(forms.Form):
    text = forms.CharField(label=_("Option"), max_length=300)


# Results ---------------------------------------------------------------------------------------

class ResponseFilterForm(forms.Form):
    """The filters of the results page, the response list and the exports (GET parameters). Unknown
    values fall back to "all" instead of failing: a shared link must keep working."""

    GROUPS = [("", _("All NPS groups")), ("promoter", _("Promoters (9–10)")), ("passive", _("Passives (7–8)")),
              ("detractor", _("Detractors (0–6)"))]
    COMMENT = [("", _("Any")), ("yes", _("With a comment")), ("no", _("Without a comment"))]

    period = forms.ChoiceField(label=_("Period"), required=False)
    group = forms.ChoiceField(label=_("NPS group"), choices=GROUPS, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("All languages")), *Language.choices])
    comment = forms.ChoiceField(label=_("Comment"), choices=COMMENT, required=False)

    def __init__(self, *args, **kwargs):
        from apps.touchpoints.models import Channel
        from apps.touchpoints.selectors import DEFAULT_PERIOD, PERIODS

        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(period.key, period.label) for period in PERIODS]
        self.fields["period"].initial = DEFAULT_PERIOD.key
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]

    def filters(self) -> dict[str, str]:
        """The valid filters, as strings; whatever did not validate is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class WaveScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("For your own reference, e.g. “Quarterly relationship NPS”."))
    segment = forms.ModelChoiceField(label=_("Saved segment"), queryset=None,
                                     help_text=_("Who receives each wave. Consent and the contact-fatigue window "
                                                 "are checked again at every wave."))
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=52, initial=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=WaveSchedule.Unit.choices, initial=WaveSchedule.Unit.MONTHS)
    next_wave_at = forms.DateTimeField(label=_("Next wave"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the next wave is sent; the following ones come every interval after it."))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.customers.models import Segment

        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace).order_by("name")
        self.fields["segment"].empty_label = None
