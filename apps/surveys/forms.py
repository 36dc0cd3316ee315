import json
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Language

from . import logic
from .languages import text_in
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
        # NUL is dropped: PostgreSQL's jsonb cannot store it, and no link parameter means it.
        value = str(data.get(prefix + key) or "").replace("\x00", "")
        if value:
            found[key] = value[:HIDDEN_FIELD_MAX_LENGTH]
    return found


class SurveyForm(forms.Form):
    """The public answer form for one page of the survey (the whole survey when it has one page).

    Every field is optional at field level: whether an answer is needed depends on the survey's logic
    (logic.py), so clean() applies `required` only to the questions that are asked, given the answers
    of earlier pages and of this one, and drops whatever was posted for the others.

    `all_questions` are the survey's questions the logic walks (default: this page's), `earlier_answers`
    the plain answers kept from earlier pages, and `language` the page's language (the survey's own
    unless `survey_language` differs)."""

    def __init__(self, *args, questions: Sequence[Question], all_questions: Sequence[Question] | None = None,
                 earlier_answers: Mapping[int, Any] | None = None, language: str | None = None,
                 survey_language: str | None = None, **kwargs):
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.all_questions = list(all_questions) if all_questions is not None else self.questions
        self.earlier_answers = dict(earlier_answers or {})
        self.survey_language = survey_language or language
        self.language = language or survey_language
        for question in self.questions:
            self.fields[self.field_name(question)] = self._shared_field(question)

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    def _shared_field(self, question: Question) -> forms.Field:
        """The question's field, built once per question instance: the public page's questions are shared
        by the requests of a process for a survey revision (page_cache.py), and building the choice fields
        (normalising an NPS scale's eleven choices) was a tenth of a submission's CPU. Safe to share: no
        form changes its fields, and validating only reads them."""
        field = question.__dict__.get("_form_field")
        if field is None:
            field = question.__dict__["_form_field"] = self._field_for(question)
        return field

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

    def clean(self):
        cleaned = super().clean()
        posted = {question.pk: cleaned.get(self.field_name(question)) for question in self.questions}
        asked = {question.pk for question in logic.visible_questions(
            self.all_questions, {**self.earlier_answers, **posted})}
        for question in self.questions:
            name = self.field_name(question)
            if question.pk not in asked:
                cleaned.pop(name, None)
                self._errors.pop(name, None)
                continue
            if question.required and cleaned.get(name) in (None, "", []) and name not in self._errors:
                self.add_error(name, REQUIRED_MESSAGES[question.kind])
        return cleaned

    @property
    def plain_answers(self) -> dict[int, Any]:
        """This page's answers to the questions asked, as plain values (choice ids, not Choices)."""
        return {question.pk: self.cleaned_data[self.field_name(question)] for question in self.questions
                if self.cleaned_data.get(self.field_name(question)) not in (None, "", [])}

    @property
    def answers(self) -> dict[int, Any]:
        """Validated answers by question id: int for scales, Choice or list of Choice, or text."""
        return logic.answer_values(self.questions, self.plain_answers)

    def _text(self, obj, field: str) -> str:
        if self.language is None:
            return getattr(obj, field)
        return text_in(obj, field, self.language, self.survey_language)

    def questions_for_display(self, *, first_number: int = 1) -> list[dict]:
        """What the template needs for each question: its texts in the page's language, the posted values
        (kept after an error), the options with their checked state, the error, and the rules the page's
        script applies in place (as JSON)."""
        rows = []
        field_names = {question.pk: self.field_name(question) for question in self.questions}
        for number, question in enumerate(self.questions, start=first_number):
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
                options = [{"value": choice.pk, "text": self._text(choice, "text"), "checked": str(choice.pk) in posted}
                           for choice in question.choices.all()]
            errors = self.errors.get(name, []) if self.is_bound else []
            described_by = [f"id_{name}-help"] if question.help_text else []
            described_by += [f"id_{name}-error"] if errors else []
            rules = logic.question_rules(question, field_names)
            rows.append({
                "question": question, "number": number, "name": name, "id": f"id_{name}",
                "label": self._text(question, "text"), "help": self._text(question, "help_text"),
                "rules": json.dumps(rules) if rules else "", "hint": self._hint(question, rules),
                "options": options, "text": posted[0] if posted and question.is_text else "",
                "errors": errors, "described_by": " ".join(described_by),
                "max_length": LONG_TEXT_MAX if question.kind == Question.Kind.LONG_TEXT else SHORT_TEXT_MAX,
                **ends,
            })
        return rows

    def _hint(self, question: Question, rules: dict) -> str:
        """Without JavaScript a question whose condition reads this same page is shown to everyone:
        it says, in the customer's words, when to answer it."""
        if "show" not in rules:
            return ""
        # The source is on this page, with its choices prefetched: no query per question.
        source = next(each for each in self.questions if each.pk == question.condition_question_id)
        operator = question.condition_operator
        if operator == Question.Operator.SCORE_BETWEEN:
            return _("Answer this if you gave a score from %(low)s to %(high)s.") % {
                "low": question.condition_min, "high": question.condition_max}
        if operator in (Question.Operator.CHOICE_IS, Question.Operator.CHOICE_IS_NOT):
            choice = next((each for each in source.choices.all() if each.pk == question.condition_choice_id), None)
            choice_text = self._text(choice, "text") if choice is not None else ""
            if operator == Question.Operator.CHOICE_IS:
                return _("Answer this if you chose “%(choice)s” above.") % {"choice": choice_text}
            return _("Answer this if you did not choose “%(choice)s” above.") % {"choice": choice_text}
        return _("Answer this if you answered “%(question)s” above.") % {"question": self._text(source, "text")}


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
    bilingual = forms.BooleanField(label=_("Offer the survey in Korean and English"), required=False,
                                   help_text=_("Customers see their language and can switch. Every text needs both "
                                               "languages before the survey goes live."))
    title_alt = forms.CharField(max_length=200, required=False)
    intro_alt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    thank_you_message_alt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    partial_valid_days = forms.IntegerField(label=_("Keep unfinished answers for (days)"), min_value=1,
                                            max_value=90, required=False,
                                            help_text=_("On a survey with several pages, a customer who leaves "
                                                        "can come back by the same link and continue."))
    count_partial_responses = forms.BooleanField(
        label=_("Count unfinished responses when they expire"), required=False,
        help_text=_("Off: only completed responses count in the scores. On: when unfinished answers expire, "
                    "they are recorded as a response."))
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
        if survey is not None:
            other = Language(survey.other_language).label
            self.fields["title_alt"].label = _("Title in %(language)s") % {"language": other}
            self.fields["intro_alt"].label = _("Introduction in %(language)s") % {"language": other}
            self.fields["thank_you_message_alt"].label = _("Thank-you message in %(language)s") % {"language": other}

    @staticmethod
    def initial_for(survey: Survey) -> dict:
        other = (survey.translations or {}).get(survey.other_language) or {}
        return {"title": survey.title, "language": survey.language, "touchpoint": survey.touchpoint_id,
                "status": survey.status, "intro": survey.intro, "thank_you_message": survey.thank_you_message,
                "close_at": timezone.localtime(survey.close_at) if survey.close_at else None,
                "response_cap": survey.response_cap,
                "allowed_hidden_fields": ", ".join(survey.allowed_hidden_fields or []),
                "bilingual": survey.bilingual, "title_alt": other.get("title", ""),
                "intro_alt": other.get("intro", ""), "thank_you_message_alt": other.get("thank_you_message", ""),
                "partial_valid_days": survey.partial_valid_days,
                "count_partial_responses": survey.count_partial_responses}

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
    """A question in the builder: its texts (in both languages for a bilingual survey), who is asked (an
    NPS group, a range of NPS answers, or a rule on any earlier answer), an "end the survey" rule on its
    own answer, and whether it opens a new page. The form resolves the choices into model instances;
    services.question_add/update check the rules against the survey (logic.check_rules)."""

    SHOW_WHEN = [
        ("always", _("Everyone")),
        ("detractors", _("Detractors only (NPS 0–6)")),
        ("passives", _("Passives only (NPS 7–8)")),
        ("promoters", _("Promoters only (NPS 9–10)")),
        ("not_promoters", _("Detractors and passives (NPS 0–8)")),
        ("custom", _("A range of NPS answers…")),
        ("rule", _("Depending on another earlier answer…")),
    ]
    RANGES = {"always": (None, None), "detractors": (0, 6), "passives": (7, 8), "promoters": (9, 10),
              "not_promoters": (0, 8)}
    OPERATORS = [("", "—"), *Question.Operator.choices]
    END_OPERATORS = [("", _("Never")), *Question.Operator.choices]

    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Help text"), max_length=500, required=False,
                                help_text=_("Optional, shown under the question."))
    text_alt = forms.CharField(max_length=500, required=False)
    help_text_alt = forms.CharField(max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    page_break = forms.BooleanField(label=_("Start a new page here"), required=False,
                                    help_text=_("Long surveys read better on a phone in pages; answers are kept "
                                                "page by page."))
    show_when = forms.ChoiceField(label=_("Ask"), choices=SHOW_WHEN, initial="always",
                                  help_text=_("A follow-up is asked only after an NPS answer in this range."))
    show_if_nps_min = forms.IntegerField(label=_("From NPS answer"), min_value=0, max_value=10, required=False)
    show_if_nps_max = forms.IntegerField(label=_("To NPS answer"), min_value=0, max_value=10, required=False)
    condition_question = forms.TypedChoiceField(label=_("Depends on the answer to"), coerce=int, required=False,
                                                empty_value=None)
    condition_operator = forms.ChoiceField(label=_("Condition"), choices=OPERATORS, required=False)
    condition_min = forms.IntegerField(label=_("From score"), min_value=0, max_value=10, required=False)
    condition_max = forms.IntegerField(label=_("To score"), min_value=0, max_value=10, required=False)
    condition_choice = forms.TypedChoiceField(label=_("Answer"), coerce=int, required=False, empty_value=None)
    end_operator = forms.ChoiceField(label=_("End the survey after this one when"), choices=END_OPERATORS,
                                     required=False)
    end_min = forms.IntegerField(label=_("From score"), min_value=0, max_value=10, required=False)
    end_max = forms.IntegerField(label=_("To score"), min_value=0, max_value=10, required=False)
    end_choice = forms.TypedChoiceField(label=_("Answer"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, kind_locked: bool = False, earlier: Sequence[Question] = (),
                 question: Question | None = None, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earlier = list(earlier)
        self.question = question
        if kind_locked:
            # A disabled field ignores what is posted and keeps the question's type.
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("This question has answers, so its type is fixed: they keep their "
                                              "meaning.")
        self.fields["condition_question"].choices = [("", "—")] + [
            (each.pk, f"{number}. {Truncator(each.text).chars(60)}") for number, each in enumerate(self.earlier, 1)]
        self.fields["condition_choice"].choices = [("", "—")] + [
            (choice.pk, f"{number}. {Truncator(each.text).chars(30)} · {choice.text}")
            for number, each in enumerate(self.earlier, 1) if each.is_choice for choice in each.choices.all()]
        own = list(question.choices.all()) if question is not None and question.is_choice else []
        self.fields["end_choice"].choices = [("", "—")] + [(choice.pk, choice.text) for choice in own]
        self.bilingual = bool(survey and survey.bilingual)
        if survey is not None:
            other = Language(survey.other_language).label
            self.fields["text_alt"].label = _("Question in %(language)s") % {"language": other}
            self.fields["help_text_alt"].label = _("Help text in %(language)s") % {"language": other}

    @classmethod
    def initial_for(cls, question: Question, survey: Survey | None = None) -> dict:
        initial = {"kind": question.kind, "text": question.text, "help_text": question.help_text,
                   "required": question.required, "page_break": question.page_break, "show_when": "always",
                   "end_operator": question.end_operator, "end_min": question.end_min, "end_max": question.end_max,
                   "end_choice": question.end_choice_id}
        if survey is not None:
            other = (question.translations or {}).get(survey.other_language) or {}
            initial.update(text_alt=other.get("text", ""), help_text_alt=other.get("help_text", ""))
        if question.is_follow_up:
            range_ = (question.condition_min, question.condition_max)
            on_nps = question.condition_operator == Question.Operator.SCORE_BETWEEN and \
                question.condition_question.kind == Question.Kind.NPS
            if on_nps:
                initial["show_when"] = next((key for key, value in cls.RANGES.items() if value == range_), "custom")
                initial["show_if_nps_min"], initial["show_if_nps_max"] = range_
            else:
                initial["show_when"] = "rule"
            initial.update(condition_question=question.condition_question_id,
                           condition_operator=question.condition_operator, condition_min=question.condition_min,
                           condition_max=question.condition_max, condition_choice=question.condition_choice_id)
        return initial

    def clean(self):
        cleaned = super().clean()
        show_when = cleaned.get("show_when")
        condition = {"condition_question": None, "condition_operator": "", "condition_min": None,
                     "condition_max": None, "condition_choice": None}
        if show_when not in (None, "always") and cleaned.get("kind") == Question.Kind.NPS:
            self.add_error("show_when", _("The NPS question itself is asked to everyone."))
        elif show_when in ("custom", *[key for key in self.RANGES if key != "always"]):
            if show_when == "custom":
                low, high = cleaned.get("show_if_nps_min"), cleaned.get("show_if_nps_max")
                if low is None or high is None:
                    self.add_error("show_if_nps_min", _("Give the lowest and the highest NPS answer."))
                elif low > high:
                    self.add_error("show_if_nps_max", _("The highest score must not be below the lowest one."))
            else:
                low, high = self.RANGES[show_when]
            nps = next((each for each in self.earlier if each.kind == Question.Kind.NPS), None)
            if nps is None:
                self.add_error("show_when", _("A follow-up depends on the NPS answer: add an NPS question to the "
                                              "survey first."))
            condition.update(condition_question=nps, condition_operator=Question.Operator.SCORE_BETWEEN,
                             condition_min=low, condition_max=high)
        elif show_when == "rule":
            source = next((each for each in self.earlier if each.pk == cleaned.get("condition_question")), None)
            if source is None:
                self.add_error("condition_question", _("Choose the earlier question this one depends on."))
            elif not cleaned.get("condition_operator"):
                self.add_error("condition_operator", _("Choose a condition from the list."))
            choices = {choice.pk: choice for each in self.earlier if each.is_choice for choice in each.choices.all()}
            condition.update(condition_question=source, condition_operator=cleaned.get("condition_operator") or "",
                             condition_min=cleaned.get("condition_min"), condition_max=cleaned.get("condition_max"),
                             condition_choice=choices.get(cleaned.get("condition_choice")))
        cleaned["condition"] = condition
        own = {choice.pk: choice for choice in self.question.choices.all()} if self.question is not None else {}
        cleaned["end_rule"] = {"end_operator": cleaned.get("end_operator") or "", "end_min": cleaned.get("end_min"),
                               "end_max": cleaned.get("end_max"), "end_choice": own.get(cleaned.get("end_choice"))}
        return cleaned

    def question_fields(self) -> dict:
        fields = {key: self.cleaned_data[key] for key in ("kind", "text", "help_text", "required", "page_break")}
        fields.update(self.cleaned_data["condition"])
        fields.update(self.cleaned_data["end_rule"])
        if self.bilingual:
            fields["translated"] = {"text": self.cleaned_data["text_alt"],
                                    "help_text": self.cleaned_data["help_text_alt"]}
        return fields


class ChoiceForm(forms.Form):
    text = forms.CharField(label=_("Option"), max_length=300)
    text_alt = forms.CharField(label=_("Option in the other language"), max_length=300, required=False)


class QuotaForm(forms.Form):
    field = forms.CharField(label=_("Cell"), max_length=40, required=False,
                            help_text=_("Empty for the whole survey, or “channel”, a hidden field or a customer "
                                        "attribute, e.g. tier."))
    value = forms.CharField(label=_("Value"), max_length=200, required=False,
                            help_text=_("e.g. gold or store"))
    limit = forms.IntegerField(label=_("Complete responses"), min_value=1, max_value=10_000_000)


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
