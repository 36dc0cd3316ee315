"""Writes on surveys, responses, distributions and invitations. Views and tasks call these."""

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.customers.models import Customer, Segment
from apps.feedback import services as feedback_services
from apps.kpis import services as kpi_services
from apps.kpis import tasks as kpi_tasks
from apps.outbox import services as outbox_services
from apps.outbox.models import OutboundEmail
from apps.touchpoints.models import Channel
from apps.webhooks import payloads as webhook_payloads
from apps.webhooks import services as webhook_services
from apps.workspaces.models import Workspace
from cxm import inserts
from cxm.queue import enqueue_coalesced_on_commit, enqueue_on_commit

from . import form_tokens, languages, logic, page_cache, quotas, selectors, tasks
from .models import (
    SUBMISSION_KEY_UNIQUE,
    Answer,
    Choice,
    Distribution,
    Question,
    Response,
    SubmissionKey,
    Survey,
    SurveyInvitation,
    WaveSchedule,
)
from .question_templates import template_questions

logger = logging.getLogger(__name__)

INVITATION_BATCH_SIZE = 1000
EMAIL_BATCH_SIZE = 100
DISTRIBUTION_FILTER_KEYS = ("segment", "tier", "region")


# Surveys ---------------------------------------------------------------------------------------

@transaction.atomic
def survey_create(*, workspace: Workspace, created_by, title: str, language: str,
                  template: str = Survey.Template.CUSTOM, touchpoint=None) -> Survey:
    """A draft survey with the template's questions, written in the survey's language."""
    survey = Survey(workspace=workspace, created_by=created_by, title=title, language=language, template=template,
                    touchpoint=touchpoint)
    survey.full_clean()
    survey.save()
    with translation.override(language):
        nps = None
        for position, spec in enumerate(template_questions(template, brand=workspace.name), start=1):
            choices = spec.pop("choices", [])
            follow_up = spec.pop("follow_up_nps", None)
            if follow_up is not None and nps is not None:
                spec.update(condition_question=nps, condition_operator=Question.Operator.SCORE_BETWEEN,
                            condition_min=follow_up[0], condition_max=follow_up[1])
            question = Question.objects.create(workspace=workspace, survey=survey, position=position, **spec)
            if question.kind == Question.Kind.NPS and nps is None:
                nps = question
            Choice.objects.bulk_create([Choice(workspace=workspace, question=question, position=n, text=text)
                                        for n, text in enumerate(choices, start=1)])
    return survey


def survey_set_status(*, survey: Survey, status: str) -> Survey:
    """Change the status. Going live needs a question and, for a bilingual survey, every text in both
    languages (languages.missing_translations says what is missing)."""
    if status == Survey.Status.LIVE:
        questions = [question for question in selectors.survey_all_questions(survey) if not question.is_hidden]
        if not questions:
            raise ValidationError(_("Add at least one question before the survey goes live."))
        missing = languages.missing_translations(survey, questions) if survey.bilingual else []
        if missing:
            raise ValidationError(_("Before it goes live, this bilingual survey still needs: %(missing)s.")
                                  % {"missing": ", ".join(missing)})
    survey.status = status
    survey.full_clean()
    survey.save(update_fields=["status"])
    return survey


# Builder ---------------------------------------------------------------------------------------

def survey_update(*, survey: Survey, title: str, intro: str, thank_you_message: str, language: str, touchpoint,
                  status: str, close_at, response_cap: int | None, allowed_hidden_fields: list[str],
                  bilingual: bool = False, title_alt: str = "", intro_alt: str = "", thank_you_message_alt: str = "",
                  partial_valid_days: int | None = None, count_partial_responses: bool = False) -> Survey:
    """Save the builder's settings. A change of status goes through survey_set_status, so a survey
    without questions (or a bilingual one with texts missing) cannot go live from here either."""
    survey.title, survey.intro, survey.thank_you_message = title, intro, thank_you_message
    if language != survey.language and (bilingual or survey.bilingual):
        # The questions' own texts are in the main language and their translations in the other:
        # switching the main language would show one language's words under the other's name.
        raise ValidationError({"language": _("A bilingual survey keeps its main language; both languages are "
                                             "offered to customers anyway.")})
    survey.bilingual = bilingual
    survey.translations = languages.translations_with(
        survey, Survey(language=language).other_language, title=title_alt, intro=intro_alt,
        thank_you_message=thank_you_message_alt)
    survey.partial_valid_days = partial_valid_days or survey.partial_valid_days
    survey.count_partial_responses = count_partial_responses
    survey.language, survey.touchpoint = language, touchpoint
    survey.close_at, survey.response_cap, survey.allowed_hidden_fields = close_at, response_cap, allowed_hidden_fields
    survey.full_clean()
    with transaction.atomic():
        if status != survey.status:
            survey_set_status(survey=survey, status=status)
        survey.save()
    return survey


