"""Reads behind the NPS report and the API's KPIs.

Where the numbers come from
---------------------------
The report (nps_report, and summary_with_previous, trend, breakdown and question_drivers, which it is made
of) counts whole calendar days of the workspace's time zone: its [start, end) instants become the local
days from start's to that of end's last instant (apps.kpis.services.local_day), as on the journey map,
because a day is the grain of the KPI rollups. The previous period is the same number of days just before.

Read from the KPI rollups through apps.kpis.selectors, the selector the dashboard and the journey map use,
so the three pages agree and cost grows with days × slices, not with responses:

- the headline scores, the previous period's and the weekly or monthly trend: one summary_by(..., "day")
  over both periods, added up into periods and calendar weeks or months here;
- the breakdowns by touchpoint, stage, channel and survey (summary_by, once per period) and the
  touchpoint scores behind the touchpoint drivers.

Read from the segment rollups (SegmentRollup) directly, in one query grouped by value: the segment, tier
and region breakdowns, and personas whose rule is one of those attributes with a text value, when the
filters allow it (KpiFilters.needs_raw is False: segment rollups keep the touchpoint, not the channel or
survey). apps.kpis.selectors reads one attribute=value pair per query; a breakdown needs every value at
once, so this one grouped read lives here. "Not set" is what the daily rollups count beyond the values.

Read from the responses, because the rollups cannot answer:

- personas whose rule has several attributes, another attribute, a value that is not text or no pair at
  all ("any known customer"), and the segment, tier, region and persona breakdowns under a channel or
  survey filter;
- Σ CES², for the headline CES margin: rollups keep the sum of CES answers but not of their squares. One
  small aggregate adds it, used only when its CES sum and count agree with the rollups' (while the rollups
  catch up with a new response the margin is left out rather than computed from other answers);
- the question drivers: they pair each response's answers with its NPS answer.

summary() and summary_by_touchpoint() serve GET /api/v1/kpis: they count the exact instants [start, end)
the API echoes back (its rolling "last 30 days" starts at this time of day), with a CES margin, so they
read the responses.

Every function runs a fixed number of queries whatever the number of responses, touchpoints, personas or
questions."""

import json
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    Q,
    Sum,
    Value,
    When,
)
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Segment
from apps.kpis import selectors as kpis
from apps.kpis.dashboard import Period
from apps.kpis.models import SCORE_FIELDS, SegmentRollup
from apps.kpis.services import MAX_ROLLED_UP_SEGMENTS, day_bounds, local_day, workspace_zone
from apps.surveys.models import Answer, Question, Response, Survey, WaveSchedule
from apps.touchpoints.models import Channel, Persona, Touchpoint
from apps.workspaces.models import Workspace

from .scores import ALPHA, NO_CHANGE, Change, Gap, ScoreSummary, correlation_p_value, nps_change, nps_gap, pearson

ATTRIBUTE_KEYS = SegmentRollup.ATTRIBUTES  # segment, tier, region
DIMENSIONS = ("touchpoint", "stage", "channel", "survey", "persona", *ATTRIBUTE_KEYS)
GRAINS = ("week", "month")
# Each persona read from the responses adds a set of filtered aggregates to one query; beyond this many
# the query grows unwieldy.
PERSONA_LIMIT = 30
DRIVER_KINDS = (Question.Kind.CSAT, Question.Kind.CES, Question.Kind.RATING)
# A correlation over fewer answer pairs than this is listed but not ranked.
MIN_DRIVER_SAMPLE = 10
# Keys a persona's segment rule may use in a JSON lookup: "__" would be read as a nested lookup.
ATTRIBUTE_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
LAST_INSTANT = timedelta(microseconds=1)

EMPTY = ScoreSummary()


