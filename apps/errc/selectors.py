"""Reads for the ERRC pages. Scores always come through apps.kpis.selectors (rollups)."""

from dataclasses import dataclass, fields
from datetime import date, timedelta

from django.db.models import Count, Prefetch
from django.utils import timezone

from apps.kpis import selectors as kpis
from apps.kpis.services import local_day
from apps.nps.scores import Change, ScoreSummary, nps_change
from apps.touchpoints.models import Touchpoint

from .models import ErrcBoard, ErrcItem, ErrcProposal, ItemEvidence, Quadrant

SNAPSHOT_DAYS = 90
IMPACT_DAYS = 30


def add_summaries(summaries) -> ScoreSummary:
    """The sum of several ScoreSummary counts (e.g. of an item's touchpoints)."""
    totals = {field.name: 0 for field in fields(ScoreSummary)}
    for summary in summaries:
        for name in totals:
            totals[name] += getattr(summary, name)
    return ScoreSummary(**totals)


def item_summary(item: ErrcItem, first: date, last: date) -> ScoreSummary:
    """NPS, CSAT and CES of the item's touchpoints for the local days first..last: with no touchpoint,
    of the board's journey, else of the whole workspace."""
    touchpoint_ids = [touchpoint.pk for touchpoint in item.touchpoints.all()]
    workspace = item.workspace
    if len(touchpoint_ids) == 1:
        return kpis.summary(workspace, first, last, kpis.KpiFilters(touchpoint_id=touchpoint_ids[0]))
    if touchpoint_ids:
        by_touchpoint = kpis.summary_by(workspace, first, last, "touchpoint")
        return add_summaries(by_touchpoint[pk] for pk in touchpoint_ids if pk in by_touchpoint)
    return kpis.summary(workspace, first, last, kpis.KpiFilters(journey_id=item.board.journey_id))


def snapshot(summary: ScoreSummary, first: date, last: date) -> dict:
    """What ItemEvidence.kpi_snapshot stores: scores rounded for display, n, and the period."""
    def rounded(value):
        return None if value is None else round(value, 1)

    return {"nps": rounded(summary.nps), "csat": rounded(summary.csat),
            "ces": None if summary.ces is None else round(summary.ces, 2),
            "n": summary.responses, "nps_n": summary.nps_answers,
            "first": first.isoformat(), "last": last.isoformat()}


def item_kpi_snapshot(item: ErrcItem, today: date | None = None, days: int = SNAPSHOT_DAYS) -> dict:
    """The item's KPI figures over the last `days` local days up to today."""
    today = today or local_day(item.workspace, timezone.now())
    first = today - timedelta(days=days - 1)
    return snapshot(item_summary(item, first, today), first, today)


@dataclass(frozen=True)
class Impact:
    """Before/after scores of a done item over two equal periods around its done day."""

    before_first: date
    before_last: date
    after_first: date
    after_last: date
    before: ScoreSummary
    after: ScoreSummary
    change: Change

    @property
    def days(self) -> int:
        return (self.after_last - self.after_first).days + 1

    @property
    def csat_delta(self) -> float | None:
        if self.before.csat is None or self.after.csat is None:
            return None
        return self.after.csat - self.before.csat

    @property
    def ces_delta(self) -> float | None:
        if self.before.ces is None or self.after.ces is None:
            return None
        return self.after.ces - self.before.ces


def item_impact(item: ErrcItem, *, days: int = IMPACT_DAYS, today: date | None = None) -> Impact | None:
    """For a done item: `days` local days from its done day on (or up to today, if fewer have passed)
    against as many days just before it. None when the item is not done or was done today... in the future."""
    if item.done_at is None:
        return None
    workspace = item.workspace
    today = today or local_day(workspace, timezone.now())
    done_day = local_day(workspace, item.done_at)
    length = min(days, (today - done_day).days + 1)
    if length <= 0:
        return None
    after_first, after_last = done_day, done_day + timedelta(days=length - 1)
    before_first, before_last = done_day - timedelta(days=length), done_day - timedelta(days=1)
    before = item_summary(item, before_first, before_last)
    after = item_summary(item, after_first, after_last)
    return Impact(before_first=before_first, before_last=before_last, after_first=after_first,
                  after_last=after_last, before=before, after=after, change=nps_change(before, after))


def board_list(*, workspace):
    """The workspace's boards with their open and done item counts."""
    from django.db.models import Q

    return (ErrcBoard.objects.for_workspace(workspace).select_related("journey")
            .annotate(item_count=Count("items", filter=~Q(items__status="dismissed")),
                      done_count=Count("items", filter=Q(items__status="done"))))


def board_quadrants(*, board: ErrcBoard, show_dismissed: bool = False) -> list[dict]:
    """The four quadrants in ERRC order, each {"key", "label", "explanation", "items", "proposals"}: three queries."""
    items = (ErrcItem.objects.for_workspace(board.workspace).filter(board=board)
             .select_related("owner").annotate(evidence_count=Count("evidence"))
             .prefetch_related(Prefetch("touchpoints", queryset=Touchpoint.objects.only("pk", "name"))))
    if not show_dismissed:
        items = items.exclude(status="dismissed")
    grouped = {quadrant: [] for quadrant in Quadrant.values}
    for item in items:
        grouped[item.quadrant].append(item)
    proposed = {quadrant: [] for quadrant in Quadrant.values}
    for proposal in (ErrcProposal.objects.for_workspace(board.workspace).select_related("touchpoint", "theme")
                     .filter(board=board, state=ErrcProposal.State.OPEN).order_by("-score", "pk")):
        proposed[proposal.quadrant].append(proposal)
    return [{"key": quadrant.value, "label": quadrant.label, "explanation": Quadrant.explain(quadrant),
             "items": grouped[quadrant.value], "proposals": proposed[quadrant.value]} for quadrant in Quadrant]


def item_evidence(*, item: ErrcItem):
    return (ItemEvidence.objects.for_workspace(item.workspace).filter(item=item)
            .select_related("feedback_item", "feedback_item__touchpoint", "created_by"))
