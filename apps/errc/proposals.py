"""Proposals from the data: four rules a CX lead would recognise, over KPI rollups (apps.kpis.selectors)
and feedback themes, for the board's journey (or the whole workspace) over the last PERIOD_DAYS days.

- **Eliminate**: a high-effort or strongly negative step that drives no promoters. At least MIN_ANSWERS NPS
  answers, promoters below ELIMINATE_MAX_PROMOTERS, and either a CES mean at or below HIGH_EFFORT_CES
  (1–7, higher is easier) or at least NEGATIVE_SHARE of its analysed feedback negative.
- **Reduce**: a necessary step with a high detractor share (REDUCE_DETRACTORS or more, not already an
  Eliminate case), or a negative theme on it that is rising: at least RISING_MIN mentions in negative
  feedback and RISING_FACTOR times as many as in the period before.
- **Raise**: a step with a strong driver weight on NPS that scores below the journey: its NPS gap against
  the rest of the journey, weighted by its share of answers (apps.nps.scores.nps_gap), is RAISE_IMPACT
  points or more below zero.
- **Create**: unmet needs in feedback ("I wish…", "…있었으면", "…없어서") not tied to any touchpoint, grouped
  by theme, with at least CREATE_MIN comments.

Each proposal stores its figures and example comments, a score (how strongly the rule fires) and a
fingerprint of the evidence rounded to what matters."""

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.feedback.models import FeedbackItem, FeedbackTheme, Theme
from apps.kpis import selectors as kpis
from apps.kpis.services import day_bounds, local_day
from apps.nps.scores import ScoreSummary, nps_gap
from apps.touchpoints.models import Touchpoint

from .models import ErrcBoard, ErrcProposal, Quadrant

PERIOD_DAYS = 90
MIN_ANSWERS = 30
ELIMINATE_MAX_PROMOTERS = 0.20
HIGH_EFFORT_CES = 3.5
NEGATIVE_SHARE = 0.5
MIN_FEEDBACK = 10
REDUCE_DETRACTORS = 0.40
RISING_MIN = 5
RISING_FACTOR = 1.5
RAISE_IMPACT = 2.0
CREATE_MIN = 3
EXAMPLES = 3
UNMET_NEED = ("i wish", "wish there", "would be nice", "있었으면", "없어서")


@dataclass
class Candidate:
    quadrant: str
    key: str
    title: str
    rule: str
    score: float
    figures: dict
    touchpoint: Touchpoint | None = None
    theme: Theme | None = None
    example_ids: list[int] = field(default_factory=list)
    # Figures rounded to what matters: small wobbles keep the fingerprint, so a dismissal sticks.
    material: dict = field(default_factory=dict)


def fingerprint(material: dict) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _bucket(count: int) -> int:
    """Counts in doubling buckets (…, 8–15, 16–31, …)."""
    return int(math.log2(count)) if count > 0 else -1


def _step(value: float | None, size: float) -> float | None:
    return None if value is None else round(value / size) * size


# What each evidence figure means, for the board page (the keys are stored with the proposal).
FIGURE_LABELS = {
    "n": gettext_lazy("Responses"),
    "nps": gettext_lazy("NPS"),
    "promoter_share": gettext_lazy("Promoters (%)"),
    "detractor_share": gettext_lazy("Detractors (%)"),
    "csat": gettext_lazy("CSAT (%)"),
    "ces": gettext_lazy("CES (1–7)"),
    "negative_feedback_share": gettext_lazy("Negative comments (%)"),
    "feedback": gettext_lazy("Comments"),
    "journey_nps": gettext_lazy("Journey NPS"),
    "gap": gettext_lazy("Gap to the journey (pts)"),
    "share": gettext_lazy("Share of responses (%)"),
    "impact": gettext_lazy("Weight on NPS (pts)"),
    "mentions": gettext_lazy("Negative mentions"),
    "mentions_before": gettext_lazy("Mentions in the period before"),
    "growth": gettext_lazy("Growth (%)"),
    "comments": gettext_lazy("Comments"),
    "theme": gettext_lazy("Theme"),
    "name": gettext_lazy("Name"),
}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _figures(summary: ScoreSummary) -> dict:
    answers = summary.nps_answers
    return {"n": summary.responses, "nps": None if summary.nps is None else round(summary.nps, 1),
            "promoter_share": round(_share(summary.promoters, answers) * 100, 1),
            "detractor_share": round(_share(summary.detractors, answers) * 100, 1),
            "csat": None if summary.csat is None else round(summary.csat, 1),
            "ces": None if summary.ces is None else round(summary.ces, 2)}


