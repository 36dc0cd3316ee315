"""Demo feedback and closed loop for a demo brand, run after its demo responses exist (cxm/demo_surveys).

seed_feedback(workspace) turns the comments into feedback items and opens the follow-up cases of the last
`case_days` days (the backfill: set-based, idempotent), adds a few tag rules (배송/delivery, 요금/price,
앱 오류/app bug, 친절/staff) and applies them, analyses themes and sentiment of the most recent
`analyse_limit` comments (the periodic job does the rest in the background), puts the cases in every
status (some overdue, some closed with notes and a time to close) and adds alert rules and checks them.

A second run adds nothing new and leaves the worked cases as they are.
"""

import random
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from apps.feedback import adaptation, services, text_services
from apps.feedback.models import AlertRule, CaseEvent, FeedbackItem, FollowUpCase, Tag, TagRule
from apps.touchpoints.models import Touchpoint

# Kiwi analyses a few thousand comments a second; the demo analyses the newest ones and leaves older ones
# to the periodic job (apps.feedback.tasks.analyse_pending_feedback).
ANALYSE_LIMIT = 20_000
CASE_DAYS = 30

TAG_RULES = [
    ("배송 / delivery", "#0EA5E9", "배송, 택배, 배달, 도착, 설치 기사, delivery, parcel, shipping, arrived"),
    ("요금 / price", "#F59E0B", "요금, 가격, 비싸, 할인, 청구, 배송비, price, expensive, discount, value for money"),
    ("앱 오류 / app bug", "#EF4444", "오류, 에러, 튕겨, 튕기, 로그인이 안, 로딩만, 업데이트 후, crash, error, log in"),
    ("친절 / staff", "#10B981", "친절, 직원, 상담원, 기사님, staff, friendly, agent, kind, helpful"),
]
ALERT_RULES = [
    {"name": "7일 NPS 경고 (−20 미만)", "kind": AlertRule.Kind.TOUCHPOINT_NPS_BELOW, "threshold": -20,
     "min_responses": 30},
    {"name": "오늘 비추천 고객 40% 초과", "kind": AlertRule.Kind.DETRACTOR_SHARE_ABOVE, "threshold": 40,
     "min_responses": 30},
    {"name": "해지·환불 언급", "kind": AlertRule.Kind.COMMENT_KEYWORDS, "threshold": 0, "min_responses": 1,
     "keywords": "해지, 환불, 위약금, cancel my, refund"},
]
NOTES_KO = ["고객님께 전화드려 불편을 사과드리고 처리 일정을 다시 안내했습니다.",
            "담당 부서에 전달했고, 고객님께 문자로 진행 상황을 알려드렸습니다.",
            "보상 쿠폰을 발송했고 고객님이 만족하셨습니다.",
            "통화가 되지 않아 문자를 남겼습니다. 내일 다시 연락드리겠습니다.",
            "재방문 일정을 잡았고 기사님께 주의 사항을 전달했습니다."]
NOTES_EN = ["Called the customer, apologised and explained the next steps.",
            "Passed to the delivery team; the customer was told by text.",
            "Sent a discount coupon; the customer was happy with it.",
            "No answer; left a message and will try again tomorrow."]


def _tags(workspace) -> None:
    for name, colour, keywords in TAG_RULES:
        tag, _ = Tag.objects.update_or_create(workspace=workspace, name=name, defaults={"colour": colour})
        TagRule.objects.update_or_create(workspace=workspace, tag=tag, defaults={
            "keywords": "\n".join(part.strip() for part in keywords.split(",")), "is_active": True})


def _alert_rules(workspace) -> None:
    for spec in ALERT_RULES:
        AlertRule.objects.get_or_create(workspace=workspace, name=spec["name"], defaults=spec)


