"""Reads for the journey pages. journey_scores() is the one place where touchpoint and stage scores
are computed: when KPI rollups arrive, they replace the raw aggregation here and nowhere else."""

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.nps.scores import ScoreSummary
from apps.surveys.models import Survey

from .journey_templates import get_template
from .models import Journey, Stage, Touchpoint

NO_SCORES = ScoreSummary()
ALL_TIME = date(1970, 1, 1)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    short_label: str
    days: int | None

    def start(self, now: datetime | None = None) -> datetime | None:
        """The first instant of the period; None for all time."""
        if self.days is None:
            return None
        return (now or timezone.now()) - timedelta(days=self.days)


PERIODS: tuple[Period, ...] = (
    Period("30", _("Last 30 days"), _("30 days"), 30),
    Period("90", _("Last 90 days"), _("90 days"), 90),
    Period("365", _("Last 365 days"), _("365 days"), 365),
    Period("all", _("All time"), _("All time"), None),
)
DEFAULT_PERIOD = PERIODS[1]


def period_from(value: str | None) -> Period:
    """The period a `period` GET parameter names; anything unknown means the default (90 days)."""
    return next((period for period in PERIODS if period.key == value), DEFAULT_PERIOD)


def combine(summaries) -> ScoreSummary:
    """Add up score counts: every field of ScoreSummary is a count or a sum."""
    summaries = list(summaries)
    return ScoreSummary(**{f.name: sum(getattr(s, f.name) for s in summaries) for f in fields(ScoreSummary)})


@dataclass(frozen=True)
class JourneyScores:
    touchpoints: dict[int, ScoreSummary]
    stages: dict[int, ScoreSummary]

    def for_touchpoint(self, touchpoint_id: int) -> ScoreSummary:
        return self.touchpoints.get(touchpoint_id, NO_SCORES)

    def for_stage(self, stage_id: int) -> ScoreSummary:
        return self.stages.get(stage_id, NO_SCORES)

    @property
    def journey(self) -> ScoreSummary:
        return combine(self.stages.values())


def journey_scores(journey: Journey, start: datetime | None, end: datetime | None) -> JourneyScores:
    """Scores per touchpoint and per stage for the local days from start's to end's (default: today), read
    from the KPI rollups in two grouped queries whatever the number of touchpoints or responses.
    Archived touchpoints count towards their stage: archiving hides a touchpoint from the map, it does
    not rewrite what customers said."""
    from apps.kpis import selectors as kpis
    from apps.kpis.services import local_day

    workspace = journey.workspace
    last = local_day(workspace, end or timezone.now())
    first = local_day(workspace, start) if start is not None else ALL_TIME
    filters = kpis.KpiFilters(journey_id=journey.pk)
    return JourneyScores(
        touchpoints=kpis.summary_by(workspace, first, last, "touchpoint", filters),
        stages=kpis.summary_by(workspace, first, last, "stage", filters),
    )


def nps_hue(nps: float | None) -> int | None:
    """Hue of a score colour: 0 (red) at NPS -100 to 130 (green) at +100."""
    if nps is None:
        return None
    return round((max(-100.0, min(100.0, nps)) + 100) * 130 / 200)


@dataclass
class TouchpointCard:
    touchpoint: Touchpoint
    scores: ScoreSummary

    @property
    def hue(self) -> int | None:
        return nps_hue(self.scores.nps)


@dataclass
class StageColumn:
    stage: Stage
    scores: ScoreSummary
    cards: list[TouchpointCard] = field(default_factory=list)
    previous: Stage | None = None
    next: Stage | None = None
    # Any touchpoint of the stage, archived ones included, has responses: the stage cannot be removed.
    has_responses: bool = False
    # Active and archived: what removing the stage would delete.
    touchpoint_total: int = 0

    @property
    def hue(self) -> int | None:
        return nps_hue(self.scores.nps)


@dataclass
class JourneyMap:
    journey: Journey
    period: Period
    columns: list[StageColumn]
    archived: list[Touchpoint]
    scores: JourneyScores
    has_surveys: bool

    @property
    def total(self) -> ScoreSummary:
        return self.scores.journey

    @property
    def total_hue(self) -> int | None:
        return nps_hue(self.total.nps)

    @property
    def template(self):
        return get_template(self.journey.template)

    @property
    def stages(self) -> list[Stage]:
        return [column.stage for column in self.columns]

    @property
    def has_scores(self) -> bool:
        return self.total.nps_answers > 0

    def chart_data(self) -> dict:
        """What static/js/touchpoints.js draws as the emotion curve: stage NPS in journey order."""
        return {
            "labels": [column.stage.name for column in self.columns],
            "nps": [None if column.scores.nps is None else round(column.scores.nps, 1) for column in self.columns],
            "n": [column.scores.nps_answers for column in self.columns],
            "label": str(_("NPS")),
            "sample": str(_("n = %(n)s")),
        }


def journey_map(journey: Journey, period: Period) -> JourneyMap:
    """Stages in order with their active touchpoints and scores, plus the archived touchpoints,
    in a fixed number of queries."""
    stages = list(Stage.objects.for_workspace(journey.workspace_id).of_journey(journey))
    touchpoints = (Touchpoint.objects.for_workspace(journey.workspace_id).filter(journey=journey)
                   .with_response_flag().select_related("owner").order_by("position", "pk"))
    scores = journey_scores(journey, period.start(), None)
    columns = {stage.pk: StageColumn(stage=stage, scores=scores.for_stage(stage.pk)) for stage in stages}
    archived = []
    for touchpoint in touchpoints:
        column = columns.get(touchpoint.stage_id)
        if column is None:  # services keep stage and journey in step; never trust it blindly
            continue
        # The stage objects are already loaded: no join, no query per touchpoint.
        touchpoint.stage = column.stage
        column.has_responses = column.has_responses or touchpoint.has_responses
        column.touchpoint_total += 1
        if touchpoint.is_archived:
            archived.append(touchpoint)
        else:
            column.cards.append(TouchpointCard(touchpoint, scores.for_touchpoint(touchpoint.pk)))
    ordered = list(columns.values())
    for index, column in enumerate(ordered):
        column.previous = ordered[index - 1].stage if index > 0 else None
        column.next = ordered[index + 1].stage if index + 1 < len(ordered) else None
    archived.sort(key=lambda touchpoint: touchpoint.archived_at, reverse=True)
    return JourneyMap(
        journey=journey, period=period, columns=ordered, archived=archived, scores=scores,
        has_surveys=Survey.objects.for_workspace(journey.workspace_id).exists(),
    )


def workspace_members(workspace):
    """People who may own a touchpoint: the workspace's members."""
    return (get_user_model().objects.filter(memberships__workspace=workspace)
            .order_by("first_name", "last_name", "username"))
