"""KPI tiles. Adding a tile is one class with @register: it reads the shared DashboardData (computed
once per page) and returns a TileValue."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q
from django.db.models.functions import Extract
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dashboard import DashboardData

TILES: list["Tile"] = []


def register(cls):
    TILES.append(cls())
    return cls


@dataclass
class TileValue:
    value: float | None
    display: str
    previous: float | None = None
    detail: str = ""
    sparkline: list[float | None] = field(default_factory=list)
    # Which direction is good news: "up" (NPS), "down" (detractor share, time to close) or "" (neutral).
    good: str = "up"
    change_unit: str = ""
    change_digits: int = 1

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_tone(self) -> str:
        change = self.change
        if change is None or abs(change) < 1e-9 or not self.good:
            return "neutral"
        return "good" if (change > 0) == (self.good == "up") else "bad"


class Tile(ABC):
    """One KPI on the dashboard: a key, a label, an explanation and how to compute it."""

    key = ""
    label = ""
    help_text = ""

    @abstractmethod
    def compute(self, data: DashboardData) -> TileValue:
        """The tile's value, its previous-period value and sparkline, from the shared data."""


def _fmt(value: float | None, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"{number_format(value, digits, force_grouping=True)}{suffix}"


def _share(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


@register
class NpsTile(Tile):
    key, label = "nps", _("NPS")
    help_text = _("% promoters (9–10) − % detractors (0–6), with the 95% margin of error.")

    def compute(self, data):
        current = data.current
        return TileValue(
            current.nps, _fmt(current.nps, 0) if current.nps is None else f"{current.nps:+.0f}",
            previous=data.previous.nps,
            detail=f"± {current.nps_margin:.1f} · n = {current.nps_answers:,}" if current.nps_answers else "n = 0",
            sparkline=[day.nps for day in data.series(data.period)], change_unit=_("pts"))


@register
class CsatTile(Tile):
    key, label = "csat", _("CSAT")
    help_text = _("Share of 4–5 answers on the 1–5 satisfaction scale.")

    def compute(self, data):
        current = data.current
        return TileValue(current.csat, _fmt(current.csat, 0, "%"), previous=data.previous.csat,
                         detail=f"n = {current.csat_answers:,}",
                         sparkline=[day.csat for day in data.series(data.period)], change_unit=_("pts"))


@register
class CesTile(Tile):
    key, label = "ces", _("CES")
    help_text = _("Mean of the 1–7 effort scale, where 7 is the easiest.")

    def compute(self, data):
        current = data.current
        return TileValue(current.ces, _fmt(current.ces, 2), previous=data.previous.ces,
                         detail=f"n = {current.ces_answers:,}",
                         sparkline=[day.ces for day in data.series(data.period)])


@register
class ResponsesTile(Tile):
    key, label = "responses", _("Responses")
    help_text = _("Survey responses received in the period.")

    def compute(self, data):
        return TileValue(data.current.responses, _fmt(data.current.responses), previous=data.previous.responses,
                         sparkline=[day.responses for day in data.series(data.period)], good="",
                         change_digits=0)


@register
class ResponseRateTile(Tile):
    key, label = "response_rate", _("Response rate")
    help_text = _("Personal invitations answered ÷ sent in the period.")

    def compute(self, data):
        sent, answered = data.invitations["current"]
        previous_sent, previous_answered = data.invitations["previous"]
        rate = _share(answered, sent)
        if sent:
            detail = _("%(answered)s of %(sent)s invitations") % {"answered": f"{answered:,}", "sent": f"{sent:,}"}
        else:
            # Answers can arrive in a period in which no wave went out: say so rather than "310 of 0".
            detail = _("No invitations sent in the period; %(answered)s answers to earlier ones") % {
                "answered": f"{answered:,}"}
        return TileValue(rate, _fmt(rate, 1, "%"), previous=_share(previous_answered, previous_sent),
                         detail=detail, change_unit=_("pts"))


@register
class PromoterShareTile(Tile):
    key, label = "promoters", _("Promoters")
    help_text = _("Share of NPS answers of 9 or 10.")

    def compute(self, data):
        current, previous = data.current, data.previous
        return TileValue(_share(current.promoters, current.nps_answers),
                         _fmt(_share(current.promoters, current.nps_answers), 0, "%"),
                         previous=_share(previous.promoters, previous.nps_answers),
                         detail=f"{current.promoters:,}", change_unit=_("pts"),
                         sparkline=[_share(day.promoters, day.nps_answers) for day in data.series(data.period)])


@register
class DetractorShareTile(Tile):
    key, label = "detractors", _("Detractors")
    help_text = _("Share of NPS answers from 0 to 6.")

    def compute(self, data):
        current, previous = data.current, data.previous
        return TileValue(_share(current.detractors, current.nps_answers),
                         _fmt(_share(current.detractors, current.nps_answers), 0, "%"),
                         previous=_share(previous.detractors, previous.nps_answers),
                         detail=f"{current.detractors:,}", good="down", change_unit=_("pts"),
                         sparkline=[_share(day.detractors, day.nps_answers) for day in data.series(data.period)])


def _cases(data: DashboardData):
    from apps.feedback.models import FollowUpCase

    cases = FollowUpCase.objects.for_workspace(data.workspace)
    if data.touchpoint_ids is not None:
        cases = cases.filter(touchpoint_id__in=data.touchpoint_ids)
    if data.filters.survey_id:
        cases = cases.filter(survey_id=data.filters.survey_id)
    return cases


@register
class OpenCasesTile(Tile):
    key, label = "open_cases", _("Open follow-up cases")
    help_text = _("Cases not closed yet; the detail counts those past their due time.")

    def compute(self, data):
        from apps.feedback.models import FollowUpCase

        from .services import day_bounds

        start, end = day_bounds(data.workspace, data.period.first, data.period.last)
        previous_start, _end = day_bounds(data.workspace, data.period.previous.first)
        from django.utils import timezone

        counts = _cases(data).aggregate(
            open=Count("pk", filter=~Q(status=FollowUpCase.Status.CLOSED)),
            overdue=Count("pk", filter=Q(status__in=FollowUpCase.WORKING_STATUSES, due_at__lt=timezone.now())),
            opened=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
            opened_before=Count("pk", filter=Q(created_at__gte=previous_start, created_at__lt=start)))
        return TileValue(counts["open"], _fmt(counts["open"]), good="down",
                         detail=_("%(overdue)s overdue · %(opened)s opened in the period") % {
                             "overdue": counts["overdue"], "opened": counts["opened"]},
                         previous=None)


class Median(Aggregate):
    """PostgreSQL's median (percentile_cont), which also takes a FILTER clause."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@register
class TimeToCloseTile(Tile):
    key, label = "time_to_close", _("Median time to close")
    help_text = _("Median time from a case being opened to being closed, for cases closed in the period.")

    def compute(self, data):
        from .services import day_bounds

        start, end = day_bounds(data.workspace, data.period.first, data.period.last)
        previous_start, _end = day_bounds(data.workspace, data.period.previous.first)
        cases = _cases(data).filter(closed_at__gte=previous_start, closed_at__lt=end).exclude(time_to_close=None)
        if connection.vendor == "postgresql":
            seconds = Extract("time_to_close", "epoch")
            medians = cases.aggregate(current=Median(seconds, filter=Q(closed_at__gte=start)),
                                      previous=Median(seconds, filter=Q(closed_at__lt=start)))
            current, previous = (None if medians[name] is None else medians[name] / 3600
                                 for name in ("current", "previous"))
        else:
            # SQLite has no percentile function: the embedded set-up sorts the closed cases' durations.
            rows = list(cases.values_list("closed_at", "time_to_close"))
            current = _median_hours([duration for closed, duration in rows if closed >= start])
            previous = _median_hours([duration for closed, duration in rows if closed < start])
        return TileValue(current, _("%(hours)s h") % {"hours": _fmt(current, 1)} if current is not None else "—",
                         previous=previous, good="down", change_unit=_("h"))


def _median_hours(durations: list[timedelta]) -> float | None:
    if not durations:
        return None
    durations = sorted(durations)
    middle = len(durations) // 2
    median = durations[middle] if len(durations) % 2 else (durations[middle - 1] + durations[middle]) / 2
    return median / timedelta(hours=1)


@register
class TopNegativeThemeTile(Tile):
    key, label = "top_negative_theme", _("Top negative theme")
    help_text = _("The theme most often mentioned negatively in the period's comments.")

    def compute(self, data):
        from apps.feedback.models import FeedbackTheme

        from .services import day_bounds

        start, end = day_bounds(data.workspace, data.period.first, data.period.last)
        rows = FeedbackTheme.objects.for_workspace(data.workspace).shown().filter(
            sentiment_label="negative", item__created_at__gte=start, item__created_at__lt=end)
        if data.touchpoint_ids is not None:
            rows = rows.filter(item__touchpoint_id__in=data.touchpoint_ids)
        top = (rows.values("theme__label_ko", "theme__label_en").annotate(count=Count("pk"))
               .order_by("-count", "theme__label_en").first())
        if top is None:
            return TileValue(None, "—", good="")
        korean = (get_language() or "en").startswith("ko")
        label = (top["theme__label_ko"] if korean else top["theme__label_en"]) or top["theme__label_en"]
        return TileValue(top["count"], label, good="",
                         detail=_("%(count)s negative comments") % {"count": f"{top['count']:,}"})
