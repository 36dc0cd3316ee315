"""Proposals from the data: four rules a CX lead would recognise, over KPI rollups (apps.kpis.selectors) and
feedback themes, for the board's journey (or the whole workspace) over the last PERIOD_DAYS days. Every
count is one grouped SQL query; Python only compares the aggregated rows with the thresholds, except the
theme picks of the Reduce and Create rules, which read the (theme, comment) links of the window to count
each comment once (bounded by the window and CREATE_SCAN; this runs in a Celery job, not a request).

- **Eliminate**: a high-effort or strongly negative step that drives no promoters. At least MIN_ANSWERS NPS
  answers, promoters below ELIMINATE_MAX_PROMOTERS, and either a CES mean at or below HIGH_EFFORT_CES
  (1–7, higher is easier) or at least NEGATIVE_SHARE of its analysed comments negative (MIN_FEEDBACK or more).
- **Reduce**: a necessary step (not an Eliminate case) with a high detractor share (REDUCE_DETRACTORS or
  more), or with negative themes that are rising (a theme is negative where the clause naming it is): a
  theme's share of the step's negative comments in the
  last RISING_DAYS days is RISING_FACTOR times its share in the rest of the period before them and
  RISING_POINTS points higher, with at least RISING_MIN mentions, and the earlier part has RISING_BASELINE
  analysed negative comments to compare with (shares, not counts: a growing brand gets more of everything,
  and comments not analysed yet count for neither side). Themes the step is named after ("delivery" at
  "Parcel delivery") say nothing new and are left out. One proposal per step, carrying its top RISING_THEMES
  themes; comments alone can make it, without MIN_ANSWERS scores.
- **Raise**: a step with a strong driver weight on NPS that scores below the journey: its NPS gap against
  the rest of the journey, weighted by its share of answers (apps.nps.scores.nps_gap), is RAISE_IMPACT
  points or more below zero.
- **Create**: unmet needs voiced in comments ("I wish…", "…있었으면 좋겠어요", "…없어서 아쉬워요": the theme
  mentions the analysis marked as wishes, so "…없어서 좋았어요" is none) about a theme that no
  active touchpoint of the workspace is named after, with at least CREATE_MIN comments. A comment names
  several themes ("주말에도 화상 상담이…"): each comment counts for one need only, the one most comments share
  (distinct_themes; rising themes are thinned the same way).

Each quadrant keeps its MAX_PER_QUADRANT best open proposals (by score); dismissed and accepted ones keep
their place without taking a slot. Each proposal stores its figures and example comments, a score (how
strongly the rule fires) and a fingerprint of the evidence rounded to what matters. Titles and reasons are
worded when shown, in the reader's language, from the rule and its subject."""

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone, translation
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
MAX_PER_QUADRANT = 5
EXAMPLES = 3
# Eliminate
ELIMINATE_MAX_PROMOTERS = 0.20
HIGH_EFFORT_CES = 3.5
NEGATIVE_SHARE = 0.5
MIN_FEEDBACK = 10
# Reduce
REDUCE_DETRACTORS = 0.40
RISING_DAYS = 30
RISING_MIN = 20
RISING_BASELINE = 30
RISING_FACTOR = 2.0
RISING_POINTS = 5.0
RISING_THEMES = 3
# Raise
RAISE_IMPACT = 2.0
# Create
CREATE_MIN = 5
CREATE_SCAN = 30  # themes looked at before the one-need-per-comment pass
NO_FEEDBACK = {"total": 0, "negative": 0}


@dataclass
class Candidate:
    quadrant: str
    key: str
    score: float
    figures: dict
    touchpoint: Touchpoint | None = None
    theme: Theme | None = None
    reasons: list[str] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    example_ids: list[int] = field(default_factory=list)
    # Figures rounded to what matters: small wobbles keep the fingerprint, so a dismissal sticks.
    material: dict = field(default_factory=dict)

    @property
    def evidence(self) -> dict:
        return {"figures": self.figures, "reasons": self.reasons, "themes": self.themes}


def fingerprint(material: dict) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _bucket(count: int) -> int:
    """Counts in doubling buckets (…, 8–15, 16–31, …)."""
    return int(math.log2(count)) if count > 0 else -1


def _step(value: float | None, size: float) -> float | None:
    return None if value is None else round(value / size) * size


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def label_in_language(label_ko: str, label_en: str) -> str:
    if (translation.get_language() or "en").startswith("ko"):
        return label_ko or label_en
    return label_en or label_ko


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