def _touchpoint_rules(board: ErrcBoard, touchpoints: dict, by_touchpoint: dict, whole: ScoreSummary,
                      sentiment: dict) -> list[Candidate]:
    found = []
    for pk, summary in by_touchpoint.items():
        touchpoint = touchpoints.get(pk)
        if touchpoint is None or summary.nps_answers < MIN_ANSWERS:
            continue
        answers = summary.nps_answers
        promoters, detractors = _share(summary.promoters, answers), _share(summary.detractors, answers)
        feedback = sentiment.get(pk, {"total": 0, "negative": 0})
        negative = _share(feedback["negative"], feedback["total"]) if feedback["total"] >= MIN_FEEDBACK else 0.0
        figures = {**_figures(summary), "negative_feedback_share": round(negative * 100, 1),
                   "feedback": feedback["total"]}
        high_effort = summary.ces is not None and summary.ces <= HIGH_EFFORT_CES
        eliminate = promoters < ELIMINATE_MAX_PROMOTERS and (high_effort or negative >= NEGATIVE_SHARE)
        if eliminate:
            found.append(Candidate(
                Quadrant.ELIMINATE, f"tp:{pk}", _("Remove or automate “%(name)s”") % {"name": touchpoint.name},
                _("High effort or strongly negative, and almost no promoters."),
                score=round((ELIMINATE_MAX_PROMOTERS - promoters) * 100 + negative * 50
                            + (HIGH_EFFORT_CES - summary.ces if high_effort else 0) * 10, 1),
                figures=figures, touchpoint=touchpoint,
                material={"promoters": _step(promoters * 100, 10), "ces": _step(summary.ces, 0.5),
                          "negative": _step(negative * 100, 10), "n": _bucket(answers)}))
        elif detractors >= REDUCE_DETRACTORS:
            found.append(Candidate(
                Quadrant.REDUCE, f"tp:{pk}", _("Cut the friction in “%(name)s”") % {"name": touchpoint.name},
                _("A necessary step with a high share of detractors."),
                score=round(detractors * 100, 1), figures=figures, touchpoint=touchpoint,
                material={"detractors": _step(detractors * 100, 10), "n": _bucket(answers)}))
        gap = nps_gap(summary, whole)
        if gap is not None and gap.impact <= -RAISE_IMPACT and not eliminate:
            found.append(Candidate(
                Quadrant.RAISE, f"tp:{pk}", _("Raise “%(name)s” to the journey's level") % {"name": touchpoint.name},
                _("Weighs heavily on NPS and scores below the rest of the journey."),
                score=round(-gap.impact, 1), touchpoint=touchpoint,
                figures={**figures, "journey_nps": round(whole.nps, 1), "gap": round(gap.gap, 1),
                         "share": round(gap.share * 100, 1), "impact": round(gap.impact, 1)},
                material={"impact": _step(gap.impact, 2), "n": _bucket(answers)}))
    return found


def _rising_themes(board: ErrcBoard, touchpoints: dict, start, end, previous_start) -> list[Candidate]:
    links = FeedbackTheme.objects.for_workspace(board.workspace).filter(
        item__sentiment_label="negative", item__touchpoint_id__in=list(touchpoints),
        item__created_at__gte=previous_start, item__created_at__lt=end)
    rows = (links.values("item__touchpoint_id", "theme_id")
            .annotate(now=Count("pk", filter=Q(item__created_at__gte=start)),
                      before=Count("pk", filter=Q(item__created_at__lt=start)))
            .filter(now__gte=RISING_MIN).order_by())
    rows = [row for row in rows if row["now"] >= RISING_FACTOR * max(row["before"], 1)]
    themes = Theme.objects.for_workspace(board.workspace).in_bulk([row["theme_id"] for row in rows])
    found = []
    for row in rows:
        theme, touchpoint = themes[row["theme_id"]], touchpoints[row["item__touchpoint_id"]]
        growth = row["now"] / max(row["before"], 1)
        found.append(Candidate(
            Quadrant.REDUCE, f"theme:{theme.pk}:{touchpoint.pk}",
            _("Reduce “%(theme)s” complaints at “%(name)s”") % {"theme": theme.label, "name": touchpoint.name},
            _("A negative theme that is rising."), score=round(min(growth, 10) * 10 + row["now"], 1),
            figures={"mentions": row["now"], "mentions_before": row["before"], "growth": round(growth, 1)},
            touchpoint=touchpoint, theme=theme,
            example_ids=list(FeedbackItem.objects.for_workspace(board.workspace).filter(
                touchpoint=touchpoint, sentiment_label="negative", created_at__gte=start, created_at__lt=end,
                themes=theme).order_by("-created_at").values_list("pk", flat=True)[:EXAMPLES]),
            material={"mentions": _bucket(row["now"]), "growth": _step(min(growth, 10), 1)}))
    return found