@transaction.atomic
def survey_duplicate(*, survey: Survey, created_by) -> Survey:
    """A draft copy with its own public token: the visible questions, their choices, translations, pages and
    rules, not the responses, the distributions, the quotas or the closing date (a past one would close the
    copy at once)."""
    workspace = survey.workspace
    copy = Survey(workspace=workspace, created_by=created_by, status=Survey.Status.DRAFT, close_at=None,
                  title=(_("Copy of %(title)s") % {"title": survey.title})[:200], language=survey.language,
                  template=survey.template, touchpoint=survey.touchpoint, intro=survey.intro,
                  thank_you_message=survey.thank_you_message, response_cap=survey.response_cap,
                  allowed_hidden_fields=list(survey.allowed_hidden_fields), bilingual=survey.bilingual,
                  translations=survey.translations, partial_valid_days=survey.partial_valid_days,
                  count_partial_responses=survey.count_partial_responses)
    copy.full_clean()
    copy.save()
    questions = list(Question.objects.for_workspace(workspace).filter(survey=survey, is_hidden=False)
                     .order_by("position", "pk").prefetch_related("choices"))
    copies = Question.objects.bulk_create([
        Question(workspace=workspace, survey=copy, position=position, kind=question.kind, text=question.text,
                 help_text=question.help_text, required=question.required, page_break=question.page_break,
                 translations=question.translations)
        for position, question in enumerate(questions, start=1)])
    pairs = [(choice, Choice(workspace=workspace, question=new, position=choice.position, text=choice.text,
                             translations=choice.translations))
             for question, new in zip(questions, copies, strict=True) for choice in question.choices.all()]
    Choice.objects.bulk_create([new for _old, new in pairs])
    # The rules point at the copy's own questions and options.
    question_ids = {question.pk: new for question, new in zip(questions, copies, strict=True)}
    choice_ids = {old.pk: new for old, new in pairs}
    for question, new in zip(questions, copies, strict=True):
        if question.is_follow_up and question.condition_question_id in question_ids:
            new.condition_question = question_ids[question.condition_question_id]
            new.condition_operator, new.condition_min = question.condition_operator, question.condition_min
            new.condition_max, new.condition_choice = question.condition_max, choice_ids.get(
                question.condition_choice_id)
        new.end_operator, new.end_min, new.end_max = question.end_operator, question.end_min, question.end_max
        new.end_choice = choice_ids.get(question.end_choice_id)
    Question.objects.bulk_update(copies, ["condition_question", "condition_operator", "condition_min",
                                          "condition_max", "condition_choice", "end_operator", "end_min",
                                          "end_max", "end_choice"])
    return copy


def question_has_answers(question: Question) -> bool:
    return Answer.objects.for_workspace(question.workspace_id).filter(question=question).exists()


def _placeholder_choices(question: Question, language: str) -> None:
    # A new choice question starts with two options to rename, so the preview shows what it will look like.
    with translation.override(language):
        Choice.objects.bulk_create([
            Choice(workspace_id=question.workspace_id, question=question, position=n, text=_("Option %(n)d") % {"n": n})
            for n in (1, 2)])


RULE_FIELDS = ("condition_question", "condition_operator", "condition_min", "condition_max", "condition_choice",
               "end_operator", "end_min", "end_max", "end_choice")


def _apply_rules(question: Question, rules: Mapping[str, Any], survey: Survey) -> None:
    for field in RULE_FIELDS:
        empty = "" if field.endswith("_operator") else None
        value = rules.get(field, empty)
        setattr(question, field, empty if value is None else value)
    if question.kind == Question.Kind.NPS and question.condition_operator:
        raise ValidationError(_("The NPS question itself cannot depend on an earlier answer."))
    if not question.condition_operator:
        question.condition_question = question.condition_choice = None
        question.condition_min = question.condition_max = None
    if not question.end_operator:
        question.end_choice, question.end_min, question.end_max = None, None, None
    others = selectors.survey_all_questions(survey)
    # A new question comes last; an edited one keeps its place.
    ordered = [*others, question] if question.pk is None else [
        question if each.pk == question.pk else each for each in others]
    logic.check_rules(question, ordered)


def _translated(question: Question, survey: Survey, translated: Mapping[str, str] | None) -> None:
    if survey.bilingual and translated is not None:
        question.translations = languages.translations_with(question, survey.other_language, **translated)