def describe(proposal: ErrcProposal) -> tuple[str, str]:
    """(title, reason) of a proposal in the active language, from its rule and subject."""
    evidence = proposal.evidence or {}
    name = proposal.touchpoint.name if proposal.touchpoint_id else ""
    if proposal.quadrant == Quadrant.ELIMINATE:
        return (_("Remove or automate “%(name)s”") % {"name": name},
                _("High effort or strongly negative, and almost no promoters."))
    if proposal.quadrant == Quadrant.REDUCE:
        reasons = []
        if "detractors" in evidence.get("reasons", ()):
            reasons.append(_("A necessary step with a high share of detractors."))
        if evidence.get("themes"):
            labels = ", ".join(f"“{label_in_language(row['label_ko'], row['label_en'])}”" for row in evidence["themes"])
            reasons.append(_("Negative themes rising here: %(themes)s.") % {"themes": labels})
        return _("Cut the friction in “%(name)s”") % {"name": name}, " ".join(reasons) or proposal.rule
    if proposal.quadrant == Quadrant.RAISE:
        return (_("Raise “%(name)s” to the journey's level") % {"name": name},
                _("Weighs heavily on NPS and scores below the rest of the journey."))
    theme = proposal.theme.label if proposal.theme_id else proposal.title
    return (_("Meet the unmet need: %(theme)s") % {"theme": theme},
            _("Customers ask for it, and no touchpoint serves it."))


def _figures(summary: ScoreSummary) -> dict:
    answers = summary.nps_answers
    return {"n": summary.responses, "nps": None if summary.nps is None else round(summary.nps, 1),
            "promoter_share": round(_share(summary.promoters, answers) * 100, 1),
            "detractor_share": round(_share(summary.detractors, answers) * 100, 1),
            "csat": None if summary.csat is None else round(summary.csat, 1),
            "ces": None if summary.ces is None else round(summary.ces, 2)}


@dataclass
class Window:
    """The instants of the period and of the rising-theme comparison inside it."""

    start: object
    end: object
    recent: object  # start of the last RISING_DAYS days; [start, recent) is the earlier window


def _rising_themes(board: ErrcBoard, touchpoints: dict, window: Window) -> dict[int, list[dict]]:
    """{touchpoint id: its rising negative themes, steepest first} (see the module's Reduce rule)."""
    workspace = board.workspace
    # A comment is negative about a theme when the clause naming it is ("배송은 빠른데 품질이 영 아니네요"
    # counts for quality, not for delivery); the step's negative comments are the negative ones and those
    # with such a mention.
    negative_mentions = FeedbackTheme.objects.for_workspace(workspace).shown().filter(sentiment_label="negative")
    negative = FeedbackItem.objects.for_workspace(workspace).filter(
        Q(sentiment_label="negative") | Exists(negative_mentions.filter(item_id=OuterRef("pk"))),
        touchpoint_id__in=list(touchpoints), created_at__gte=window.start, created_at__lt=window.end)
    baseline = {row["touchpoint_id"]: row for row in negative.values("touchpoint_id").annotate(
        now=Count("pk", filter=Q(created_at__gte=window.recent)),
        before=Count("pk", filter=Q(created_at__lt=window.recent))).order_by()}
    compared = [pk for pk, row in baseline.items() if row["before"] >= RISING_BASELINE and row["now"]]
    if not compared:
        return {}
    # A theme the step is named after ("배송" at "유심 배송") is what the step is, not news about it.
    named_after = (Q(item__touchpoint__name__icontains=F("theme__key"))
                   | Q(item__touchpoint__name__icontains=F("theme__label_ko"))
                   | Q(item__touchpoint__name__icontains=F("theme__label_en")))
    rows = (negative_mentions.filter(item__in=negative.filter(touchpoint_id__in=compared)).exclude(named_after)
            .values("item__touchpoint_id", "theme_id", "theme__key", "theme__label_ko", "theme__label_en")
            .annotate(now=Count("pk", filter=Q(item__created_at__gte=window.recent)),
                      before=Count("pk", filter=Q(item__created_at__lt=window.recent)))
            .filter(now__gte=RISING_MIN).order_by())
    rising: dict[int, list[dict]] = {}
    for row in rows:
        counts = baseline[row["item__touchpoint_id"]]
        share_now = _share(row["now"], counts["now"]) * 100
        share_before = _share(row["before"], counts["before"]) * 100
        if share_now - share_before < RISING_POINTS or share_now < RISING_FACTOR * share_before:
            continue
        rising.setdefault(row["item__touchpoint_id"], []).append({
            "theme_id": row["theme_id"], "key": row["theme__key"], "label_ko": row["theme__label_ko"],
            "label_en": row["theme__label_en"], "mentions": row["now"], "mentions_before": row["before"],
            "share": round(share_now, 1), "share_before": round(share_before, 1)})
    if not rising:
        return {}
    # "포장이 찢어져서 상품이 파손됐어요" makes both 포장 and 상품 rise: keep the themes that stand for
    # different comments.
    comments: dict[int, dict[int, set[int]]] = {}
    for touchpoint_id, theme_id, item_id in (
            negative_mentions
            .filter(item__in=negative.filter(touchpoint_id__in=list(rising), created_at__gte=window.recent),
                    theme_id__in={theme["theme_id"] for themes in rising.values() for theme in themes})
            .values_list("item__touchpoint_id", "theme_id", "item_id").order_by()):
        comments.setdefault(touchpoint_id, {}).setdefault(theme_id, set()).add(item_id)
    for touchpoint_id, themes in rising.items():
        mine = {theme["theme_id"] for theme in themes}
        by_theme = {theme["theme_id"]: theme for theme in themes}
        kept = distinct_themes({pk: ids for pk, ids in comments.get(touchpoint_id, {}).items() if pk in mine},
                               minimum=RISING_MIN, limit=RISING_THEMES)
        rising[touchpoint_id] = [by_theme[theme_id] for theme_id, _ids in kept]
    return {touchpoint_id: themes for touchpoint_id, themes in rising.items() if themes}