@dataclass(frozen=True)
class Filters:
    """What the report and the API narrow the responses to, besides the period."""

    touchpoint_id: int | None = None
    channel: str = ""
    survey_id: int | None = None
    # A saved segment and its rules as canonical JSON (see kpis.KpiFilters).
    segment_id: int | None = None
    segment_rules: str = ""

    def condition(self, prefix: str = "") -> Q:
        """The filters as a Q on Response, or on a model reaching it through `prefix` ("response__")."""
        condition = kpis.saved_segment_condition(self.for_rollups(), prefix)
        if self.touchpoint_id is not None:
            condition &= Q(**{f"{prefix}touchpoint_id": self.touchpoint_id})
        if self.channel:
            condition &= Q(**{f"{prefix}channel": self.channel})
        if self.survey_id is not None:
            condition &= Q(**{f"{prefix}survey_id": self.survey_id})
        return condition

    def for_rollups(self, segments: tuple[tuple[str, str], ...] = ()) -> kpis.KpiFilters:
        return kpis.KpiFilters(touchpoint_id=self.touchpoint_id, channel=self.channel, survey_id=self.survey_id,
                               segments=segments, saved_segment_id=self.segment_id,
                               saved_segment_rules=self.segment_rules)

    @property
    def is_empty(self) -> bool:
        return self == Filters()


NO_FILTERS = Filters()


def day_start(workspace: Workspace, day: date) -> datetime:
    """The first instant of a workspace-local calendar day."""
    return datetime.combine(day, time.min, tzinfo=workspace_zone(workspace))


def report_days(workspace: Workspace, start: datetime, end: datetime) -> Period:
    """The workspace-local days the report counts for [start, end): start's day to the day of end's last
    instant, whole days, the grain of the rollups."""
    return Period(local_day(workspace, start), local_day(workspace, end - LAST_INSTANT))


def score_aggregates() -> dict:
    """Response.objects.score_aggregates() plus Σ CES², which the CES margin needs."""
    return {**Response.objects.score_aggregates(), "ces_squares": Sum(_ces_square(), default=0)}


def _ces_square():
    return ExpressionWrapper(F("ces_score") * F("ces_score"), output_field=IntegerField())


def _summary(row: dict) -> ScoreSummary:
    return ScoreSummary(**{name: row[name] or 0 for name in score_aggregates()})


def _add(first: ScoreSummary, second: ScoreSummary) -> ScoreSummary:
    return ScoreSummary(**{f.name: getattr(first, f.name) + getattr(second, f.name) for f in fields(ScoreSummary)})


def _total(summaries) -> ScoreSummary:
    return reduce(_add, summaries, EMPTY)


def _rest(whole: ScoreSummary, parts) -> ScoreSummary:
    """What `whole` counts beyond the `parts` (rollup counts: no Σ CES²)."""
    counted = _total(parts)
    return ScoreSummary(**{name: getattr(whole, name) - getattr(counted, name) for name in SCORE_FIELDS})


def _filtered(aggregate, condition: Q):
    """The same aggregate counting only the rows that also meet `condition`."""
    copy = aggregate.copy()
    copy.filter = condition if aggregate.filter is None else aggregate.filter & condition
    return copy


def responses(workspace: Workspace, start: datetime | None, end: datetime | None, filters: Filters = NO_FILTERS):
    """The workspace's responses submitted in [start, end) that match the filters."""
    return Response.objects.for_workspace(workspace).in_period(start, end).filter(filters.condition())


def _two_periods(workspace: Workspace, period: Period, filters: Filters):
    """Responses of the period's days and of the previous period's, flagged with `current` (1 or 0), so one
    grouped query returns both periods side by side (the reads the rollups cannot answer)."""
    previous_start, _end = day_bounds(workspace, period.previous.first)
    start, end = day_bounds(workspace, period.first, period.last)
    return responses(workspace, previous_start, end, filters).annotate(
        current=Case(When(submitted_at__gte=start, then=Value(1)), default=Value(0), output_field=IntegerField()))


# Summary ---------------------------------------------------------------------------------------

def summary(workspace: Workspace, start: datetime | None, end: datetime | None,
            filters: Filters = NO_FILTERS) -> ScoreSummary:
    """NPS, CSAT and CES counts (with Σ CES²) of the responses submitted in exactly [start, end), in one
    query over the responses: what the API returns for the period it states."""
    return _summary(responses(workspace, start, end, filters).aggregate(**score_aggregates()))


def summary_by_touchpoint(workspace: Workspace, start: datetime | None, end: datetime | None,
                          filters: Filters = NO_FILTERS) -> dict[int | None, ScoreSummary]:
    """Scores per touchpoint id (None: responses without a touchpoint) of exactly [start, end), in one
    grouped query over the responses (the API's, like summary())."""
    rows = responses(workspace, start, end, filters).values("touchpoint_id").annotate(**score_aggregates()).order_by()
    return {row.pop("touchpoint_id"): _summary(row) for row in rows}