@transaction.atomic
def question_add(*, survey: Survey, kind: str, text: str, help_text: str = "", required: bool = True,
                 page_break: bool = False, translated: Mapping[str, str] | None = None, **rules) -> Question:
    """A question at the end of the survey; a choice question gets two options to rename. `rules` are
    the display condition and end rule fields (RULE_FIELDS), checked by logic.check_rules."""
    last = (Question.objects.for_workspace(survey.workspace_id).filter(survey=survey)
            .order_by("-position").values_list("position", flat=True).first())
    question = Question(workspace_id=survey.workspace_id, survey=survey, position=(last or 0) + 1, kind=kind,
                        text=text, help_text=help_text, required=required, page_break=page_break)
    _translated(question, survey, translated)
    _apply_rules(question, rules, survey)
    question.full_clean()
    question.save()
    if question.is_choice:
        _placeholder_choices(question, survey.language)
    return question


@transaction.atomic
def question_update(*, question: Question, kind: str, text: str, help_text: str = "", required: bool = True,
                    page_break: bool = False, translated: Mapping[str, str] | None = None, **rules) -> Question:
    """Change a question. Its type is fixed once it has answers: a 0–10 answer read as a 1–5 rating, or a
    choice read as text, would change what customers said. A type that no longer fits a rule reading this
    question is refused by the rule check."""
    survey = question.survey
    previous_kind = question.kind
    if kind != previous_kind and question_has_answers(question):
        raise ValidationError({"kind": _("This question has answers, so its type cannot change. Hide it and add "
                                         "a new question instead.")})
    question.kind, question.text, question.help_text, question.required = kind, text, help_text, required
    question.page_break = page_break
    _translated(question, survey, translated)
    _apply_rules(question, rules, survey)
    question.full_clean()
    if kind != previous_kind:
        dependents = Question.objects.for_workspace(question.workspace_id).filter(condition_question=question)
        for dependent in dependents.select_related("condition_choice"):
            dependent.condition_question = question
            try:
                logic.check_rules(dependent, [question, dependent])
            except ValidationError as error:
                raise ValidationError(_("“%(text)s” depends on this question in a way its new type cannot answer. "
                                        "Change that rule first.") % {"text": dependent.text}) from error
    question.save()
    if kind != previous_kind:
        was_choice = previous_kind in Question.CHOICE_KINDS
        if was_choice and not question.is_choice:
            Choice.objects.for_workspace(question.workspace_id).filter(question=question).delete()
        elif question.is_choice and not was_choice:
            _placeholder_choices(question, question.survey.language)
    return question


class RuleBroken(ValidationError):
    """A change would leave a question depending on a question not asked before it."""


def _refuse_broken(questions: list[Question]) -> None:
    broken = logic.broken_conditions(questions)
    if broken:
        raise RuleBroken(_("“%(text)s” depends on an answer that would no longer come before it. Change or remove "
                           "its condition first.") % {"text": broken[0].text})


@transaction.atomic
def question_move(*, question: Question, offset: int) -> None:
    """Swap the question with the visible one above (offset -1) or below (+1); hidden questions keep their place.
    Positions are renumbered 1..n on the way, so gaps and ties left by older edits disappear. A move that
    would put a question before the answer its condition reads is refused (RuleBroken)."""
    questions = list(Question.objects.for_workspace(question.workspace_id).filter(survey_id=question.survey_id)
                     .select_for_update().order_by("position", "pk"))
    for position, each in enumerate(questions, start=1):
        each.position = position
    visible = [each for each in questions if not each.is_hidden]
    index = next((i for i, each in enumerate(visible) if each.pk == question.pk), None)
    if index is not None and 0 <= index + offset < len(visible):
        other = visible[index + offset]
        this = visible[index]
        this.position, other.position = other.position, this.position
        _refuse_broken(sorted(questions, key=lambda each: each.position))
    Question.objects.bulk_update(questions, ["position"])
    page_cache.survey_revise(question.survey_id)  # bulk_update sends no signal
    question.position = next(each.position for each in questions if each.pk == question.pk)


@transaction.atomic
def question_remove(*, question: Question) -> str:
    """Delete a question nobody answered; hide one with answers, so they keep their meaning (an Answer
    protects its question). Says which: "deleted" or "hidden". A question another one depends on stays
    until that rule is changed (RuleBroken)."""
    dependent = (Question.objects.for_workspace(question.workspace_id)
                 .filter(condition_question=question, is_hidden=False).first())
    if dependent is not None:
        raise RuleBroken(_("“%(text)s” is shown depending on this question. Change or remove its condition first.")
                         % {"text": dependent.text})
    if question_has_answers(question):
        question.is_hidden = True
        question.save(update_fields=["is_hidden"])
        return "hidden"
    # Hidden questions may still point at it; their rule goes with it.
    Question.objects.for_workspace(question.workspace_id).filter(condition_question=question).update(
        condition_question=None, condition_operator="", condition_min=None, condition_max=None,
        condition_choice=None)
    question.delete()  # its choices go with it
    return "deleted"