def distinct_themes(comments: dict[int, set[int]], *, minimum: int, limit: int) -> list[tuple[int, set[int]]]:
    """Themes that stand for different comments ({theme id: comment ids}): again and again the theme with the
    most comments no theme before it took, while it has `minimum` of them; [(theme id, those comments)]."""
    chosen, taken, left = [], set(), dict(comments)
    while left and len(chosen) < limit:
        theme_id, own = max(((pk, ids - taken) for pk, ids in left.items()), key=lambda pair: (len(pair[1]), -pair[0]))
        if len(own) < minimum:
            break
        chosen.append((theme_id, own))
        taken |= own
        del left[theme_id]
    return chosen


def _step_figures(summary: ScoreSummary, feedback: dict) -> tuple[dict, float]:
    negative = _share(feedback["negative"], feedback["total"]) if feedback["total"] >= MIN_FEEDBACK else 0.0
    return {**_figures(summary), "negative_feedback_share": round(negative * 100, 1),
            "feedback": feedback["total"]}, negative


def _reduce(touchpoint: Touchpoint, summary: ScoreSummary, sentiment: dict, reasons: list[str],
            themes: list[dict]) -> Candidate:
    figures, _negative = _step_figures(summary, sentiment.get(touchpoint.pk, NO_FEEDBACK))
    detractors = _share(summary.detractors, summary.nps_answers)
    if themes:
        reasons = [*reasons, "rising"]
    return Candidate(
        Quadrant.REDUCE, f"tp:{touchpoint.pk}", touchpoint=touchpoint, figures=figures, reasons=reasons,
        themes=themes,
        score=round((detractors * 100 if "detractors" in reasons else 0)
                    + sum(theme["share"] - theme["share_before"] for theme in themes), 1),
        material={"detractors": _step(detractors * 100, 10) if "detractors" in reasons else None,
                  "themes": sorted(theme["key"] for theme in themes), "n": _bucket(summary.nps_answers)})


