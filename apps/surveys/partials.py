"""Partial responses: a multi-page survey keeps its answers page by page in a PartialResponse, tied to
a random resume token in the link (public links) or to the invitation (personal links), so a customer
who leaves can come back and continue. Completing one goes through services.response_record, in the
same transaction as marking it completed, so scores, feedback, follow-up cases and the KPI update
happen exactly once. Unfinished ones expire (partial_responses_expire, a periodic job)."""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import logic, services
from .models import PartialResponse, Question, Response, Survey, SurveyInvitation
from .quotas import QuotaFull
from .selectors import survey_questions

logger = logging.getLogger(__name__)
EXPIRY_BATCH_SIZE = 500


def partial_find(survey: Survey, *, resume_token: str = "", invitation: SurveyInvitation | None = None,
                 submission_key: str = "") -> PartialResponse | None:
    """The partial response this visit continues (one query): the invitation's open one, or the one the
    resume token (or, for a double click on the first page, the submission key) names."""
    partials = PartialResponse.objects.for_workspace(survey.workspace_id).filter(survey=survey)
    if invitation is not None:
        return partials.filter(invitation=invitation, status=PartialResponse.Status.IN_PROGRESS).first()
    if resume_token:
        return partials.filter(resume_token=resume_token).first()
    if submission_key:
        return partials.filter(submission_key=submission_key).first()
    return None


def stored_answers(partial: PartialResponse | None) -> dict[int, Any]:
    """The kept answers with their question ids as ints (JSON keys are strings)."""
    if partial is None:
        return {}
    return {int(key): value for key, value in (partial.answers or {}).items() if str(key).isdigit()}


def _nps(questions: Sequence[Question], answers: Mapping[int, Any]) -> int | None:
    return next((answers[question.pk] for question in questions
                 if question.kind == Question.Kind.NPS and isinstance(answers.get(question.pk), int)), None)


def partial_save_page(*, survey: Survey, partial: PartialResponse | None, questions: Sequence[Question],
                      answers: Mapping[int, Any], next_page: int, reached_position: int, submission_key: str,
                      language: str, hidden_fields: Mapping[str, str],
                      invitation: SurveyInvitation | None = None) -> PartialResponse:
    """Keep the answers so far and the page to show next; the first page creates the partial response.
    The expiry moves on with every page, counted from the customer's last answer."""
    now = timezone.now()
    fields = {"answers": {str(key): value for key, value in answers.items()}, "page": next_page,
              "reached_position": max(reached_position, partial.reached_position if partial else 0),
              "nps_score": _nps(questions, answers), "language": language, "hidden_fields": dict(hidden_fields),
              "updated_at": now, "expires_at": now + timedelta(days=survey.partial_valid_days)}
    if partial is None:
        partial = PartialResponse(workspace_id=survey.workspace_id, survey=survey, invitation=invitation,
                                  submission_key=submission_key, created_at=now, **fields)
        try:
            with transaction.atomic():
                partial.save(force_insert=True)
        except IntegrityError:
            # A double click on the first page, or two tabs of one personal link: continue the first.
            existing = partial_find(survey, invitation=invitation, submission_key=submission_key)
            if existing is None:
                raise
            partial = existing
        else:
            return partial
    for name, value in fields.items():
        setattr(partial, name, value)
    PartialResponse.objects.for_workspace(survey.workspace_id).filter(pk=partial.pk).update(**fields)
    return partial


def partial_complete(*, survey: Survey, partial: PartialResponse | None, questions: Sequence[Question],
                     answers: Mapping[int, Any], submission_key: str, language: str,
                     hidden_fields: Mapping[str, str], invitation: SurveyInvitation | None = None) -> Response:
    """Record the response from all the pages' answers and close the partial response, in one transaction
    (a one-page survey has no partial: just the response). The partial's submission key makes a repeat
    return the response already recorded. Raises what response_record raises (ResponseAlreadyRecorded,
    quotas.QuotaFull), leaving the partial as it was."""

    def record(key: str) -> Response:
        return services.response_record(survey=survey, questions=questions,
                                        answers=logic.answer_values(questions, answers), submission_key=key,
                                        hidden_fields=hidden_fields, invitation=invitation, language=language)

    if partial is None:
        return record(submission_key)
    with transaction.atomic():
        response = record(partial.submission_key)
        # The answers now live in the response; the row stays for the drop-off figures.
        PartialResponse.objects.for_workspace(survey.workspace_id).filter(pk=partial.pk).update(
            status=PartialResponse.Status.COMPLETED, response=response, answers={},
            reached_position=max(question.position for question in questions) if questions else 0,
            updated_at=timezone.now())
    return response


def _record_expired(partial: PartialResponse, questions: Sequence[Question]) -> None:
    """Record what an expired partial response has, for a survey that counts unfinished responses."""
    with transaction.atomic():
        response = services.response_record(
            survey=partial.survey, questions=questions,
            answers=logic.answer_values(questions, stored_answers(partial)), submission_key=partial.submission_key,
            hidden_fields=partial.hidden_fields, invitation=partial.invitation, language=partial.language,
            submitted_at=partial.updated_at)
        PartialResponse.objects.for_workspace(partial.workspace_id).filter(pk=partial.pk).update(
            status=PartialResponse.Status.EXPIRED, response=response, answers={})


def partial_responses_expire(*, now: datetime | None = None) -> int:
    """Expire the partial responses past their time: their answers are cleared (the row stays for the
    drop-off figures), or, when the survey counts unfinished responses, recorded as a response first.
    Safe to run again: only rows still in progress are picked, and a recording repeats as the same
    response (its submission key). Returns how many expired."""
    now = now or timezone.now()
    stale = PartialResponse.objects.filter(status=PartialResponse.Status.IN_PROGRESS, expires_at__lte=now)
    expired = 0
    # The job runs for every workspace; each workspace's rows are then reached through it.
    for workspace_id in list(stale.values_list("workspace_id", flat=True).distinct().order_by()):
        mine = stale.for_workspace(workspace_id)
        questions_by_survey: dict[int, list[Question]] = {}
        refused: list[int] = []
        while True:
            batch = list(mine.filter(survey__count_partial_responses=True).exclude(answers={}).exclude(pk__in=refused)
                         .select_related("survey__workspace", "survey__touchpoint", "invitation")
                         .order_by("pk")[:EXPIRY_BATCH_SIZE])
            if not batch:
                break
            for partial in batch:
                if partial.survey_id not in questions_by_survey:
                    questions_by_survey[partial.survey_id] = survey_questions(partial.survey)
                try:
                    _record_expired(partial, questions_by_survey[partial.survey_id])
                except (services.ResponseAlreadyRecorded, QuotaFull) as error:
                    # The personal link was answered meanwhile, or the quota is full: only expire it.
                    logger.info("partial response %s expires unrecorded: %r", partial.pk, error)
                    refused.append(partial.pk)
                else:
                    expired += 1
        expired += mine.update(status=PartialResponse.Status.EXPIRED, answers={})
    return expired
