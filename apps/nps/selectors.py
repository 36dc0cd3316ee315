"""Reads behind the NPS report and the API's KPIs.

Every function takes (workspace, start, end, filters), reads the responses submitted in [start, end)
and aggregates in SQL: a fixed number of grouped queries whatever the number of responses, touchpoints
or questions. When the KPI rollups (apps/kpis) can answer a question, they replace the raw aggregation
here and nowhere else."""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import BigIntegerField, Case, Count, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.surveys.models import Answer, Question, Response, Survey
from apps.touchpoints.models import Channel, Persona, Touchpoint
from apps.workspaces.models import Workspace

from .scores import ALPHA, NO_CHANGE, Change, Gap, ScoreSummary, correlation_p_value, nps_change, nps_gap, pearson

ATTRIBUTE_KEYS = ("segment", "tier", "region")
DIMENSIONS = ("touchpoint", "stage", "channel", "survey", "persona", *ATTRIBUTE_KEYS)
GRAINS = ("week", "month")
# Each persona adds a set of filtered aggregates to one query; beyond this many the query grows unwieldy.
PERSONA_LIMIT = 30
DRIVER_KINDS = (Question.Kind.CSAT, Question.Kind.CES, Question.Kind.RATING)
# A correlation over fewer answer pairs than this is listed but not ranked.
MIN_DRIVER_SAMPLE = 10
# Keys a persona's segment rule may use in a JSON lookup: "__" would be read as a nested lookup.
ATTRIBUTE_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")

EMPTY = ScoreSummary()


@dataclass(frozen=True)
class Filters:
    """What the report and the API narrow the responses to, besides the period."""

    touchpoint_id: int | None = None
    channel: str = ""
    survey_id: int | None = None

    def condition(self, prefix: str = "") -> Q:
        """The filters as a Q on Response, or on a model reaching it through `prefix` ("response__")."""
        condition = Q()
        if self.touchpoint_id is not None:
            condition &= Q(**{f"{prefix}touchpoint_id": self.touchpoint_id})
        if self.channel:
            condition &= Q(**{f"{prefix}channel": self.channel})
        if self.survey_id is not None:
            condition &= Q(**{f"{prefix}survey_id": self.survey_id})
        return condition

    @property
    def is_empty(self) -> bool:
        return self == Filters()


NO_FILTERS = Filters()


def workspace_zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def day_start(workspace: Workspace, day: date) -> datetime:
    """The first instant of a workspace-local calendar day."""
    return datetime.combine(day, time.min, tzinfo=workspace_zone(workspace))


def previous_period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The period of the same length just before [start, end)."""
    return start - (end - start), start


def score_aggregates() -> dict:
    """Response.objects.score_aggregates() plus Σ CES², which the CES margin needs."""
    squares = ExpressionWrapper(F("ces_score") * F("ces_score"), output_field=IntegerField())
    return {**Response.objects.score_aggregates(), "ces_squares": Sum(squares, default=0)}


def _summary(row: dict) -> ScoreSummary:
    return ScoreSummary(**{name: row[name] or 0 for name in score_aggregates()})


def _filtered(aggregate, condition: Q):
    """The same aggregate counting only the rows that also meet `condition`."""
    copy = aggregate.copy()
    copy.filter = condition if aggregate.filter is None else aggregate.filter & condition
    return copy


def responses(workspace: Workspace, start: datetime | None, end: datetime | None, filters: Filters = NO_FILTERS):
    """The workspace's responses submitted in [start, end) that match the filters."""
    return Response.objects.for_workspace(workspace).in_period(start, end).filter(filters.condition())


def _two_periods(workspace: Workspace, start: datetime, end: datetime, filters: Filters):
    """Responses of the period and of the one before it, flagged with `current` (1 or 0), so one
    grouped query returns both periods side by side."""
    previous_start, _previous_end = previous_period(start, end)
    return responses(workspace, previous_start, end, filters).annotate(
        current=Case(When(submitted_at__gte=start, then=Value(1)), default=Value(0), output_field=IntegerField()))


# Summary ---------------------------------------------------------------------------------------

def summary(workspace: Workspace, start: datetime | None, end: datetime | None,
            filters: Filters = NO_FILTERS) -> ScoreSummary:
    """NPS, CSAT and CES counts of the period, in one query."""
    return _summary(responses(workspace, start, end, filters).aggregate(**score_aggregates()))


@dataclass(frozen=True)
class Comparison:
    current: ScoreSummary
    previous: ScoreSummary

    @property
    def change(self) -> Change:
        return nps_change(self.previous, self.current)


def summary_with_previous(workspace: Workspace, start: datetime, end: datetime,
                          filters: Filters = NO_FILTERS) -> Comparison:
    """The period's scores and those of the equal period before it, in one query."""
    rows = {row.pop("current"): _summary(row) for row in
            _two_periods(workspace, start, end, filters).values("current").annotate(**score_aggregates()).order_by()}
    return Comparison(current=rows.get(1, EMPTY), previous=rows.get(0, EMPTY))