def _unmet_needs(board: ErrcBoard, start, end) -> list[Candidate]:
    wishes = Q()
    for phrase in UNMET_NEED:
        wishes |= Q(text__icontains=phrase)
    items = FeedbackItem.objects.for_workspace(board.workspace).filter(
        wishes, touchpoint__isnull=True, created_at__gte=start, created_at__lt=end)
    rows = (FeedbackTheme.objects.for_workspace(board.workspace).filter(item__in=items)
            .values("theme_id").annotate(n=Count("item", distinct=True)).filter(n__gte=CREATE_MIN).order_by())
    themes = Theme.objects.for_workspace(board.workspace).in_bulk([row["theme_id"] for row in rows])
    found = []
    for row in rows:
        theme = themes[row["theme_id"]]
        found.append(Candidate(
            Quadrant.CREATE, f"need:{theme.pk}", _("Create: %(theme)s") % {"theme": theme.label},
            _("Customers ask for it, and no touchpoint serves it."), score=float(row["n"]),
            figures={"comments": row["n"]}, theme=theme,
            example_ids=list(items.filter(themes=theme).order_by("-created_at")
                             .values_list("pk", flat=True)[:EXAMPLES]),
            material={"comments": _bucket(row["n"])}))
    return found


def candidates(board: ErrcBoard, today: date | None = None) -> list[Candidate]:
    """Every proposal the rules make for the board now."""
    workspace = board.workspace
    today = today or local_day(workspace, timezone.now())
    first = today - timedelta(days=PERIOD_DAYS - 1)
    start, end = day_bounds(workspace, first, today)
    previous_start, _end = day_bounds(workspace, first - timedelta(days=PERIOD_DAYS))
    filters = kpis.KpiFilters(journey_id=board.journey_id)
    touchpoint_rows = Touchpoint.objects.for_workspace(workspace).filter(archived_at__isnull=True)
    if board.journey_id:
        touchpoint_rows = touchpoint_rows.filter(journey_id=board.journey_id)
    touchpoints = touchpoint_rows.in_bulk()
    by_touchpoint = kpis.summary_by(workspace, first, today, "touchpoint", filters)
    whole = kpis.summary(workspace, first, today, filters)
    sentiment = {row["touchpoint_id"]: row for row in FeedbackItem.objects.for_workspace(workspace).filter(
        touchpoint_id__in=list(touchpoints), created_at__gte=start, created_at__lt=end).exclude(sentiment_label="")
        .values("touchpoint_id").annotate(total=Count("pk"), negative=Count("pk", filter=Q(sentiment_label="negative")))
        .order_by()}
    found = _touchpoint_rules(board, touchpoints, by_touchpoint, whole, sentiment)
    found += _rising_themes(board, touchpoints, start, end, previous_start)
    found += _unmet_needs(board, start, end)
    # Example comments for touchpoint proposals: the latest negative feedback there.
    for candidate in found:
        if not candidate.example_ids and candidate.touchpoint is not None:
            candidate.example_ids = list(FeedbackItem.objects.for_workspace(workspace).filter(
                touchpoint=candidate.touchpoint, created_at__gte=start, created_at__lt=end)
                .filter(Q(sentiment_label="negative") | Q(score_group="detractor"))
                .order_by("-created_at").values_list("pk", flat=True)[:EXAMPLES])
    return found


@transaction.atomic
def proposals_refresh(*, board: ErrcBoard, today: date | None = None) -> dict[str, int]:
    """Upsert the board's proposals from the rules: idempotent. Open proposals the rules no longer make are
    removed; accepted ones stay; a dismissed one reopens only when its fingerprint changed."""
    found = candidates(board, today)
    texts = FeedbackItem.objects.for_workspace(board.workspace).in_bulk(
        {pk for candidate in found for pk in candidate.example_ids})
    existing = {(p.quadrant, p.key): p for p in ErrcProposal.objects.for_workspace(board.workspace)
                .select_for_update().filter(board=board)}
    counts = {"created": 0, "updated": 0, "reopened": 0, "removed": 0}
    seen = set()
    for candidate in found:
        seen.add((candidate.quadrant, candidate.key))
        examples = [{"id": pk, "text": texts[pk].text[:300]} for pk in candidate.example_ids if pk in texts]
        values = {"title": candidate.title[:200], "rule": candidate.rule, "score": candidate.score,
                  "touchpoint": candidate.touchpoint, "theme": candidate.theme,
                  "evidence": {"figures": candidate.figures, "examples": examples},
                  "fingerprint": fingerprint({"quadrant": candidate.quadrant, **candidate.material})}
        proposal = existing.get((candidate.quadrant, candidate.key))
        if proposal is None:
            ErrcProposal.objects.create(workspace=board.workspace, board=board, quadrant=candidate.quadrant,
                                        key=candidate.key, **values)
            counts["created"] += 1
            continue
        for name, value in values.items():
            setattr(proposal, name, value)
        if proposal.state == ErrcProposal.State.DISMISSED and proposal.dismissed_fingerprint != values["fingerprint"]:
            proposal.state = ErrcProposal.State.OPEN
            counts["reopened"] += 1
        else:
            counts["updated"] += 1
        proposal.save()
    stale = [p.pk for key, p in existing.items() if key not in seen and p.state == ErrcProposal.State.OPEN]
    counts["removed"] = ErrcProposal.objects.filter(pk__in=stale).delete()[0]
    return counts