def question_restore(*, question: Question) -> Question:
    """Show a hidden question again, at the end of the survey (after whatever its condition reads)."""
    last = (Question.objects.for_workspace(question.workspace_id).filter(survey_id=question.survey_id)
            .order_by("-position").values_list("position", flat=True).first())
    question.is_hidden, question.position = False, (last or 0) + 1
    question.save(update_fields=["is_hidden", "position"])
    return question


def choice_add(*, question: Question, text: str) -> Choice:
    if not question.is_choice:
        raise ValidationError(_("Only a choice question has options."))
    last = (Choice.objects.for_workspace(question.workspace_id).filter(question=question)
            .order_by("-position").values_list("position", flat=True).first())
    choice = Choice(workspace_id=question.workspace_id, question=question, position=(last or 0) + 1, text=text)
    choice.full_clean()
    choice.save()
    return choice


def choice_update(*, choice: Choice, text: str, text_alt: str | None = None, survey: Survey | None = None) -> Choice:
    """Rename an option (and its translation, on a bilingual survey). Answers point at the option, not its
    words, so a typo fix keeps them."""
    choice.text = text
    if survey is not None and survey.bilingual and text_alt is not None:
        choice.translations = languages.translations_with(choice, survey.other_language, text=text_alt)
    choice.full_clean()
    choice.save(update_fields=["text", "translations"])
    return choice


def choice_remove(*, choice: Choice) -> None:
    """Delete an option nobody chose. A chosen one stays (an Answer protects it): rename it instead."""
    if Answer.objects.for_workspace(choice.workspace_id).filter(choice=choice).exists():
        raise ValidationError(_("Customers chose “%(text)s”, so it cannot be removed; you can rename it.")
                              % {"text": choice.text})
    if Choice.objects.for_workspace(choice.workspace_id).filter(question_id=choice.question_id).count() <= 1:
        raise ValidationError(_("A choice question needs at least one option."))
    rule = (Question.objects.for_workspace(choice.workspace_id)
            .filter(models.Q(condition_choice=choice) | models.Q(end_choice=choice)).first())
    if rule is not None:
        raise ValidationError(_("A rule of “%(text)s” uses this option. Change that rule first.") % {"text": rule.text})
    choice.delete()


# Responses -------------------------------------------------------------------------------------

class ResponseAlreadyRecorded(Exception):
    """The personal link was already used for another response."""


def _first(questions: Sequence[Question], answers: Mapping[int, Any], kind: str):
    for question in questions:
        if question.kind == kind and answers.get(question.pk) not in (None, "", []):
            return answers[question.pk]
    return None


def _answer_rows(workspace: Workspace, response: Response, questions: Sequence[Question],
                 answers: Mapping[int, Any]) -> list[Answer]:
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        if value in (None, "", []):
            continue
        row = {"workspace": workspace, "response": response, "question": question}
        if question.is_scale:
            rows.append(inserts.row(Answer, **row, number=int(value)))
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            rows.extend(inserts.row(Answer, **row, choice=choice) for choice in value)
        elif question.kind == Question.Kind.SINGLE_CHOICE:
            rows.append(inserts.row(Answer, **row, choice=value))
        else:
            rows.append(inserts.row(Answer, **row, text=str(value)))
    return rows


# Channel.values builds a new list, with lazy labels, on every call; every submission asks twice.
LINK_CHANNELS = frozenset(Channel.values)


def response_channel(survey: Survey, hidden_fields: Mapping[str, str]) -> str:
    # The touchpoint says where the customer met the brand; a link without one may say it itself.
    if survey.touchpoint_id is not None:
        return survey.touchpoint.channel
    channel = hidden_fields.get("channel", "")
    return channel if channel in LINK_CHANNELS else ""


def _claim_lost(response: Response, *, submission_key: str, now) -> Response | None:
    """The submission key was already claimed: the first post's response, with this one taken back (its
    answers, feedback and case go with it), or None when that response was deleted since and the stale key
    now belongs to this one."""
    workspace_id = response.workspace_id
    keys = SubmissionKey.objects.for_workspace(workspace_id).filter(key=submission_key)
    existing = Response.objects.for_workspace(workspace_id).filter(pk__in=keys.values("response_id")).first()
    if existing is not None:
        Response.objects.for_workspace(workspace_id).filter(pk=response.pk).delete()
        return existing
    keys.delete()
    if not inserts.insert([SubmissionKey(workspace_id=workspace_id, key=submission_key, response_id=response.pk,
                                         created_at=now)], ignore_conflicts=True):
        raise IntegrityError(f"submission key {submission_key} claimed twice")
    return None