def _work_cases(workspace, now: datetime, seed: str) -> dict[str, int]:
    """Move untouched demo cases (only their opening event) along the workflow by age: older cases mostly
    closed, some still open past their due time; recent ones new or contacted."""
    untouched = (FollowUpCase.objects.for_workspace(workspace).filter(status=FollowUpCase.Status.NEW)
                 .filter(~Exists(CaseEvent.objects.filter(workspace=workspace, case=OuterRef("pk"))
                                 .exclude(kind=CaseEvent.Kind.OPENED)))
                 .order_by("pk").values_list("pk", "created_at", "due_at", "assignee_id", "feedback_item__language"))
    Status = FollowUpCase.Status
    changed: list[FollowUpCase] = []
    events: list[CaseEvent] = []
    counts = {status: 0 for status in Status.values}
    for pk, created_at, due_at, assignee_id, language in untouched:
        # Seeded per case: a second run makes the same choice, so a case left new stays new.
        rng = random.Random(f"{seed}-{pk}")
        roll = rng.random()
        overdue_age = now > due_at
        if not overdue_age:
            target = Status.CONTACTED if roll < 0.35 else Status.NEW
        else:
            target = (Status.CLOSED if roll < 0.72 else Status.RESOLVED if roll < 0.80
                      else Status.CONTACTED if roll < 0.90 else Status.NEW)
        counts[target] += 1
        if target == Status.NEW:
            continue
        hours = rng.uniform(2, 30 if rng.random() < 0.8 else 90)
        contacted_at = min(created_at + timedelta(hours=hours / 3), now - timedelta(minutes=5))
        case = FollowUpCase(pk=pk, status=target, contacted_at=contacted_at)
        steps = [(Status.NEW, Status.CONTACTED, contacted_at)]
        note_at = contacted_at + timedelta(minutes=rng.randint(3, 40))
        notes = NOTES_EN if language == "en" else NOTES_KO
        if target in (Status.RESOLVED, Status.CLOSED):
            case.resolved_at = min(created_at + timedelta(hours=hours), now - timedelta(minutes=3))
            steps.append((Status.CONTACTED, Status.RESOLVED, case.resolved_at))
        if target == Status.CLOSED:
            case.closed_at = min(case.resolved_at + timedelta(hours=rng.uniform(0.5, 20)), now - timedelta(minutes=1))
            case.time_to_close = case.closed_at - created_at
            steps.append((Status.RESOLVED, Status.CLOSED, case.closed_at))
        changed.append(case)
        for from_status, to_status, moment in steps:
            events.append(CaseEvent(workspace=workspace, case_id=pk, author_id=assignee_id, kind=CaseEvent.Kind.STATUS,
                                    from_status=from_status, to_status=to_status, created_at=moment))
        if rng.random() < 0.7:
            events.append(CaseEvent(workspace=workspace, case_id=pk, author_id=assignee_id, kind=CaseEvent.Kind.NOTE,
                                    text=rng.choice(notes), created_at=min(note_at, now)))
    FollowUpCase.objects.bulk_update(changed, ["status", "contacted_at", "resolved_at", "closed_at", "time_to_close"],
                                     batch_size=1000)
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    return counts


def seed_feedback(workspace, *, analyse_limit: int = ANALYSE_LIMIT, case_days: int = CASE_DAYS,
                  now: datetime | None = None, verbose: bool = False) -> dict:
    """Feedback items, tags, themes, sentiment, cases and alerts for the brand's demo responses."""
    now = now or timezone.now()
    timings: dict[str, float] = {}

    def lap(name: str, started: float) -> float:
        timings[name] = round(time.monotonic() - started, 2)
        if verbose:
            print(f"  {workspace.slug}: {name} {timings[name]} s")
        return time.monotonic()

    started = time.monotonic()
    with transaction.atomic():
        _tags(workspace)
        _alert_rules(workspace)
    counts = services.feedback_backfill_from_responses(workspace, cases_since=now - timedelta(days=case_days))
    started = lap("backfill", started)
    counts["tagged"] = services.tag_rules_reapply(workspace=workspace)
    started = lap("tags", started)
    # The brand's own sentiment model first (from its scored comments), so the analysis below uses it.
    counts["text_model"] = adaptation.fit(workspace) is not None
    counts["analysed"] = services.feedback_analyse(workspace=workspace, pending_only=True, limit=analyse_limit)
    counts["themes_found"] = text_services.themes_discover(workspace=workspace)
    started = lap("analysis", started)
    with transaction.atomic():
        counts["case_statuses"] = _work_cases(workspace, now, f"cxm-demo-feedback-{workspace.slug}")
    started = lap("cases", started)
    counts["alerts"] = len(services.alert_rules_check(workspace=workspace, now=now))
    lap("alerts", started)
    counts["timings"] = timings
    counts["items_total"] = FeedbackItem.objects.for_workspace(workspace).count()
    counts["touchpoints_with_owner"] = Touchpoint.objects.for_workspace(workspace).exclude(owner=None).count()
    counts["open_cases"] = FollowUpCase.objects.for_workspace(workspace).aggregate(
        n=Count("pk", filter=~Q(status=FollowUpCase.Status.CLOSED)))["n"]
    return counts