def _touchpoint_rules(touchpoints: dict, by_touchpoint: dict, whole: ScoreSummary, sentiment: dict,
                      rising: dict) -> list[Candidate]:
    found = []
    for pk in sorted(set(by_touchpoint) | set(rising)):
        touchpoint, summary, themes = touchpoints.get(pk), by_touchpoint.get(pk), rising.get(pk, [])
        if touchpoint is None:
            continue
        if summary is None or summary.nps_answers < MIN_ANSWERS:
            # Too few scores to judge the step, but comments alone can show a rising complaint.
            if themes:
                found.append(_reduce(touchpoint, summary or ScoreSummary(),
                                     sentiment, [], themes))
            continue
        answers = summary.nps_answers
        promoters, detractors = _share(summary.promoters, answers), _share(summary.detractors, answers)
        figures, negative = _step_figures(summary, sentiment.get(pk, NO_FEEDBACK))
        high_effort = summary.ces is not None and summary.ces <= HIGH_EFFORT_CES
        eliminate = promoters < ELIMINATE_MAX_PROMOTERS and (high_effort or negative >= NEGATIVE_SHARE)
        if eliminate:
            found.append(Candidate(
                Quadrant.ELIMINATE, f"tp:{pk}", touchpoint=touchpoint, figures=figures,
                score=round((ELIMINATE_MAX_PROMOTERS - promoters) * 100 + negative * 50
                            + (HIGH_EFFORT_CES - summary.ces if high_effort else 0) * 10, 1),
                material={"promoters": _step(promoters * 100, 10), "ces": _step(summary.ces, 0.5),
                          "negative": _step(negative * 100, 10), "n": _bucket(answers)}))
        elif detractors >= REDUCE_DETRACTORS or themes:
            found.append(_reduce(touchpoint, summary, sentiment,
                                 ["detractors"] if detractors >= REDUCE_DETRACTORS else [], themes))
        gap = nps_gap(summary, whole)
        if gap is not None and gap.impact <= -RAISE_IMPACT and not eliminate:
            found.append(Candidate(
                Quadrant.RAISE, f"tp:{pk}", touchpoint=touchpoint, score=round(-gap.impact, 1),
                figures={**figures, "journey_nps": round(whole.nps, 1), "gap": round(gap.gap, 1),
                         "share": round(gap.share * 100, 1), "impact": round(gap.impact, 1)},
                material={"impact": _step(gap.impact, 2), "n": _bucket(answers)}))
    return found


def _unmet_needs(board: ErrcBoard, touchpoints: dict, window: Window) -> list[Candidate]:
    workspace = board.workspace
    items = FeedbackItem.objects.for_workspace(workspace).filter(
        Q(touchpoint__isnull=True) | Q(touchpoint_id__in=list(touchpoints)),
        created_at__gte=window.start, created_at__lt=window.end)
    served = Touchpoint.objects.for_workspace(workspace).filter(archived_at__isnull=True).filter(
        Q(name__icontains=OuterRef("theme__key")) | Q(name__icontains=OuterRef("theme__label_ko"))
        | Q(name__icontains=OuterRef("theme__label_en")))
    # The theme named in the clause that wishes ("…있었으면 좋겠어요", "I wish…"), as the analysis marked
    # it: "대기 시간이 없어서 좋았어요" is no wish (apps.feedback.wishes).
    links = (FeedbackTheme.objects.for_workspace(workspace).shown().filter(unmet_need=True, item__in=items)
             .exclude(Exists(served)))
    top = list(links.values("theme_id").annotate(n=Count("item_id", distinct=True)).filter(n__gte=CREATE_MIN)
               .order_by("-n", "theme_id").values_list("theme_id", flat=True)[:CREATE_SCAN])
    if not top:
        return []
    comments: dict[int, set[int]] = {}
    for theme_id, item_id in links.filter(theme_id__in=top).values_list("theme_id", "item_id").order_by():
        comments.setdefault(theme_id, set()).add(item_id)
    themes = Theme.objects.for_workspace(workspace).in_bulk(top)
    return [Candidate(Quadrant.CREATE, f"need:{theme_id}", score=float(len(own)), theme=themes[theme_id],
                      figures={"comments": len(own)}, example_ids=_distinct_examples(
                          FeedbackItem.objects.for_workspace(workspace).filter(pk__in=own)),
                      material={"comments": _bucket(len(own))})
            for theme_id, own in distinct_themes(comments, minimum=CREATE_MIN, limit=MAX_PER_QUADRANT)]


def _distinct_examples(comments) -> list[int]:
    """The latest EXAMPLES comments with different texts: the same sentence three times shows nothing."""
    chosen, texts = [], set()
    for pk, text in comments.order_by("-created_at", "-pk").values_list("pk", "text")[:EXAMPLES * 10]:
        if text not in texts:
            chosen.append(pk)
            texts.add(text)
        if len(chosen) == EXAMPLES:
            break
    return chosen