def response_record(*, survey: Survey, questions: Sequence[Question], answers: Mapping[int, Any],
                    submission_key: str, hidden_fields: Mapping[str, str] | None = None,
                    invitation: SurveyInvitation | None = None, customer: Customer | None = None,
                    submitted_at=None, language: str | None = None) -> Response:
    """Save one submission: the response, its answers, the denormalised scores, the comment and the
    links (touchpoint, channel, customer, invitation), all or nothing. `answers` maps question
    ids to validated values (int, Choice, list of Choice, text) as SurveyForm.answers gives them.

    Posting the same submission key again returns the response already saved (a double click, a
    reload). Raises ResponseAlreadyRecorded when the personal link was answered by another submission.
    `customer` and `submitted_at` are for API clients that know them; a personal link brings its own customer.
    `language` is the one the customer answered in (a bilingual survey's page offers both).
    Raises quotas.QuotaFull, with nothing saved, when a quota the response counts towards is full.
    """
    write = partial(_response_write, survey=survey, questions=questions, answers=answers,
                    submission_key=submission_key, hidden_fields=hidden_fields, invitation=invitation,
                    customer=customer, submitted_at=submitted_at, language=language)
    if _written_alone(survey, invitation):
        try:
            return write(alone=True)
        except IntegrityError as error:
            if _constraint_of(error) != SUBMISSION_KEY_UNIQUE:
                raise
            # The key was claimed before (a double click, a reload) and the statement wrote nothing: the
            # transaction below finds the first post's response, or takes over a stale key.
    with transaction.atomic():
        return write(alone=False)


def _written_alone(survey: Survey, invitation: SurveyInvitation | None) -> bool:
    """Whether the submission's rows, which PostgreSQL gets as one statement (inserts.Batch), may be written
    by that statement alone, without BEGIN and COMMIT around it: two round trips fewer on every answer of a
    public link. Only when no transaction is open already and nothing else is to be written with them (a
    personal link's invitation, a quota's count, a webhook delivery)."""
    if invitation is not None or survey.has_quotas or survey.workspace.webhook_events:
        return False
    alias = router.db_for_write(Response)
    return connections[alias].vendor == "postgresql" and transaction.get_autocommit(using=alias)


def _constraint_of(error: IntegrityError) -> str:
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""


def _response_write(*, alone: bool, survey: Survey, questions: Sequence[Question], answers: Mapping[int, Any],
                    submission_key: str, hidden_fields: Mapping[str, str] | None,
                    invitation: SurveyInvitation | None, customer: Customer | None, submitted_at,
                    language: str | None) -> Response:
    """response_record's work, inside its transaction, or `alone` (see _written_alone): then the key's claim is a
    plain INSERT, whose conflict fails the one statement with nothing written (an IntegrityError), and whatever
    is enqueued "on commit" goes at once, so nothing may be enqueued before the write."""
    workspace = survey.workspace
    hidden_fields = dict(hidden_fields or {})
    # A question the customer was not asked (logic.py) keeps no answer, whatever was posted.
    questions = logic.visible_questions(questions, logic.plain_answers(answers))
    nps_answer = _first(questions, answers, Question.Kind.NPS)
    if invitation is not None:
        # The lock serialises two different submissions on one personal link.
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.answered_at is not None:
            existing = Response.objects.for_workspace(workspace).filter(invitation=invitation).first()
            if existing is not None and existing.submission_key == submission_key:
                return existing
            raise ResponseAlreadyRecorded
    now = timezone.now()
    comment = next((str(answers[question.pk]) for question in questions
                    if question.kind == Question.Kind.LONG_TEXT and answers.get(question.pk)), "")
    response = inserts.row(
        Response, workspace=workspace, survey=survey, touchpoint_id=survey.touchpoint_id,
        customer_id=invitation.customer_id if invitation else (customer.pk if customer else None),
        invitation=invitation, channel=response_channel(survey, hidden_fields), language=language or survey.language,
        submitted_at=submitted_at or now,
        nps_score=nps_answer, csat_score=_first(questions, answers, Question.Kind.CSAT),
        ces_score=_first(questions, answers, Question.Kind.CES), comment=comment,
        hidden_fields=hidden_fields, submission_key=submission_key)
    # On PostgreSQL every row below is written by one statement at batch.run() (cxm/inserts.Batch).
    batch = inserts.Batch()
    batch.add([response])
    # The same form posted again (a double click, a reload) loses this claim: the first post's response is the
    # one. Claiming the key with the insert, not checking before, keeps the common case free of a lookup, and
    # ON CONFLICT DO NOTHING (which waits for a concurrent claim to commit) of a savepoint.
    claim = batch.add([inserts.row(SubmissionKey, workspace_id=workspace.pk, key=submission_key, created_at=now)],
                      ignore_conflicts=not alone, keys_of={"response_id": response})
    claimed = False  # settled: the key is this response's
    if survey.has_quotas:
        batch.run()  # the claim decides before the quota counts this response
        if not claim.written and (existing := _claim_lost(response, submission_key=submission_key, now=now)):
            return existing
        claimed = True
        quotas.quota_claim(survey=survey, hidden_fields=hidden_fields, channel=response.channel,
                           customer=invitation.customer if invitation is not None else customer)
    saved_answers = batch.add(_answer_rows(workspace, response, questions, answers)).instances
    # The comment becomes feedback and a detractor's answer opens a follow-up case, in this transaction.
    announce_feedback = feedback_services.feedback_record_for_response(response=response, answers=saved_answers,
                                                                       batch=batch)
    # The mark is part of this transaction, so a lost message (Redis down) only delays the tiles.
    day = kpi_services.slice_mark_dirty(workspace=workspace, moment=response.submitted_at, batch=batch)
    batch.run()
    if not (claimed or claim.written) and (existing := _claim_lost(response, submission_key=submission_key,
                                                                    now=now)):
        return existing
    announce_feedback()
    if invitation is not None:
        SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=now, opened_at=invitation.opened_at or now)
        Customer.objects.for_workspace(workspace).filter(pk=invitation.customer_id).update(last_surveyed_at=now)
        enqueue_on_commit(tasks.recompute_distribution_counts, invitation.distribution_id)
    enqueue_coalesced_on_commit(kpi_tasks.recompute_rollup_slice, workspace.pk, day.isoformat())
    webhook_services.event_emit(workspace=workspace, event="response.completed",
                                payload=lambda: webhook_payloads.response_completed(response))
    return response


