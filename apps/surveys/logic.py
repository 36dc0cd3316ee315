"""Survey logic: display conditions on earlier answers, "end the survey" rules and pages.

The server is the one source of truth. These functions decide which questions a customer is asked
(between pages, and again on completion, where answers to questions not asked are dropped); the
survey page's script only mirrors them, reading the same rules from `question_rules()`, serialised
as JSON data attributes.

Answers here are plain values keyed by question id: an int for a scale, a choice id for one choice,
a list of choice ids for several, a string for text. `plain_answers()` turns the form's values
(Choice instances) into these.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .models import Choice, Question

Operator = Question.Operator
EMPTY = (None, "", [])


def answer_values(questions: Sequence[Question], answers: Mapping[int, Any]) -> dict[int, Any]:
    """Plain answers as response_record takes them: Choice instances for choices (from the prefetched
    options; an option removed meanwhile is dropped)."""
    values = {}
    for question in questions:
        value = answers.get(question.pk)
        if value in EMPTY:
            continue
        if question.is_choice:
            by_id = {choice.pk: choice for choice in question.choices.all()}
            value = [by_id[pk] for pk in value if pk in by_id] if isinstance(value, list) else by_id.get(value)
            if value in (None, []):
                continue
        values[question.pk] = value
    return values


def plain_answers(answers: Mapping[int, Any]) -> dict[int, Any]:
    """Form answers (Choice, list of Choice) as ids, the shape the rules and PartialResponse use."""
    plain = {}
    for question_id, value in answers.items():
        if isinstance(value, Choice):
            value = value.pk
        elif isinstance(value, list):
            value = [each.pk if isinstance(each, Choice) else each for each in value]
        plain[question_id] = value
    return plain


def matches(operator: str, low: int | None, high: int | None, choice_id: int | None, value: Any) -> bool:
    """Whether an answer satisfies one rule. "Is not" needs an answer: a skipped question says nothing."""
    if value in EMPTY:
        return False
    if operator == Operator.ANSWERED:
        return True
    if operator == Operator.SCORE_BETWEEN:
        return isinstance(value, int) and (low if low is not None else 0) <= value <= (high if high is not None
                                                                                        else 10)
    chosen = value if isinstance(value, list) else [value]
    if operator == Operator.CHOICE_IS:
        return choice_id in chosen
    if operator == Operator.CHOICE_IS_NOT:
        return choice_id not in chosen
    return False


def is_shown(question: Question, answers: Mapping[int, Any]) -> bool:
    if not question.is_follow_up:
        return True
    return matches(question.condition_operator, question.condition_min, question.condition_max,
                   question.condition_choice_id, answers.get(question.condition_question_id))


def ends_after(question: Question, answers: Mapping[int, Any]) -> bool:
    if not question.end_operator:
        return False
    return matches(question.end_operator, question.end_min, question.end_max, question.end_choice_id,
                   answers.get(question.pk))


def _walk(questions: Iterable[Question], answers: Mapping[int, Any]) -> tuple[list[Question], bool]:
    # A question not asked keeps no answer, so whatever depends on it is not asked either.
    effective, shown = {}, []
    for question in questions:
        if not is_shown(question, effective):
            continue
        shown.append(question)
        if answers.get(question.pk) not in EMPTY:
            effective[question.pk] = answers[question.pk]
        if ends_after(question, effective):
            return shown, True
    return shown, False


def visible_questions(questions: Sequence[Question], answers: Mapping[int, Any]) -> list[Question]:
    """The questions asked, in order, given the answers: conditions hold and no end rule fired before."""
    return _walk(questions, answers)[0]


def kept_answers(questions: Sequence[Question], answers: Mapping[int, Any]) -> dict[int, Any]:
    """The answers to the questions actually asked; the rest is dropped, whatever was posted."""
    return {question.pk: answers[question.pk] for question in visible_questions(questions, answers)
            if answers.get(question.pk) not in EMPTY}


# Pages -------------------------------------------------------------------------------------------

def split_pages(questions: Sequence[Question]) -> list[list[Question]]:
    """The survey's pages: a question with `page_break` opens a new one (the first never needs it)."""
    pages: list[list[Question]] = []
    for question in questions:
        if not pages or (question.page_break and pages[-1]):
            pages.append([])
        pages[-1].append(question)
    return pages


