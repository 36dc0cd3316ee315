"""The one place scores are read from: rollups when the filters allow it, raw responses otherwise.
The dashboard, the journey map and the NPS report all call these functions."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import TruncDate

from apps.nps.scores import ScoreSummary
from apps.surveys.models import Response
from apps.workspaces.models import Workspace

from .models import SCORE_FIELDS, DailyRollup, InvitationRollup, SegmentRollup
from .services import attribute_text, day_bounds, workspace_zone

DIMENSIONS = {
    # dimension: (rollup field, raw response field)
    "touchpoint": ("touchpoint_id", "touchpoint_id"),
    "stage": ("touchpoint__stage_id", "touchpoint__stage_id"),
    "channel": ("channel", "channel"),
    "survey": ("survey_id", "survey_id"),
    "day": ("day", "day"),
}


@dataclass(frozen=True)
class KpiFilters:
    touchpoint_id: int | None = None
    stage_id: int | None = None
    journey_id: int | None = None
    channel: str = ""
    survey_id: int | None = None
    # One customer attribute and its value, e.g. ("tier", "gold").
    segment: tuple[str, str] | None = None

    @property
    def needs_raw(self) -> bool:
        """Segment rollups carry touchpoint but not survey or channel; other attributes have none."""
        if self.segment is None:
            return False
        return bool(self.channel or self.survey_id) or self.segment[0] not in SegmentRollup.ATTRIBUTES


def _rollup_rows(workspace: Workspace, first: date, last: date, filters: KpiFilters):
    model = SegmentRollup if filters.segment else DailyRollup
    rows = model.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last)
    if filters.segment:
        rows = rows.filter(attribute=filters.segment[0], value=filters.segment[1])
    if filters.touchpoint_id:
        rows = rows.filter(touchpoint_id=filters.touchpoint_id)
    if filters.stage_id:
        rows = rows.filter(touchpoint__stage_id=filters.stage_id)
    if filters.journey_id:
        rows = rows.filter(touchpoint__journey_id=filters.journey_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.survey_id:
        rows = rows.filter(survey_id=filters.survey_id)
    return rows


def _raw_rows(workspace: Workspace, first: date, last: date, filters: KpiFilters):
    start, end = day_bounds(workspace, first, last)
    rows = Response.objects.for_workspace(workspace).in_period(start, end)
    if filters.segment:
        rows = rows.annotate(segment_value=attribute_text(filters.segment[0])).filter(
            segment_value=filters.segment[1])
    if filters.touchpoint_id:
        rows = rows.filter(touchpoint_id=filters.touchpoint_id)
    if filters.stage_id:
        rows = rows.filter(touchpoint__stage_id=filters.stage_id)
    if filters.journey_id:
        rows = rows.filter(touchpoint__journey_id=filters.journey_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.survey_id:
        rows = rows.filter(survey_id=filters.survey_id)
    return rows


ROLLUP_SUMS = {field: Sum(field, default=0) for field in SCORE_FIELDS}


def summary(workspace: Workspace, first: date, last: date, filters: KpiFilters = KpiFilters(), *,
            raw: bool = False) -> ScoreSummary:
    """NPS, CSAT and CES counts for the local days first..last, in one query."""
    if raw or filters.needs_raw:
        return ScoreSummary(**_raw_rows(workspace, first, last, filters).aggregate(
            **Response.objects.score_aggregates()))
    return ScoreSummary(**_rollup_rows(workspace, first, last, filters).aggregate(**ROLLUP_SUMS))


def summary_by(workspace: Workspace, first: date, last: date, dimension: str,
               filters: KpiFilters = KpiFilters(), *, raw: bool = False) -> dict:
    """{key: ScoreSummary} grouped by touchpoint, stage, channel, survey or day, in one query."""
    rollup_field, raw_field = DIMENSIONS[dimension]
    if raw or filters.needs_raw or (filters.segment and dimension in ("channel", "survey")):
        rows = _raw_rows(workspace, first, last, filters)
        if dimension == "day":
            rows = rows.annotate(day=TruncDate("submitted_at", tzinfo=workspace_zone(workspace)))
        grouped = rows.values(raw_field).annotate(**Response.objects.score_aggregates()).order_by()
        key = raw_field
    else:
        grouped = (_rollup_rows(workspace, first, last, filters).values(rollup_field)
                   .annotate(**ROLLUP_SUMS).order_by())
        key = rollup_field
    return {row.pop(key): ScoreSummary(**row) for row in grouped}


def invitations(workspace: Workspace, first: date, last: date, survey_id: int | None = None) -> tuple[int, int]:
    """(sent, answered) personal invitations in the period."""
    rows = InvitationRollup.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last)
    if survey_id:
        rows = rows.filter(survey_id=survey_id)
    totals = rows.aggregate(sent=Sum("sent", default=0), answered=Sum("answered", default=0))
    return totals["sent"], totals["answered"]


def matches_raw(workspace: Workspace, first: date, last: date, filters: KpiFilters = KpiFilters()) -> bool:
    """True when rollups and a raw recompute agree exactly for the period (the consistency check)."""
    if summary(workspace, first, last, filters) != summary(workspace, first, last, filters, raw=True):
        return False
    for dimension in ("touchpoint", "survey", "channel"):
        rolled = summary_by(workspace, first, last, dimension, filters)
        raw = summary_by(workspace, first, last, dimension, filters, raw=True)
        if rolled != raw:
            return False
    return True