@dataclass(frozen=True)
class Comparison:
    current: ScoreSummary
    previous: ScoreSummary

    @property
    def change(self) -> Change:
        return nps_change(self.previous, self.current)


def _daily(workspace: Workspace, period: Period, filters: Filters) -> dict[date, ScoreSummary]:
    """Rollup scores per day of the period and of the previous one, in one query."""
    return kpis.summary_by(workspace, period.previous.first, period.last, "day", filters.for_rollups())


def _comparison(daily: dict[date, ScoreSummary], period: Period) -> Comparison:
    return Comparison(current=_total(daily.get(day, EMPTY) for day in period.each_day()),
                      previous=_total(daily.get(day, EMPTY) for day in period.previous.each_day()))


def _with_ces_squares(workspace: Workspace, period: Period, filters: Filters, scores: ScoreSummary) -> ScoreSummary:
    """The rollup scores with Σ CES² from the responses, which the CES margin needs and the rollups do not
    keep: one aggregate, skipped below two CES answers (no margin then anyway)."""
    if scores.ces_answers < 2:
        return scores
    start, end = day_bounds(workspace, period.first, period.last)
    raw = responses(workspace, start, end, filters).aggregate(
        ces_total=Sum("ces_score", default=0), ces_answers=Count("ces_score"),
        ces_squares=Sum(_ces_square(), default=0))
    if (raw["ces_total"], raw["ces_answers"]) != (scores.ces_total, scores.ces_answers):
        # The rollups have not caught up with a response yet: squares of other answers than those behind
        # the mean would give a wrong margin, so show none until they agree.
        return scores
    return replace(scores, ces_squares=raw["ces_squares"])


def summary_with_previous(workspace: Workspace, start: datetime, end: datetime,
                          filters: Filters = NO_FILTERS) -> Comparison:
    """The scores of the period's local days and of as many days before them, from the daily rollups in one
    query (plus one over the responses for the CES margin)."""
    period = report_days(workspace, start, end)
    comparison = _comparison(_daily(workspace, period, filters), period)
    return replace(comparison, current=_with_ces_squares(workspace, period, filters, comparison.current))


# Trend -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendPoint:
    start: date
    scores: ScoreSummary

    @property
    def lower(self) -> float | None:
        if self.scores.nps is None:
            return None
        return max(-100.0, self.scores.nps - self.scores.nps_margin)

    @property
    def upper(self) -> float | None:
        if self.scores.nps is None:
            return None
        return min(100.0, self.scores.nps + self.scores.nps_margin)