def page_questions(pages: Sequence[Sequence[Question]], index: int, answers: Mapping[int, Any]) -> list[Question]:
    """What page `index` shows. Conditions on earlier pages are decided here; a condition on a question of
    the same page is left to the browser (or, without JavaScript, to the server when the page is sent),
    so such a question is shown with a hint saying when to answer it."""
    earlier = [question for page in pages[:index] for question in page]
    shown_before, ended = _walk(earlier, answers)
    if ended:
        return []
    effective = {question.pk: answers[question.pk] for question in shown_before
                 if answers.get(question.pk) not in EMPTY}
    on_page = {question.pk for question in pages[index]}
    return [question for question in pages[index]
            if (question.is_follow_up and question.condition_question_id in on_page) or is_shown(question, effective)]


def next_page(pages: Sequence[Sequence[Question]], index: int, answers: Mapping[int, Any]) -> int | None:
    """The next page with something to ask after page `index` is sent, or None: the survey is complete."""
    for later in range(index + 1, len(pages)):
        if page_questions(pages, later, answers):
            return later
        if _walk([question for page in pages[:later] for question in page], answers)[1]:
            return None
    return None


# Rules for the page's script ---------------------------------------------------------------------

def _rule(operator: str, low, high, choice_id, field: str) -> dict:
    rule: dict = {"field": field, "op": operator}
    if operator == Operator.SCORE_BETWEEN:
        rule.update(min=low if low is not None else 0, max=high if high is not None else 10)
    elif operator in (Operator.CHOICE_IS, Operator.CHOICE_IS_NOT):
        rule["choice"] = str(choice_id)
    return rule


def question_rules(question: Question, field_names: Mapping[int, str]) -> dict:
    """The question's rules as data for static/js/survey.js: {"show": …, "end": …}, only those the
    browser can evaluate (their answer is on the same page: `field_names` maps its question ids)."""
    rules = {}
    if question.is_follow_up and question.condition_question_id in field_names:
        rules["show"] = _rule(question.condition_operator, question.condition_min, question.condition_max,
                              question.condition_choice_id, field_names[question.condition_question_id])
    if question.end_operator and question.pk in field_names:
        rules["end"] = _rule(question.end_operator, question.end_min, question.end_max, question.end_choice_id,
                             field_names[question.pk])
    return rules


# Words -------------------------------------------------------------------------------------------

def source_label(question: Question) -> str:
    """How a rule names the question it reads: the score's name, or its text, quoted and short."""
    if question.kind in (Question.Kind.NPS, Question.Kind.CSAT, Question.Kind.CES):
        return question.kind.upper()
    return f"“{Truncator(question.text).chars(40)}”"


def _choice_text(choice: Choice | None) -> str:
    return f"“{choice.text if choice is not None else '?'}”"


def describe_condition(question: Question) -> str:
    """The display condition in words, in the active language, e.g. "Shown when NPS is 0–6"."""
    if not question.is_follow_up:
        return ""
    source = source_label(question.condition_question)
    operator = question.condition_operator
    if operator == Operator.SCORE_BETWEEN:
        return _("Shown when %(source)s is %(low)s–%(high)s") % {
            "source": source, "low": question.condition_min, "high": question.condition_max}
    if operator == Operator.CHOICE_IS:
        return _("Shown when %(source)s is %(choice)s") % {"source": source,
                                                           "choice": _choice_text(question.condition_choice)}
    if operator == Operator.CHOICE_IS_NOT:
        return _("Shown when %(source)s is not %(choice)s") % {"source": source,
                                                               "choice": _choice_text(question.condition_choice)}
    return _("Shown when %(source)s is answered") % {"source": source}


