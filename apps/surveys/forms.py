from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Language

from .models import Question, Survey

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

    def filters(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in ("segment", "tier", "region") if self.cleaned_data.get(key)}