def _bucket_start(day: date, grain: str) -> date:
    return day - timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def _next_bucket(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _trend(daily: dict[date, ScoreSummary], period: Period, grain: str) -> list[TrendPoint]:
    found: dict[date, ScoreSummary] = {}
    for day in period.each_day():
        if day in daily:
            bucket = _bucket_start(day, grain)
            found[bucket] = _add(found.get(bucket, EMPTY), daily[day])
    points = []
    bucket = _bucket_start(period.first, grain)
    while bucket <= period.last:
        points.append(TrendPoint(start=bucket, scores=found.get(bucket, EMPTY)))
        bucket = _next_bucket(bucket, grain)
    return points


def trend(workspace: Workspace, start: datetime, end: datetime, filters: Filters = NO_FILTERS, *,
          grain: str = "week") -> list[TrendPoint]:
    """Scores per calendar week (from Monday) or month of the workspace's time zone, every bucket of the
    period present (empty ones without scores): the daily rollups of the period in one query, added up here
    (days × buckets is small). The first and last buckets hold only the period's days."""
    period = report_days(workspace, start, end)
    daily = kpis.summary_by(workspace, period.first, period.last, "day", filters.for_rollups())
    return _trend(daily, period, grain)


# Breakdowns ------------------------------------------------------------------------------------

@dataclass
class BreakdownRow:
    key: object
    label: str
    detail: str = ""
    current: ScoreSummary = EMPTY
    previous: ScoreSummary = EMPTY
    # Rows such as "No touchpoint" are shown but are not a touchpoint of their own.
    is_other: bool = False

    @property
    def change(self) -> Change:
        return nps_change(self.previous, self.current)


@dataclass(frozen=True)
class ReportNames:
    """What the breakdown rows are labelled with. The rollups give ids; filter_choices() reads these names
    anyway, so the page passes them on instead of reading them twice."""

    # id: (name, journey name)
    touchpoints: dict[int, tuple[str, str]] = field(default_factory=dict)
    # id: (English name, Korean name, journey name)
    stages: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    surveys: dict[int, str] = field(default_factory=dict)


def _touchpoint_rows(workspace: Workspace):
    return (Touchpoint.objects.for_workspace(workspace).order_by("journey__name", "name", "pk")
            .values_list("pk", "name", "journey__name", "archived_at", "stage_id", "stage__name_en",
                         "stage__name_ko"))


def _survey_rows(workspace: Workspace):
    return Survey.objects.for_workspace(workspace).order_by("title", "pk").values_list("pk", "title")


def _names(touchpoint_rows, survey_rows) -> ReportNames:
    names = ReportNames(surveys=dict(survey_rows))
    for pk, name, journey, _archived_at, stage_id, name_en, name_ko in touchpoint_rows:
        names.touchpoints[pk] = (name, journey)
        names.stages[stage_id] = (name_en, name_ko, journey)
    return names


def report_names(workspace: Workspace, *, surveys: bool = True) -> ReportNames:
    """Touchpoint, stage and (unless surveys=False) survey names, in one query each."""
    return _names(_touchpoint_rows(workspace), _survey_rows(workspace) if surveys else [])


def _stage_name(english: str, korean: str) -> str:
    if (get_language() or "en").startswith("ko"):
        return korean or english
    return english or korean


def _label(dimension: str, key, names: ReportNames) -> tuple[str, str]:
    """(label, detail) of a breakdown row; an id missing from the names (a touchpoint added a moment ago)
    shows as its number."""
    if dimension == "touchpoint":
        return names.touchpoints.get(key, (f"#{key}", ""))
    if dimension == "stage":
        english, korean, journey = names.stages.get(key, (f"#{key}", "", ""))
        return _stage_name(english, korean), journey
    if dimension == "channel":
        return (str(Channel(key).label) if key in Channel.values else key), ""
    return names.surveys.get(key, f"#{key}"), ""


# The row for responses without a touchpoint (or channel) of their own.
OTHER_LABELS = {"touchpoint": _("No touchpoint"), "stage": _("No touchpoint"), "channel": _("Not recorded"),
                "survey": _("No survey")}


def _sorted(rows) -> list[BreakdownRow]:
    return sorted(rows, key=lambda row: (row.is_other, -row.current.nps_answers, -row.previous.nps_answers,
                                         str(row.label).lower()))


def _grouped_breakdown(workspace: Workspace, period: Period, filters: Filters, dimension: str, names: ReportNames,
                       *, with_previous: bool = True) -> list[BreakdownRow]:
    """Touchpoint, stage, channel or survey rows from the rollups: kpis.summary_by once per period."""
    rollup_filters = filters.for_rollups()
    current = kpis.summary_by(workspace, period.first, period.last, dimension, rollup_filters)
    previous = (kpis.summary_by(workspace, period.previous.first, period.previous.last, dimension, rollup_filters)
                if with_previous else {})
    rows: dict[object, BreakdownRow] = {}
    for attribute, scores_by_key in (("current", current), ("previous", previous)):
        for key, scores in scores_by_key.items():
            if key in (None, ""):
                row = rows.setdefault(None, BreakdownRow(key=None, label=str(OTHER_LABELS[dimension]), is_other=True))
            else:
                label, detail = _label(dimension, key, names)
                row = rows.setdefault(key, BreakdownRow(key=key, label=label, detail=detail))
            setattr(row, attribute, _add(getattr(row, attribute), scores))
    return _sorted(rows.values())


def _segment_rollups_answer(filters: Filters, attribute: str, value: object = "") -> bool:
    """Whether the segment rollups hold attribute=value under these filters (one of segment, tier or
    region, a text value, no channel or survey filter)."""
    return isinstance(value, str) and not filters.for_rollups(((attribute, value),)).needs_raw


def _segment_rollups(workspace: Workspace, period: Period, filters: Filters,
                     pairs: Q) -> dict[tuple[str, str, int], ScoreSummary]:
    """{(attribute, value, 1 current | 0 previous): scores} from the segment rollups rows matching `pairs`,
    for both periods in one grouped query. Only for filters _segment_rollups_answer() accepts."""
    rows = SegmentRollup.objects.for_workspace(workspace).filter(pairs, day__gte=period.previous.first,
                                                                 day__lte=period.last)
    if filters.touchpoint_id is not None:
        rows = rows.filter(touchpoint_id=filters.touchpoint_id)
    grouped = (rows.annotate(current=Case(When(day__gte=period.first, then=Value(1)), default=Value(0),
                                          output_field=IntegerField()))
               .values("attribute", "value", "current").annotate(**kpis.ROLLUP_SUMS).order_by())
    return {(row.pop("attribute"), row.pop("value"), row.pop("current")): ScoreSummary(**row) for row in grouped}


def _attribute_breakdown_from_rollups(workspace: Workspace, period: Period, filters: Filters, key: str,
                                      totals: Comparison) -> list[BreakdownRow]:
    rows: dict[str, BreakdownRow] = {}
    for (_attribute, value, current), scores in _segment_rollups(workspace, period, filters, Q(attribute=key)).items():
        row = rows.setdefault(value, BreakdownRow(key=value, label=value))
        if current:
            row.current = scores
        else:
            row.previous = scores
    # Segment rollups leave out responses without a customer or without the attribute: they are what the
    # daily rollups (the totals) count beyond the values.
    not_set = BreakdownRow(key=None, label=str(_("Not set")), is_other=True,
                           current=_rest(totals.current, [row.current for row in rows.values()]),
                           previous=_rest(totals.previous, [row.previous for row in rows.values()]))
    if not_set.current.responses or not_set.previous.responses:
        rows[None] = not_set
    return _sorted(rows.values())


def _attribute_breakdown(queryset, key: str) -> list[BreakdownRow]:
    """From the responses: under a channel or survey filter, which segment rollups do not keep."""
    rows: dict[object, BreakdownRow] = {}
    # A key transform across the customer relation (KT() cannot follow a relation, it takes "customer"
    # for the JSON field itself).
    column = f"customer__attributes__{key}"
    grouped = queryset.values(column, "current").annotate(**score_aggregates()).order_by()
    for values in grouped:
        value = values[column]
        if value in (None, ""):
            row = rows.setdefault(None, BreakdownRow(key=None, label=str(_("Not set")), is_other=True))
        else:
            row = rows.setdefault(str(value), BreakdownRow(key=str(value), label=str(value)))
        # Two spellings of one value (1 and "1" in JSON) land in one row: add, do not overwrite.
        scores = _summary(values)
        if values["current"]:
            row.current = _add(row.current, scores)
        else:
            row.previous = _add(row.previous, scores)
    return _sorted(rows.values())


def persona_condition(persona: Persona) -> Q | None:
    """Responses whose customer matches every attribute=value pair of the persona's segment rule; None
    when the rule uses a key that cannot be looked up safely. An empty rule matches every known customer."""
    condition = Q(customer__isnull=False)
    if persona.saved_segment_id:
        return condition & persona.saved_segment.rules_object.q(prefix="customer__")
    rule = persona.segment_rule if isinstance(persona.segment_rule, dict) else {}
    for key, value in rule.items():
        if not isinstance(key, str) or not ATTRIBUTE_KEY.fullmatch(key) or "__" in key:
            return None
        if not isinstance(value, str | int | float | bool):
            return None
        condition &= Q(**{f"customer__attributes__{key}": value})
    return condition


def persona_pair(persona: Persona, filters: Filters = NO_FILTERS) -> tuple[str, str] | None:
    """The persona's rule as the one attribute=value pair the segment rollups hold, or None when the
    responses must answer (several pairs, another attribute, a value that is not text, a channel or
    survey filter)."""
    rule = persona.segment_rule if isinstance(persona.segment_rule, dict) else {}
    if persona.saved_segment_id or len(rule) != 1:
        return None
    [(key, value)] = rule.items()
    # Segment rollups leave empty values out.
    if value == "" or not _segment_rollups_answer(filters, key, value):
        return None
    return key, value


def _persona_breakdown(workspace: Workspace, period: Period, filters: Filters) -> list[BreakdownRow]:
    """One query for the personas, one over the segment rollups for single-pair rules, one over the
    responses for the others (each only when needed)."""
    personas = list(Persona.objects.for_workspace(workspace).select_related("saved_segment")
                    .order_by("name", "pk")[:PERSONA_LIMIT])
    pairs = {persona.pk: persona_pair(persona, filters) for persona in personas}
    rolled_up = {pair for pair in pairs.values() if pair}
    rollup_scores = (_segment_rollups(workspace, period, filters,
                                      reduce(or_, (Q(attribute=key, value=value) for key, value in rolled_up)))
                     if rolled_up else {})
    conditions = {persona.pk: persona_condition(persona) for persona in personas if pairs[persona.pk] is None}
    aggregates = {}
    for persona_id, condition in conditions.items():
        if condition is None:
            continue
        for flag in (0, 1):
            for name, aggregate in score_aggregates().items():
                aggregates[f"p{persona_id}_{flag}_{name}"] = _filtered(aggregate, condition & Q(current=flag))
    totals = _two_periods(workspace, period, filters).aggregate(**aggregates) if aggregates else {}
    rows = []
    for persona in personas:
        row = BreakdownRow(key=persona.pk, label=persona.name, detail=persona.segment_rule_text)
        if pairs[persona.pk]:
            key, value = pairs[persona.pk]
            row.current = rollup_scores.get((key, value, 1), EMPTY)
            row.previous = rollup_scores.get((key, value, 0), EMPTY)
        elif conditions[persona.pk] is not None:
            for flag, attribute in ((1, "current"), (0, "previous")):
                setattr(row, attribute, _summary({name: totals[f"p{persona.pk}_{flag}_{name}"]
                                                  for name in score_aggregates()}))
        rows.append(row)
    return _sorted(rows)


def _breakdown(workspace: Workspace, period: Period, filters: Filters, dimension: str, *,
               names: ReportNames | None = None, totals: Comparison | None = None) -> list[BreakdownRow]:
    if dimension in OTHER_LABELS:
        if names is None:
            names = report_names(workspace, surveys=dimension == "survey")
        return _grouped_breakdown(workspace, period, filters, dimension, names)
    if dimension in ATTRIBUTE_KEYS:
        if _segment_rollups_answer(filters, dimension):
            if totals is None:
                totals = _comparison(_daily(workspace, period, filters), period)
            return _attribute_breakdown_from_rollups(workspace, period, filters, dimension, totals)
        return _attribute_breakdown(_two_periods(workspace, period, filters), dimension)
    if dimension == "persona":
        return _persona_breakdown(workspace, period, filters)
    raise ValueError(f"Unknown dimension: {dimension}")


def breakdown(workspace: Workspace, start: datetime, end: datetime, filters: Filters = NO_FILTERS, *,
              dimension: str, names: ReportNames | None = None) -> list[BreakdownRow]:
    """Scores per touchpoint, stage, channel, survey, persona or customer attribute, for the period's days
    and as many days before them. Rollups: two grouped queries (plus the names, unless given); segment,
    tier and region: one (plus the totals for "Not set"); personas: up to three; see the module docstring
    for what falls back to the responses."""
    return _breakdown(workspace, report_days(workspace, start, end), filters, dimension, names=names)


# Key drivers -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionDriver:
    """How strongly the answers to one rated question go with the NPS answer of the same responses."""

    question_id: int
    text: str
    kind: str
    survey: str
    n: int
    r: float | None
    p_value: float | None

    @property
    def kind_label(self) -> str:
        return {Question.Kind.CSAT: "CSAT", Question.Kind.CES: "CES"}.get(self.kind, str(_("Rating")))

    @property
    def is_ranked(self) -> bool:
        return self.r is not None and self.n >= MIN_DRIVER_SAMPLE

    @property
    def significant(self) -> bool:
        return self.is_ranked and self.p_value is not None and self.p_value < ALPHA

    @property
    def bar_percent(self) -> float:
        """Half the bar's width is r = ±1: the bar grows from the middle."""
        return abs(self.r or 0) * 50

    @property
    def strength(self) -> str:
        """A word for |r|, after the usual rule of thumb."""
        if self.r is None:
            return ""
        size = abs(self.r)
        if size >= 0.5:
            return str(_("strong"))
        if size >= 0.3:
            return str(_("moderate"))
        if size >= 0.1:
            return str(_("weak"))
        return str(_("none"))


def _question_drivers(workspace: Workspace, period: Period, filters: Filters) -> list[QuestionDriver]:
    x, y = F("number"), F("response__nps_score")

    def product(left, right):
        return ExpressionWrapper(left * right, output_field=BigIntegerField())

    start, end = day_bounds(workspace, period.first, period.last)
    rows = (Answer.objects.for_workspace(workspace)
            .filter(question__kind__in=DRIVER_KINDS, number__isnull=False, response__nps_score__isnull=False,
                    response__submitted_at__gte=start, response__submitted_at__lt=end)
            .filter(filters.condition("response__"))
            .values("question_id", "question__text", "question__kind", "question__survey__title")
            .annotate(n=Count("pk"), sum_x=Sum("number"), sum_y=Sum("response__nps_score"),
                      sum_xy=Sum(product(x, y)), sum_xx=Sum(product(x, x)), sum_yy=Sum(product(y, y)))
            .order_by())
    drivers = []
    for row in rows:
        r = pearson(row["n"], row["sum_x"], row["sum_y"], row["sum_xy"], row["sum_xx"], row["sum_yy"])
        drivers.append(QuestionDriver(
            question_id=row["question_id"], text=row["question__text"], kind=row["question__kind"],
            survey=row["question__survey__title"], n=row["n"], r=r, p_value=correlation_p_value(r, row["n"])))
    return sorted(drivers, key=lambda driver: (not driver.is_ranked, -abs(driver.r or 0), -driver.n))


def question_drivers(workspace: Workspace, start: datetime, end: datetime,
                     filters: Filters = NO_FILTERS) -> list[QuestionDriver]:
    """Pearson's r between each rated question (CSAT, CES, rating) and the NPS answer on the same
    responses of the period's days, from sums computed in one grouped query over the answers (the rollups
    keep no answers). Ranked by |r|; questions with fewer than MIN_DRIVER_SAMPLE pairs come last, unranked."""
    return _question_drivers(workspace, report_days(workspace, start, end), filters)


@dataclass
class TouchpointDriver:
    touchpoint_id: int
    label: str
    detail: str
    scores: ScoreSummary
    gap: Gap | None
    # Half the bar's width is the largest impact in the list: the bar grows from the middle.
    bar_percent: float = 0


def touchpoint_drivers(rows: list[BreakdownRow], whole: ScoreSummary) -> list[TouchpointDriver]:
    """Touchpoints ranked by how many points they move the whole NPS: the gap of their NPS against all
    other responses, weighted by their share of the answers (scores.nps_gap). Pure: reuses the
    touchpoint breakdown's rows."""
    drivers = [TouchpointDriver(touchpoint_id=row.key, label=row.label, detail=row.detail, scores=row.current,
                                gap=nps_gap(row.current, whole))
               for row in rows if not row.is_other and row.current.nps_answers]
    drivers.sort(key=lambda driver: (driver.gap is None, -abs(driver.gap.impact if driver.gap else 0),
                                     -driver.scores.nps_answers))
    largest = max((abs(driver.gap.impact) for driver in drivers if driver.gap), default=0)
    for driver in drivers:
        if driver.gap and largest:
            driver.bar_percent = abs(driver.gap.impact) * 50 / largest
    return drivers



# The report ------------------------------------------------------------------------------------

@dataclass
class NpsReport:
    start: datetime
    end: datetime
    # The local days counted; period.previous is what the changes compare with.
    period: Period
    filters: Filters
    grain: str
    dimension: str
    comparison: Comparison
    trend: list[TrendPoint]
    rows: list[BreakdownRow]
    question_drivers: list[QuestionDriver]
    touchpoint_drivers: list[TouchpointDriver]
    has_any_response: bool = True

    @property
    def scores(self) -> ScoreSummary:
        return self.comparison.current

    @property
    def change(self) -> Change:
        return self.comparison.change if self.comparison.previous.nps_answers else NO_CHANGE

    @property
    def is_empty(self) -> bool:
        return self.scores.responses == 0

    def chart_data(self) -> dict:
        """What static/js/nps.js draws: the NPS per week or month with its 95% band, and n."""
        label_format = "MONTH_DAY_FORMAT" if self.grain == "week" else "YEAR_MONTH_FORMAT"

        def rounded(value):
            return None if value is None else round(value, 1)

        return {
            "labels": [date_format(point.start, label_format) for point in self.trend],
            "nps": [rounded(point.scores.nps) for point in self.trend],
            "lower": [rounded(point.lower) for point in self.trend],
            "upper": [rounded(point.upper) for point in self.trend],
            "n": [point.scores.nps_answers for point in self.trend],
            "strings": {
                "nps": str(_("NPS")),
                # xgettext:no-python-format
                "band": str(_("95% confidence band")),
                "sample": str(_("n = %(n)s")),
                "range": str(_("%(lower)s to %(upper)s")),
            },
        }


def nps_report(workspace: Workspace, start: datetime, end: datetime, filters: Filters = NO_FILTERS, *,
               grain: str = "week", dimension: str = "touchpoint", names: ReportNames | None = None) -> NpsReport:
    """Everything the NPS page shows for the local days of [start, end), in a fixed number of queries
    whatever the data size: the daily rollups of both periods (headline, previous period and trend), Σ CES²
    for the CES margin (with two CES answers or more), the breakdown (rollups: two; segment, tier, region:
    one; personas: up to three), the current touchpoint rollups for the drivers (shared with the breakdown
    when it is by touchpoint), the question drivers, and the names unless `names` (from filter_choices)
    is given: at most eight, seven with the names."""
    grain = grain if grain in GRAINS else "week"
    dimension = dimension if dimension in DIMENSIONS else "touchpoint"
    period = report_days(workspace, start, end)
    daily = _daily(workspace, period, filters)
    totals = _comparison(daily, period)
    if totals.current.responses == 0:
        return NpsReport(start=start, end=end, period=period, filters=filters, grain=grain, dimension=dimension,
                         comparison=totals, trend=[], rows=[], question_drivers=[], touchpoint_drivers=[],
                         has_any_response=Response.objects.for_workspace(workspace).exists())
    comparison = replace(totals, current=_with_ces_squares(workspace, period, filters, totals.current))
    if names is None:
        names = report_names(workspace, surveys=dimension == "survey")
    rows = _breakdown(workspace, period, filters, dimension, names=names, totals=totals)
    touchpoint_rows = (rows if dimension == "touchpoint" else
                       _grouped_breakdown(workspace, period, filters, "touchpoint", names, with_previous=False))
    return NpsReport(
        start=start, end=end, period=period, filters=filters, grain=grain, dimension=dimension,
        comparison=comparison, trend=_trend(daily, period, grain), rows=rows,
        question_drivers=_question_drivers(workspace, period, filters),
        touchpoint_drivers=touchpoint_drivers(touchpoint_rows, comparison.current),
    )


def _surveys_segments_and_schedules(workspace: Workspace):
    """Survey titles, saved segments (with their rules) and wave schedule ids in one UNION ALL query: the
    report's filter lists and whether it has waves to show."""
    def rows(model, kind: str, label: str, rules):
        return (model.objects.for_workspace(workspace)
                .annotate(kind=Value(kind), key=F("pk"), label=F(label), rule=rules)
                .values_list("kind", "key", "label", "rule").order_by())

    none = Value(None, output_field=JSONField())
    found = list(rows(Segment, "segment", "name", F("rules"))
                 .union(rows(Survey, "survey", "title", none), rows(WaveSchedule, "schedule", "name", none), all=True))
    surveys = sorted(((pk, title) for kind, pk, title, _rule in found if kind == "survey"),
                     key=lambda row: (row[1], row[0]))
    saved = sorted((row for row in found if row[0] == "segment"), key=lambda row: row[1])[:MAX_ROLLED_UP_SEGMENTS]
    segment_rows = sorted(((pk, name, json.dumps(rule or {}, sort_keys=True, ensure_ascii=False))
                           for _kind, pk, name, rule in saved), key=lambda row: (str(row[1]), row[0]))
    schedules = sorted(pk for kind, pk, _name, _rule in found if kind == "schedule")
    return surveys, segment_rows, schedules


def filter_choices(workspace: Workspace) -> dict:
    """Touchpoints (with their journey), surveys and saved segments to filter by, and the wave schedules to
    compare, in two queries; "names" hands the same rows to nps_report() to label its breakdowns."""
    touchpoints = list(_touchpoint_rows(workspace))
    surveys, segments, schedules = _surveys_segments_and_schedules(workspace)
    archived = _("archived")
    return {
        "touchpoints": [(pk, f"{journey} · {name}" + (f" ({archived})" if archived_at else ""))
                        for pk, name, journey, archived_at, *_stage in touchpoints],
        "surveys": surveys,
        "segments": segments,
        "wave_schedules": schedules,
        "names": _names(touchpoints, surveys),
    }