def submission_keys_purge(*, now=None) -> int:
    """Double-post keys outlive their form tokens (a day) by a day; then they can go."""
    cutoff = (now or timezone.now()) - timedelta(seconds=2 * form_tokens.MAX_AGE)
    deleted, _rows = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def invitation_mark_opened(*, invitation: SurveyInvitation) -> None:
    """The first visit of a personal link; later visits change nothing."""
    now = timezone.now()
    if SurveyInvitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now):
        invitation.opened_at = now


# Distributions ---------------------------------------------------------------------------------

def distribution_create(*, survey: Survey, created_by, name: str, filters: Mapping[str, str],
                        segment: Segment | None = None, wave_schedule: WaveSchedule | None = None,
                        wave_number: int | None = None) -> Distribution:
    """Record the selection (attribute filters and/or a saved segment, whose rules are copied) and enqueue
    the job that invites and e-mails the customers."""
    if survey.status != Survey.Status.LIVE:
        raise ValidationError(_("Only a live survey can be sent. Publish it first."))
    if segment is not None and segment.workspace_id != survey.workspace_id:
        raise ValidationError(_("Choose a segment of this workspace."))
    filters = {key: value.strip() for key, value in filters.items()
               if key in DISTRIBUTION_FILTER_KEYS and value and value.strip()}
    with transaction.atomic():
        distribution = Distribution(workspace=survey.workspace, survey=survey, created_by=created_by,
                                    name=name, filters=filters, segment=segment,
                                    segment_rules=segment.rules_object.to_json() if segment else {},
                                    wave_schedule=wave_schedule, wave_number=wave_number)
        distribution.full_clean(validate_constraints=False)
        distribution.save()
        enqueue_on_commit(tasks.send_distribution, distribution.pk)
    return distribution


def distribution_audience(distribution: Distribution):
    """The customers the distribution's selection matches, consent or not (the job skips with a reason)."""
    customers = Customer.objects.for_workspace(distribution.workspace_id).with_attributes(**distribution.filters)
    if distribution.segment_rules:
        customers = customers.in_segment(distribution.segment_rules)
    return customers


def _skip_reason(*, consent: bool, email: str, last_surveyed_at, fatigue_since) -> str:
    if not consent:
        return SurveyInvitation.SkipReason.NO_CONSENT
    if not email:
        return SurveyInvitation.SkipReason.NO_EMAIL
    if fatigue_since is not None and last_surveyed_at is not None and last_surveyed_at >= fatigue_since:
        return SurveyInvitation.SkipReason.FATIGUE
    return ""


