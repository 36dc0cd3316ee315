"""What the workspace dashboard shows, computed from rollups in a fixed handful of queries: one
grouped query gives every daily figure of the current and the previous period, and the tiles,
sparklines and charts are all derived from it."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Q, Sum
from django.utils import timezone

from apps.nps.scores import ScoreSummary
from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Workspace

from . import selectors
from .models import SCORE_FIELDS, InvitationRollup
from .selectors import KpiFilters
from .services import local_day

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous(self) -> "Period":
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def period_for(workspace: Workspace, days: int | None = None, first: date | None = None,
               last: date | None = None) -> Period:
    today = local_day(workspace, timezone.now())
    if first and last and first <= last:
        # A custom range is capped at two years so one request cannot ask for decades of days.
        return Period(max(first, last - timedelta(days=730)), last)
    days = days if days in PERIODS else DEFAULT_PERIOD
    return Period(today - timedelta(days=days - 1), today)


def _add(summaries) -> ScoreSummary:
    totals = dict.fromkeys(SCORE_FIELDS, 0)
    for summary in summaries:
        for name in SCORE_FIELDS:
            totals[name] += getattr(summary, name)
    return ScoreSummary(**totals)


@dataclass
class DashboardData:
    workspace: Workspace
    period: Period
    filters: KpiFilters = field(default_factory=KpiFilters)
    # From the responses instead of the rollups: what the benchmark compares against.
    raw: bool = False

    @cached_property
    def daily(self) -> dict[date, ScoreSummary]:
        """Every day of the previous and current period (one query)."""
        return selectors.summary_by(self.workspace, self.period.previous.first, self.period.last, "day",
                                    self.filters, raw=self.raw)

    def series(self, period: Period) -> list[ScoreSummary]:
        return [self.daily.get(day, ScoreSummary()) for day in period.each_day()]

    @cached_property
    def current(self) -> ScoreSummary:
        return _add(self.series(self.period))

    @cached_property
    def previous(self) -> ScoreSummary:
        return _add(self.series(self.period.previous))

    @cached_property
    def invitations(self) -> dict[str, tuple[int, int]]:
        """(sent, answered) for the current and the previous period (one query)."""
        rows = InvitationRollup.objects.for_workspace(self.workspace).filter(
            day__gte=self.period.previous.first, day__lte=self.period.last)
        if self.filters.survey_id:
            rows = rows.filter(survey_id=self.filters.survey_id)
        totals = rows.aggregate(
            current_sent=Sum("sent", filter=_in(self.period), default=0),
            current_answered=Sum("answered", filter=_in(self.period), default=0),
            previous_sent=Sum("sent", filter=_in(self.period.previous), default=0),
            previous_answered=Sum("answered", filter=_in(self.period.previous), default=0))
        return {"current": (totals["current_sent"], totals["current_answered"]),
                "previous": (totals["previous_sent"], totals["previous_answered"])}

    def weekly(self) -> list[tuple[date, ScoreSummary]]:
        """The current period in weeks (or days for a week-long period), for the trend charts."""
        days = self.period.each_day()
        size = 1 if len(days) <= 14 else 7
        buckets = [days[n:n + size] for n in range(0, len(days), size)]
        return [(bucket[0], _add(self.daily.get(day, ScoreSummary()) for day in bucket)) for bucket in buckets]

    @cached_property
    def touchpoint_ids(self) -> list[int] | None:
        """Touchpoints the case and theme tiles follow (None: all of them)."""
        if self.filters.touchpoint_id:
            return [self.filters.touchpoint_id]
        queryset = Touchpoint.objects.for_workspace(self.workspace)
        if self.filters.stage_id:
            return list(queryset.filter(stage_id=self.filters.stage_id).values_list("pk", flat=True))
        if self.filters.journey_id:
            return list(queryset.filter(journey_id=self.filters.journey_id).values_list("pk", flat=True))
        return None

    def heat_map(self) -> dict:
        """Stage × channel NPS for the current period (one query)."""
        rows = selectors.stage_channel_summaries(self.workspace, self.period.first, self.period.last, self.filters,
                                                 raw=self.raw)
        channels = sorted({channel for (_stage, channel) in rows})
        return {"rows": rows, "channels": channels}


def _in(period: Period) -> Q:
    return Q(day__gte=period.first, day__lte=period.last)
