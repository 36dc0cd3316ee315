"""Reads for the survey pages that combine several models."""

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.customers.models import Customer
from apps.workspaces.models import Workspace

from .models import Choice, Distribution, Question, Response, Survey, SurveyInvitation


def survey_unavailable_reason(survey: Survey) -> str | None:
    """Why the public page takes no answers: "draft", "paused", "closed", "full", or None when open.
    The count runs only for a survey with a response limit (one indexed COUNT)."""
    reason = survey.closed_reason(timezone.now())
    if reason is None and survey.response_cap is not None:
        answered = Response.objects.for_workspace(survey.workspace_id).filter(survey=survey).count()
        # A few answers may pass the limit when many arrive at the same moment; the cap is a guide, not a quota.
        if answered >= survey.response_cap:
            reason = "full"
    return reason


def survey_questions(survey: Survey) -> list[Question]:
    """The questions a customer is asked, in order, with their choices (two queries)."""
    choices = Choice.objects.for_workspace(survey.workspace_id).order_by("position", "pk")
    return list(Question.objects.for_workspace(survey.workspace_id)
                .filter(survey=survey, is_hidden=False)
                .order_by("position", "pk")
                .prefetch_related(Prefetch("choices", queryset=choices)))


def survey_list(workspace: Workspace):
    """The workspace's surveys with their touchpoint and response count, newest first, in one query."""
    responses = (Response.objects.for_workspace(workspace).filter(survey=OuterRef("pk"))
                 .order_by().values("survey").annotate(n=Count("pk")).values("n"))
    return (Survey.objects.for_workspace(workspace).select_related("touchpoint")
            .annotate(response_count=Coalesce(Subquery(responses, output_field=IntegerField()), Value(0)))
            .order_by("-created_at", "-pk"))


def distribution_list(survey: Survey):
    return (Distribution.objects.for_workspace(survey.workspace_id).filter(survey=survey)
            .select_related("created_by").order_by("-created_at", "-pk"))


def distribution_log(distribution: Distribution) -> dict:
    """The send log's figures, from one aggregate over the invitations: recipients, sent, opened,
    answered, skipped by reason, failed, and the response rate (answered per sent, in percent)."""
    counts = SurveyInvitation.objects.for_workspace(distribution.workspace_id).filter(
        distribution=distribution).counts()
    sent = counts["sent_count"]
    counts["response_rate"] = counts["answered_count"] * 100 / sent if sent else None
    counts["open_rate"] = counts["opened_count"] * 100 / sent if sent else None
    counts["skipped_by_reason"] = [
        (label, counts[f"skipped_{reason}"]) for reason, label in SurveyInvitation.SkipReason.choices]
    return counts


def distribution_invitations(distribution: Distribution, status: str = ""):
    invitations = (SurveyInvitation.objects.for_workspace(distribution.workspace_id)
                   .filter(distribution=distribution).select_related("customer").order_by("pk"))
    if status in SurveyInvitation.Status.values:
        invitations = invitations.filter(status=status)
    return invitations


def distribution_filter_values(workspace: Workspace, keys: Iterable[str] = ("segment", "tier", "region"),
                               limit: int = 100) -> dict[str, list[str]]:
    """Values customers have for each selection key, to suggest in the form (one query per key)."""
    values = {}
    for key in keys:
        found = (Customer.objects.for_workspace(workspace).exclude(**{f"attributes__{key}__isnull": True})
                 .values_list(f"attributes__{key}", flat=True).distinct().order_by()[:limit])
        values[key] = sorted({str(value) for value in found if value not in (None, "")})
    return values