def describe_end_rule(question: Question) -> str:
    """The end rule in words, e.g. "Ends the survey when the answer is 0–6"."""
    operator = question.end_operator
    if not operator:
        return ""
    if operator == Operator.SCORE_BETWEEN:
        return _("Ends the survey when the answer is %(low)s–%(high)s") % {"low": question.end_min,
                                                                           "high": question.end_max}
    if operator == Operator.CHOICE_IS:
        return _("Ends the survey when the answer is %(choice)s") % {"choice": _choice_text(question.end_choice)}
    if operator == Operator.CHOICE_IS_NOT:
        return _("Ends the survey when the answer is not %(choice)s") % {
            "choice": _choice_text(question.end_choice)}
    return _("Ends the survey once this is answered")


# Validation --------------------------------------------------------------------------------------

def _check_rule(*, operator: str, low, high, choice: Choice | None, source: Question, field_prefix: str) -> None:
    if operator not in Operator.values:
        raise ValidationError({f"{field_prefix}_operator": _("Choose a condition from the list.")})
    if operator == Operator.SCORE_BETWEEN:
        if not source.is_scale:
            raise ValidationError({f"{field_prefix}_operator": _(
                "A score range needs a question answered on a scale (NPS, CSAT, CES or a rating).")})
        lowest, highest, *_labels = source.scale
        if low is None or high is None:
            raise ValidationError({f"{field_prefix}_min": _("Give the lowest and the highest score.")})
        if not (lowest <= low <= highest and lowest <= high <= highest):
            raise ValidationError({f"{field_prefix}_min": _("Scores go from %(low)d to %(high)d on this question.")
                                   % {"low": lowest, "high": highest}})
        if low > high:
            raise ValidationError({f"{field_prefix}_max": _("The highest score must not be below the lowest one.")})
    elif operator in (Operator.CHOICE_IS, Operator.CHOICE_IS_NOT):
        if not source.is_choice:
            raise ValidationError({f"{field_prefix}_operator": _("“Answer is” needs a choice question.")})
        if choice is None or choice.question_id != source.pk:
            raise ValidationError({f"{field_prefix}_choice": _("Choose one of that question's options.")})


def check_rules(question: Question, questions: Sequence[Question]) -> None:
    """Raise ValidationError unless the question's rules are sound: a display condition reads only a
    visible question asked before it (so no rule can loop), with an operator that fits that question;
    an end rule fits the question's own answers. `questions` is the survey's questions in order."""
    if question.condition_operator or question.condition_question_id:
        source = next((each for each in questions if each.pk == question.condition_question_id), None)
        if source is None or source.pk == question.pk or source.is_hidden:
            raise ValidationError({"condition_question": _("Choose an earlier question of this survey.")})
        order = [each.pk for each in questions if not each.is_hidden]
        if question.pk in order and order.index(source.pk) > order.index(question.pk):
            raise ValidationError({"condition_question": _(
                "A question can depend only on a question asked before it.")})
        _check_rule(operator=question.condition_operator, low=question.condition_min, high=question.condition_max,
                    choice=question.condition_choice, source=source, field_prefix="condition")
    if question.end_operator:
        _check_rule(operator=question.end_operator, low=question.end_min, high=question.end_max,
                    choice=question.end_choice, source=question, field_prefix="end")


def broken_conditions(questions: Sequence[Question]) -> list[Question]:
    """Visible questions whose condition would read a question that is not asked before them, in this
    order: a reordering or a hiding that leaves any is refused."""
    seen, broken = set(), []
    for question in questions:
        if question.is_hidden:
            continue
        if question.is_follow_up and question.condition_question_id not in seen:
            broken.append(question)
        seen.add(question.pk)
    return broken