def summary_by_touchpoint(workspace: Workspace, start: datetime | None, end: datetime | None,
                          filters: Filters = NO_FILTERS) -> dict[int | None, ScoreSummary]:
    """Scores per touchpoint id (None: responses without a touchpoint), in one grouped query."""
    rows = responses(workspace, start, end, filters).values("touchpoint_id").annotate(**score_aggregates()).order_by()
    return {row.pop("touchpoint_id"): _summary(row) for row in rows}


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


def trend(workspace: Workspace, start: datetime, end: datetime, filters: Filters = NO_FILTERS, *,
          grain: str = "week") -> list[TrendPoint]:
    """Scores per calendar week (from Monday) or month of the workspace's time zone, every bucket of the
    period present (empty ones without scores), in one grouped query."""
    zone = workspace_zone(workspace)
    trunc = TruncWeek if grain == "week" else TruncMonth
    rows = (responses(workspace, start, end, filters).annotate(bucket=trunc("submitted_at", tzinfo=zone))
            .values("bucket").annotate(**score_aggregates()).order_by())
    found = {}
    for row in rows:
        bucket = row.pop("bucket")
        if isinstance(bucket, datetime):
            bucket = (timezone.localtime(bucket, zone) if timezone.is_aware(bucket) else bucket).date()
        found[bucket] = _summary(row)
    points = []
    bucket = _bucket_start(timezone.localtime(start, zone).date(), grain)
    last = timezone.localtime(end - timedelta(microseconds=1), zone).date()
    while bucket <= last:
        points.append(TrendPoint(start=bucket, scores=found.get(bucket, EMPTY)))
        bucket = _next_bucket(bucket, grain)
    return points


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


def _stage_name(row: dict) -> str:
    english, korean = row["touchpoint__stage__name_en"], row["touchpoint__stage__name_ko"]
    if (get_language() or "en").startswith("ko"):
        return korean or english
    return english or korean


# For each grouped dimension: the columns to group by, the one that identifies a row, and the labels.
_GROUPED = {
    "touchpoint": (("touchpoint_id", "touchpoint__name", "touchpoint__journey__name"), "touchpoint_id",
                   lambda row: row["touchpoint__name"], lambda row: row["touchpoint__journey__name"],
                   _("No touchpoint")),
    "stage": (("touchpoint__stage_id", "touchpoint__stage__name_en", "touchpoint__stage__name_ko",
               "touchpoint__journey__name"), "touchpoint__stage_id",
              _stage_name, lambda row: row["touchpoint__journey__name"], _("No touchpoint")),
    "channel": (("channel",), "channel",
                lambda row: str(Channel(row["channel"]).label) if row["channel"] in Channel.values else row["channel"],
                lambda row: "", _("Not recorded")),
    "survey": (("survey_id", "survey__title"), "survey_id", lambda row: row["survey__title"], lambda row: "",
               _("No survey")),
}


def _sorted(rows) -> list[BreakdownRow]:
    return sorted(rows, key=lambda row: (row.is_other, -row.current.nps_answers, -row.previous.nps_answers,
                                         str(row.label).lower()))


def _grouped_breakdown(queryset, dimension: str) -> list[BreakdownRow]:
    columns, key_column, label, detail, other_label = _GROUPED[dimension]
    rows: dict[object, BreakdownRow] = {}
    for values in queryset.values(*columns, "current").annotate(**score_aggregates()).order_by():
        key = values[key_column]
        if key in (None, ""):
            row = rows.setdefault(None, BreakdownRow(key=None, label=str(other_label), is_other=True))
        else:
            row = rows.setdefault(key, BreakdownRow(key=key, label=label(values), detail=detail(values)))
        if values["current"]:
            row.current = _summary(values)
        else:
            row.previous = _summary(values)
    return _sorted(rows.values())


def _attribute_breakdown(queryset, key: str) -> list[BreakdownRow]:
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


def _add(first: ScoreSummary, second: ScoreSummary) -> ScoreSummary:
    return ScoreSummary(**{name: getattr(first, name) + getattr(second, name) for name in score_aggregates()})


def persona_condition(persona: Persona) -> Q | None:
    """Responses whose customer matches every attribute=value pair of the persona's segment rule; None
    when the rule uses a key that cannot be looked up safely. An empty rule matches every known customer."""
    condition = Q(customer__isnull=False)
    rule = persona.segment_rule if isinstance(persona.segment_rule, dict) else {}
    for key, value in rule.items():
        if not isinstance(key, str) or not ATTRIBUTE_KEY.fullmatch(key) or "__" in key:
            return None
        if not isinstance(value, str | int | float | bool):
            return None
        condition &= Q(**{f"customer__attributes__{key}": value})
    return condition