def candidates(board: ErrcBoard, today: date | None = None) -> list[Candidate]:
    """Every proposal the rules make for the board now, best first within each quadrant."""
    workspace = board.workspace
    today = today or local_day(workspace, timezone.now())
    first = today - timedelta(days=PERIOD_DAYS - 1)
    start, end = day_bounds(workspace, first, today)
    window = Window(start, end, day_bounds(workspace, today - timedelta(days=RISING_DAYS - 1))[0])
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
    found = _touchpoint_rules(touchpoints, by_touchpoint, whole, sentiment,
                              _rising_themes(board, touchpoints, window))
    found += _unmet_needs(board, touchpoints, window)
    found.sort(key=lambda candidate: (candidate.quadrant, -candidate.score, candidate.key))
    return found


def _examples(workspace, candidate: Candidate, start, end) -> list[int]:
    """Example comments of a touchpoint proposal: the latest negative ones there, about its top rising theme
    when it has one."""
    if candidate.example_ids or candidate.touchpoint is None:
        return candidate.example_ids
    comments = FeedbackItem.objects.for_workspace(workspace).filter(
        touchpoint=candidate.touchpoint, created_at__gte=start, created_at__lt=end).filter(
        Q(sentiment_label="negative") | Q(score_group="detractor"))
    if candidate.themes:
        comments = comments.filter(themes=candidate.themes[0]["theme_id"])
    return _distinct_examples(comments)


@transaction.atomic
def proposals_refresh(*, board: ErrcBoard, today: date | None = None) -> dict[str, int]:
    """Upsert the board's proposals from the rules: idempotent. Each quadrant keeps its MAX_PER_QUADRANT best
    open proposals; open ones the rules no longer make (or that fell below the cut) are removed; accepted
    ones stay; a dismissed one reopens only when its fingerprint changed."""
    workspace = board.workspace
    today = today or local_day(workspace, timezone.now())
    found = candidates(board, today)
    start, end = day_bounds(workspace, today - timedelta(days=PERIOD_DAYS - 1), today)
    existing = {(p.quadrant, p.key): p for p in ErrcProposal.objects.for_workspace(workspace)
                .select_for_update().filter(board=board)}
    counts = {"created": 0, "updated": 0, "reopened": 0, "removed": 0}
    kept, open_slots = [], dict.fromkeys(Quadrant.values, MAX_PER_QUADRANT)
    for candidate in found:
        proposal = existing.get((candidate.quadrant, candidate.key))
        candidate_fingerprint = fingerprint({"quadrant": candidate.quadrant, **candidate.material})
        settled = proposal is not None and (
            proposal.state == ErrcProposal.State.ACCEPTED
            or (proposal.state == ErrcProposal.State.DISMISSED
                and proposal.dismissed_fingerprint == candidate_fingerprint))
        if not settled:
            if not open_slots[candidate.quadrant]:
                continue
            open_slots[candidate.quadrant] -= 1
        kept.append((candidate, proposal, candidate_fingerprint))
    example_ids = {candidate.key: _examples(workspace, candidate, start, end) for candidate, *_rest in kept}
    texts = FeedbackItem.objects.for_workspace(workspace).in_bulk(
        {pk for ids in example_ids.values() for pk in ids})
    seen = set()
    with translation.override(workspace.default_language or None):
        for candidate, proposal, candidate_fingerprint in kept:
            seen.add((candidate.quadrant, candidate.key))
            evidence = {**candidate.evidence, "examples": [{"id": pk, "text": texts[pk].text[:300]}
                                                           for pk in example_ids[candidate.key] if pk in texts]}
            values = {"score": candidate.score, "touchpoint": candidate.touchpoint, "theme": candidate.theme,
                      "evidence": evidence, "fingerprint": candidate_fingerprint}
            if proposal is None:
                proposal = ErrcProposal(workspace=workspace, board=board, quadrant=candidate.quadrant,
                                        key=candidate.key)
                counts["created"] += 1
            elif (proposal.state == ErrcProposal.State.DISMISSED
                  and proposal.dismissed_fingerprint != candidate_fingerprint):
                proposal.state = ErrcProposal.State.OPEN
                counts["reopened"] += 1
            else:
                counts["updated"] += 1
            for name, value in values.items():
                setattr(proposal, name, value)
            # Stored in the workspace's language for the admin site; the board words them for its reader.
            title, rule = describe(proposal)
            proposal.title, proposal.rule = title[:200], rule
            proposal.save()
    stale = [p.pk for key, p in existing.items() if key not in seen and p.state == ErrcProposal.State.OPEN]
    counts["removed"] = ErrcProposal.objects.filter(pk__in=stale).delete()[0]
    return counts