def distribution_invitations_create(*, distribution: Distribution) -> None:
    """One invitation per matching customer, skipped (with the reason) for no consent, no e-mail
    address or a survey within the contact-fatigue window. Inserted in batches; the unique
    (workspace, distribution, customer) constraint makes a re-run add only customers not seen yet."""
    workspace = distribution.workspace
    now = timezone.now()
    fatigue_since = now - timedelta(days=workspace.contact_fatigue_days) if workspace.contact_fatigue_days else None
    customers = (distribution_audience(distribution).order_by("pk")
                 .values_list("pk", "consent", "email", "last_surveyed_at"))
    batch: list[SurveyInvitation] = []
    for customer_id, consent, email, last_surveyed_at in customers.iterator(chunk_size=INVITATION_BATCH_SIZE):
        reason = _skip_reason(consent=consent, email=email, last_surveyed_at=last_surveyed_at,
                              fatigue_since=fatigue_since)
        batch.append(SurveyInvitation(
            workspace=workspace, distribution=distribution, survey_id=distribution.survey_id,
            customer_id=customer_id, created_at=now,
            status=SurveyInvitation.Status.SKIPPED if reason else SurveyInvitation.Status.PENDING,
            skip_reason=reason))
        if len(batch) >= INVITATION_BATCH_SIZE:
            SurveyInvitation.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    SurveyInvitation.objects.bulk_create(batch, ignore_conflicts=True)


def _invitation_email(invitation: SurveyInvitation, survey: Survey, now) -> OutboundEmail:
    customer = invitation.customer
    return outbox_services.email_build(
        workspace=survey.workspace, kind="survey_invitation", to=customer.email, now=now,
        topic=f"survey_invitation:{invitation.pk}", language=customer.language or survey.language, context={
            "survey": survey,
            "workspace": survey.workspace,
            "customer": customer,
            "invitation": invitation,
            "survey_url": invitation.get_absolute_url(),
        })


def distribution_emails_send(*, distribution: Distribution) -> None:
    """E-mail the invitations still waiting. A batch at a time, each invitation gets its e-mail in the outbound
    log (in one transaction, so a re-run finds it and makes no second one); then each e-mail is claimed, sent
    and settled on its own (apps/outbox), so a worker killed mid-batch leaves nothing that a re-run would
    send twice. An e-mail the server refuses is retried with backoff by the periodic job; the invitation
    waits (pending) until its e-mail is settled."""
    survey = distribution.survey
    invitations = SurveyInvitation.objects.for_workspace(distribution.workspace_id).filter(
        distribution=distribution, status=SurveyInvitation.Status.PENDING)
    while True:
        now = timezone.now()
        with transaction.atomic():
            # SKIP LOCKED: two workers on the same distribution share the work instead of doubling it.
            batch = list(invitations.filter(email__isnull=True).select_related("customer").order_by("pk")
                         .select_for_update(skip_locked=True, of=("self",))[:EMAIL_BATCH_SIZE])
            if not batch:
                break
            queued = OutboundEmail.objects.bulk_create([_invitation_email(invitation, survey, now)
                                                        for invitation in batch])
            for invitation, email in zip(batch, queued, strict=True):
                invitation.email = email
            SurveyInvitation.objects.bulk_update(batch, ["email"])
        for email in queued:
            outbox_services.email_deliver(email_id=email.pk)
    # E-mails a killed run logged but never attempted (retries wait for their backoff).
    for email_id in OutboundEmail.objects.for_workspace(distribution.workspace_id).filter(
            pk__in=invitations.values("email_id"), status=OutboundEmail.Status.QUEUED).values_list("pk", flat=True):
        outbox_services.email_deliver(email_id=email_id)


def invitation_email_settled(email: OutboundEmail) -> None:
    """The outbound log settled an invitation's e-mail: copy the outcome onto the invitation. Being asked
    counts as being surveyed, so the customer's contact-fatigue window starts when it was sent."""
    invitations = SurveyInvitation.objects.for_workspace(email.workspace_id).filter(email=email)
    if email.status == OutboundEmail.Status.SENT:
        invitations.update(status=SurveyInvitation.Status.SENT, sent_at=email.sent_at)
        Customer.objects.for_workspace(email.workspace_id).filter(
            pk__in=invitations.values("customer_id")).update(last_surveyed_at=email.sent_at)
    else:
        invitations.update(status=SurveyInvitation.Status.FAILED)
    # A retry that settles after the job finished changes the distribution's stored counts.
    finished = Distribution.objects.for_workspace(email.workspace_id).filter(
        pk__in=invitations.values("distribution_id"), status=Distribution.Status.DONE)
    for distribution in finished:
        distribution_counts_refresh(distribution=distribution)


def distribution_counts_refresh(*, distribution: Distribution) -> Distribution:
    """Recompute the stored counts from the invitations (never incremented, so re-runs converge)."""
    counts = SurveyInvitation.objects.for_workspace(distribution.workspace_id).filter(
        distribution=distribution).counts()
    fields = ["recipient_count", "sent_count", "skipped_count", "failed_count", "opened_count", "answered_count"]
    for field in fields:
        setattr(distribution, field, counts[field])
    Distribution.objects.filter(pk=distribution.pk).update(**{field: counts[field] for field in fields})
    return distribution


