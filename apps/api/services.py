"""Writes behind the API and its key management: keys, submitted responses and feedback."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from apps.customers.models import Customer
from apps.feedback import services as feedback_services
from apps.feedback.models import FeedbackItem, Source
from apps.nps.selectors import workspace_zone
from apps.surveys import selectors as survey_selectors
from apps.surveys import services as survey_services
from apps.surveys.forms import SurveyForm, hidden_fields_from
from apps.surveys.models import Question, Response, Survey, new_submission_key
from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import ApiKey, AuditEntry, Workspace, audit

from .errors import ApiInputError

# last_used_at is written at most this often per key: not one write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A client clock a little ahead of ours is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
# Nothing cxm measures is older; it also keeps far dates away from local-mean-time offsets and overflows.
EARLIEST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)


# Keys ------------------------------------------------------------------------------------------

def api_key_create(*, workspace: Workspace, name: str, created_by) -> tuple[ApiKey, str]:
    """A new key and its raw value, which is shown once and never stored; audited."""
    with transaction.atomic():
        key, raw_key = ApiKey.generate(workspace=workspace, name=name, created_by=created_by)
        audit(workspace=workspace, actor=created_by, action=AuditEntry.Action.API_KEY_CREATED, target=str(key),
              api_key_id=key.pk, prefix=key.prefix)
    return key, raw_key


def api_key_revoke(*, api_key: ApiKey, revoked_by) -> ApiKey:
    """Stop the key working at once; revoking a revoked key changes nothing and is not audited again."""
    now = timezone.now()
    with transaction.atomic():
        if ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now):
            api_key.revoked_at = now
            audit(workspace=api_key.workspace, actor=revoked_by, action=AuditEntry.Action.API_KEY_REVOKED,
                  target=str(api_key), api_key_id=api_key.pk, prefix=api_key.prefix)
    return api_key


def api_key_mark_used(*, api_key: ApiKey, now: datetime | None = None) -> None:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION: a busy integration must not
    turn every request into a write on the same row."""
    now = now or timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > stale:
        return
    # The condition repeats in SQL so that concurrent requests write once between them.
    ApiKey.objects.filter(pk=api_key.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)).update(
        last_used_at=now)
    api_key.last_used_at = now


# Shared look-ups -------------------------------------------------------------------------------

def _aware(workspace: Workspace, moment: datetime | None, field: str, errors: list) -> datetime | None:
    """A client's timestamp: without an offset it is the workspace's local time; the future is refused."""
    if moment is None:
        return None
    if moment.replace(tzinfo=None) < EARLIEST_MOMENT.replace(tzinfo=None):
        errors.append((field, _("Give a moment from 2000-01-01 on.")))
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, workspace_zone(workspace))
    if moment > timezone.now() + CLOCK_SKEW:
        errors.append((field, _("This moment is in the future.")))
        return None
    return moment.astimezone(UTC)


def _customer(workspace: Workspace, external_id: str | None, errors: list) -> Customer | None:
    if not external_id:
        return None
    customer = Customer.objects.for_workspace(workspace).filter(external_id=external_id).first()
    if customer is None:
        errors.append(("customer_external_id", _("No customer with this external id in the workspace.")))
    return customer


def _by_id(model, workspace: Workspace, pk: int | None, field: str, message: str, errors: list):
    if pk is None:
        return None
    found = model.objects.for_workspace(workspace).filter(pk=pk).first()
    if found is None:
        errors.append((field, message))
    return found


# Responses -------------------------------------------------------------------------------------

def _survey(workspace: Workspace, survey_id: int | None, survey_token: str | None, errors: list) -> Survey | None:
    if (survey_id is None) == (not survey_token):
        errors.append(("survey_id", _("Give either survey_id or survey_token, not both.") if survey_id is not None
                       else _("Give survey_id or survey_token.")))
        return None
    surveys = Survey.objects.for_workspace(workspace).select_related("workspace", "touchpoint")
    survey = surveys.filter(pk=survey_id).first() if survey_id is not None else surveys.filter(
        token=survey_token).first()
    if survey is None:
        field = "survey_id" if survey_id is not None else "survey_token"
        errors.append((field, _("No survey with this id in the workspace.") if survey_id is not None
                       else _("No survey with this token in the workspace.")))
        return None
    reason = survey_selectors.survey_unavailable_reason(survey)
    if reason is not None:
        reasons = {"draft": _("The survey is a draft: publish it before sending responses."),
                   "paused": _("The survey is paused."),
                   "full": _("The survey has reached its response limit.")}
        errors.append(("survey_id" if survey_id is not None else "survey_token",
                       reasons.get(reason, _("The survey has closed."))))
        return None
    return survey