def _persona_breakdown(workspace: Workspace, queryset) -> list[BreakdownRow]:
    personas = list(Persona.objects.for_workspace(workspace).order_by("name", "pk")[:PERSONA_LIMIT])
    conditions = {persona.pk: persona_condition(persona) for persona in personas}
    aggregates = {}
    for persona in personas:
        condition = conditions[persona.pk]
        if condition is None:
            continue
        for flag in (0, 1):
            for name, aggregate in score_aggregates().items():
                aggregates[f"p{persona.pk}_{flag}_{name}"] = _filtered(aggregate, condition & Q(current=flag))
    totals = queryset.aggregate(**aggregates) if aggregates else {}
    rows = []
    for persona in personas:
        row = BreakdownRow(key=persona.pk, label=persona.name, detail=persona.segment_rule_text)
        if conditions[persona.pk] is not None:
            for flag, attribute in ((1, "current"), (0, "previous")):
                setattr(row, attribute, _summary({name: totals[f"p{persona.pk}_{flag}_{name}"]
                                                  for name in score_aggregates()}))
        rows.append(row)
    return _sorted(rows)


def breakdown(workspace: Workspace, start: datetime, end: datetime, filters: Filters = NO_FILTERS, *,
              dimension: str) -> list[BreakdownRow]:
    """Scores per touchpoint, stage, channel, survey, persona or customer attribute, for the period and
    the equal period before it, in one grouped query (personas: two)."""
    queryset = _two_periods(workspace, start, end, filters)
    if dimension in _GROUPED:
        return _grouped_breakdown(queryset, dimension)
    if dimension in ATTRIBUTE_KEYS:
        return _attribute_breakdown(queryset, dimension)
    if dimension == "persona":
        return _persona_breakdown(workspace, queryset)
    raise ValueError(f"Unknown dimension: {dimension}")


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


def question_drivers(workspace: Workspace, start: datetime, end: datetime,
                     filters: Filters = NO_FILTERS) -> list[QuestionDriver]:
    """Pearson's r between each rated question (CSAT, CES, rating) and the NPS answer on the same
    responses, from sums computed in one grouped query over the answers. Ranked by |r|; questions with
    fewer than MIN_DRIVER_SAMPLE pairs come last, unranked."""
    x, y = F("number"), F("response__nps_score")

    def product(left, right):
        return ExpressionWrapper(left * right, output_field=BigIntegerField())

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
    def previous_start(self) -> datetime:
        return previous_period(self.start, self.end)[0]

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
                "band": str(_("95% confidence band")),
                "sample": str(_("n = %(n)s")),
                "range": str(_("%(lower)s to %(upper)s")),
            },
        }


def nps_report(workspace: Workspace, start: datetime, end: datetime, filters: Filters = NO_FILTERS, *,
               grain: str = "week", dimension: str = "touchpoint") -> NpsReport:
    """Everything the NPS page shows, in at most seven queries whatever the data size: the two periods'
    summary, the trend, the breakdown (personas: two), the touchpoint scores for the drivers (shared with
    the breakdown when it is by touchpoint) and the question drivers."""
    grain = grain if grain in GRAINS else "week"
    dimension = dimension if dimension in DIMENSIONS else "touchpoint"
    comparison = summary_with_previous(workspace, start, end, filters)
    if comparison.current.responses == 0:
        return NpsReport(start=start, end=end, filters=filters, grain=grain, dimension=dimension,
                         comparison=comparison, trend=[], rows=[], question_drivers=[], touchpoint_drivers=[],
                         has_any_response=Response.objects.for_workspace(workspace).exists())
    rows = breakdown(workspace, start, end, filters, dimension=dimension)
    touchpoint_rows = rows if dimension == "touchpoint" else breakdown(workspace, start, end, filters,
                                                                        dimension="touchpoint")
    return NpsReport(
        start=start, end=end, filters=filters, grain=grain, dimension=dimension, comparison=comparison,
        trend=trend(workspace, start, end, filters, grain=grain), rows=rows,
        question_drivers=question_drivers(workspace, start, end, filters),
        touchpoint_drivers=touchpoint_drivers(touchpoint_rows, comparison.current),
    )


def filter_choices(workspace: Workspace) -> dict[str, list[tuple[int, str]]]:
    """Touchpoints (with their journey) and surveys to filter by, in two queries."""
    touchpoints = (Touchpoint.objects.for_workspace(workspace).order_by("journey__name", "name", "pk")
                   .values_list("pk", "name", "journey__name", "archived_at"))
    surveys = Survey.objects.for_workspace(workspace).order_by("title", "pk").values_list("pk", "title")
    archived = _("archived")
    return {
        "touchpoints": [(pk, f"{journey} · {name}" + (f" ({archived})" if archived_at else ""))
                        for pk, name, journey, archived_at in touchpoints],
        "surveys": list(surveys),
    }