def distribution_send(*, distribution_id: int) -> Distribution:
    """The whole job: create the invitations, e-mail them, store the counts. Safe to run again."""
    distribution = Distribution.objects.select_related("workspace", "survey__workspace").get(pk=distribution_id)
    Distribution.objects.filter(pk=distribution.pk).update(status=Distribution.Status.SENDING)
    try:
        distribution_invitations_create(distribution=distribution)
        distribution_emails_send(distribution=distribution)
    except Exception:
        Distribution.objects.filter(pk=distribution.pk).update(status=Distribution.Status.FAILED)
        raise
    distribution_counts_refresh(distribution=distribution)
    distribution.status, distribution.finished_at = Distribution.Status.DONE, timezone.now()
    Distribution.objects.filter(pk=distribution.pk).update(status=distribution.status,
                                                           finished_at=distribution.finished_at)
    return distribution



# Wave schedules (relationship NPS) ---------------------------------------------------------------

def _check_wave_schedule(schedule: WaveSchedule) -> None:
    if schedule.segment.workspace_id != schedule.workspace_id or schedule.survey.workspace_id != schedule.workspace_id:
        raise ValidationError(_("Choose a survey and a segment of this workspace."))
    schedule.full_clean()


def wave_schedule_create(*, survey: Survey, segment: Segment, created_by, name: str, every: int, unit: str,
                         first_wave_at) -> WaveSchedule:
    schedule = WaveSchedule(workspace=survey.workspace, survey=survey, segment=segment, created_by=created_by,
                            name=name.strip(), every=every, unit=unit, next_wave_at=first_wave_at)
    _check_wave_schedule(schedule)
    schedule.save()
    return schedule


def wave_schedule_update(*, schedule: WaveSchedule, segment: Segment, name: str, every: int, unit: str,
                         next_wave_at) -> WaveSchedule:
    schedule.segment, schedule.name, schedule.every, schedule.unit = segment, name.strip(), every, unit
    schedule.next_wave_at = next_wave_at
    _check_wave_schedule(schedule)
    schedule.save(update_fields=["segment", "name", "every", "unit", "next_wave_at"])
    return schedule


def wave_schedule_set_status(*, schedule: WaveSchedule, status: str) -> WaveSchedule:
    """Pause or resume. Resuming after the due time sends the next wave at the next beat, once: the waves
    missed while paused are not caught up."""
    schedule.status = status
    WaveSchedule.objects.filter(pk=schedule.pk).update(status=status)
    return schedule


def wave_create_due(*, schedule_id: int, now=None) -> Distribution | None:
    """Create and enqueue the schedule's next wave if it is due. The schedule row is locked and the wave
    number is unique per schedule, so a second run (or a second beat) finds nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        schedule = (WaveSchedule.objects.select_for_update(of=("self",)).select_related("survey", "segment",
                                                                                        "workspace")
                    .filter(pk=schedule_id).first())
        if schedule is None or not schedule.is_active or schedule.next_wave_at > now:
            return None
        if schedule.survey.status != Survey.Status.LIVE:
            # Waits until the survey is live again rather than skipping the wave.
            logger.info("wave schedule %s: survey %s is not live, wave waits", schedule.pk, schedule.survey_id)
            return None
        number = schedule.waves_created + 1
        distribution = Distribution.objects.for_workspace(schedule.workspace).filter(
            wave_schedule=schedule, wave_number=number).first()
        if distribution is None:
            with translation.override(schedule.workspace.default_language or "ko"):
                name = _("%(schedule)s · wave %(number)s") % {"schedule": schedule.name, "number": number}
            distribution = distribution_create(survey=schedule.survey, created_by=schedule.created_by,
                                               name=name[:160], filters={}, segment=schedule.segment,
                                               wave_schedule=schedule, wave_number=number)
        following = schedule.following(schedule.next_wave_at)
        while following <= now:
            # Missed waves (the beat was down) are not sent late in a burst: the next one is in the future.
            following = schedule.following(following)
        WaveSchedule.objects.filter(pk=schedule.pk).update(waves_created=number, next_wave_at=following)
    return distribution


def waves_create_due(*, now=None) -> int:
    """Every due schedule's next wave; what the beat job runs."""
    now = now or timezone.now()
    created = 0
    for schedule_id in list(WaveSchedule.objects.due(now).values_list("pk", flat=True)):
        if wave_create_due(schedule_id=schedule_id, now=now) is not None:
            created += 1
    return created