def _form_data(questions: list[Question], answers: Mapping[str, Any], errors: list) -> MultiValueDict:
    """The answers as the public form would post them (q<id>=value), after the checks a form post gets
    for free: every id a question of this survey, one value or a list as the question expects."""
    by_id = {str(question.pk): question for question in questions}
    data = MultiValueDict()
    for key, value in answers.items():
        field = "answers." + (key or '""')
        question = by_id.get(str(key).strip())
        if question is None:
            errors.append((field, _("No question with this id in the survey.")))
            continue
        name = SurveyForm.field_name(question)
        if isinstance(value, list):
            if question.kind != Question.Kind.MULTIPLE_CHOICE:
                errors.append((field, _("Give one value, not a list.")))
                continue
            data.setlist(name, [str(item) for item in value])
        elif question.is_scale and not isinstance(value, int):
            errors.append((field, _("Give the score as a whole number.")))
        elif question.is_choice and not isinstance(value, int):
            errors.append((field, _("Give the id of a choice.")))
        elif question.is_text and not isinstance(value, str):
            errors.append((field, _("Give a text.")))
        else:
            data.setlist(name, [str(value)])
    return data


def response_submit(*, workspace: Workspace, answers: Mapping[str, Any], survey_id: int | None = None,
                    survey_token: str | None = None, customer_external_id: str | None = None,
                    submitted_at: datetime | None = None, hidden_fields: Mapping[str, str] | None = None) -> Response:
    """Record a response sent through the API, with the same validation as the public survey page
    (SurveyForm: scales, choices, required and follow-up questions) and the same write
    (surveys.services.response_record). Raises ApiInputError naming every refused field."""
    errors: list[tuple[str, str]] = []
    survey = _survey(workspace, survey_id, survey_token, errors)
    customer = _customer(workspace, customer_external_id, errors)
    submitted_at = _aware(workspace, submitted_at, "submitted_at", errors)
    if survey is None:
        raise ApiInputError(errors)
    questions = survey_selectors.survey_questions(survey)
    form = SurveyForm(_form_data(questions, answers, errors), questions=questions)
    if not form.is_valid():
        by_name = {SurveyForm.field_name(question): question for question in questions}
        for name, messages in form.errors.items():
            field = f"answers.{by_name[name].pk}" if name in by_name else "answers"
            # A value refused above already has its message; the form's "required" would repeat it.
            if not any(existing == field for existing, _message in errors):
                errors.extend((field, message) for message in messages)
    if errors:
        raise ApiInputError(errors)
    hidden = hidden_fields_from(dict(hidden_fields or {}), survey.allowed_hidden_fields)
    return survey_services.response_record(survey=survey, questions=questions, answers=form.answers,
                                           submission_key=new_submission_key(), hidden_fields=hidden,
                                           customer=customer, submitted_at=submitted_at)


# Feedback --------------------------------------------------------------------------------------

def feedback_submit(*, workspace: Workspace, text: str, source: str = Source.API, language: str = "",
                    score: int | None = None, touchpoint_id: int | None = None, survey_id: int | None = None,
                    response_id: int | None = None, customer_external_id: str | None = None,
                    created_at: datetime | None = None, external_id: str = "") -> FeedbackItem:
    """Record feedback sent through the API with feedback.services.feedback_item_create, every object
    looked up inside the key's workspace. Raises ApiInputError naming every refused field."""
    errors: list[tuple[str, str]] = []
    touchpoint = _by_id(Touchpoint, workspace, touchpoint_id, "touchpoint_id",
                        _("No touchpoint with this id in the workspace."), errors)
    survey = _by_id(Survey, workspace, survey_id, "survey_id", _("No survey with this id in the workspace."), errors)
    response = _by_id(Response, workspace, response_id, "response_id",
                      _("No response with this id in the workspace."), errors)
    customer = _customer(workspace, customer_external_id, errors)
    created_at = _aware(workspace, created_at, "created_at", errors)
    if errors:
        raise ApiInputError(errors)
    try:
        return feedback_services.feedback_item_create(
            workspace=workspace, text=text, source=source, language=language, score=score, touchpoint=touchpoint,
            customer=customer, survey=survey, response=response, created_at=created_at, external_id=external_id)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ApiInputError({field: [str(message) for message in messages]
                                 for field, messages in error.message_dict.items()}) from error
        raise ApiInputError([("body", message) for message in error.messages]) from error
