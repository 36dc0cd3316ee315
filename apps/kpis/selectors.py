"""The one place scores are read from: rollups when the filters allow it, raw responses otherwise.
The dashboard, the journey map and the NPS report all call these functions."""

import json
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate

from apps.customers.segments import SegmentRules
from apps.nps.scores import ScoreSummary
from apps.surveys.models import Response
from apps.workspaces.models import Workspace

from .models import SCORE_FIELDS, DailyRollup, InvitationRollup, SavedSegmentRollup, SegmentRollup
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
    # Customer attributes and values, all of which must match, e.g. (("tier", "gold"),): a segment or a
    # persona's rule.
    segments: tuple[tuple[str, str], ...] = ()
    # A saved segment (apps.customers.Segment) and its rules as canonical JSON: the rules are part of the
    # filters, so a cached page changes when they do, and raw reads need no query to find them.
    saved_segment_id: int | None = None
    saved_segment_rules: str = ""

    @property
    def needs_raw(self) -> bool:
        """Segment rollups hold one attribute (segment, tier or region) with touchpoint, but no survey or
        channel; saved-segment rollups keep survey, touchpoint and channel but no attribute; anything else
        is answered from the responses."""
        if self.saved_segment_id:
            return bool(self.segments)
        if not self.segments:
            return False
        return (len(self.segments) > 1 or self.segments[0][0] not in SegmentRollup.ATTRIBUTES
                or bool(self.channel or self.survey_id))


def saved_segment_condition(filters: KpiFilters, prefix: str = "") -> Q:
    """The saved segment of the filters as a Q on Response (or through `prefix`); Q() without one."""
    if not filters.saved_segment_id:
        return Q()
    rules = SegmentRules.from_json(json.loads(filters.saved_segment_rules or "{}"))
    return Q(**{f"{prefix}customer__isnull": False}) & rules.q(prefix=f"{prefix}customer__")


def _rollup_rows(workspace: Workspace, first: date, last: date, filters: KpiFilters):
    model = SavedSegmentRollup if filters.saved_segment_id else SegmentRollup if filters.segments else DailyRollup
    rows = model.objects.for_workspace(workspace).filter(day__gte=first, day__lte=last)
    if filters.saved_segment_id:
        rows = rows.filter(segment_id=filters.saved_segment_id)
    elif filters.segments:
        (attribute, value), = filters.segments
        rows = rows.filter(attribute=attribute, value=value)
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
    rows = Response.objects.for_workspace(workspace).in_period(start, end).filter(saved_segment_condition(filters))
    for number, (attribute, value) in enumerate(filters.segments):
        rows = rows.annotate(**{f"segment_{number}": attribute_text(attribute)}).filter(**{f"segment_{number}": value})
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
    if raw or filters.needs_raw or (filters.segments and not filters.saved_segment_id
                                    and dimension in ("channel", "survey")):
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




def stage_channel_summaries(workspace: Workspace, first: date, last: date, filters: KpiFilters = KpiFilters(),
                            *, raw: bool = False) -> dict[tuple[int, str], ScoreSummary]:
    """{(stage id, channel): ScoreSummary} for the stage × channel heat map, in one query."""
    if raw or filters.needs_raw or (filters.segments and not filters.saved_segment_id):
        rows = _raw_rows(workspace, first, last, filters).exclude(touchpoint=None)
        grouped = rows.values("touchpoint__stage_id", "channel").annotate(
            **Response.objects.score_aggregates()).order_by()
    else:
        grouped = (_rollup_rows(workspace, first, last, filters).exclude(touchpoint=None)
                   .values("touchpoint__stage_id", "channel").annotate(**ROLLUP_SUMS).order_by())
    return {(row.pop("touchpoint__stage_id"), row.pop("channel")): ScoreSummary(**row) for row in grouped}
