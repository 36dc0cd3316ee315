"""Demo ERRC board: one per brand, on its first journey, run after the responses, feedback and rollups exist.

The proposals job runs over the demo data (cxm/demo_surveys gives it a case for each quadrant); the best
proposal of each quadrant that has more than one is accepted (so every quadrant still shows one to accept)
and moved along; a few items are added by hand, and the step the brand fixed FIX_DAYS_AGO days ago
(demo_surveys.FIXED) is a done item whose before/after impact shows. The hand-made items cover every status
whatever the proposals are. A brand that already has the board is left as it is."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation

from apps.errc import proposals, services
from apps.errc.models import ErrcBoard, ErrcProposal, Quadrant, Status
from apps.touchpoints.models import Journey, Touchpoint
from apps.workspaces.models import Membership, Role
from cxm.demo_surveys import FIX_DAYS_AGO, FIXED

# Per brand: (status, quadrant, touchpoint name or None, Korean title, English title, expected impact). The
# done item is the step of demo_surveys.FIXED on the board's journey.
ITEMS = {
    "hanbit-telecom": [
        (Status.PROPOSED, Quadrant.ELIMINATE, "온라인 가입 결제", "중복 본인인증 단계 없애기",
         "Drop the duplicate identity check", "CES +0.5"),
        (Status.PLANNED, Quadrant.REDUCE, "고객센터 상담", "대기 대신 콜백 예약 받기",
         "Offer call-backs instead of waiting on the line", "NPS +5"),
        (Status.IN_PROGRESS, Quadrant.RAISE, "앱 데이터 사용량 조회", "실시간 사용량 알림 정확도 높이기",
         "Make usage alerts real-time", "CSAT +8%p"),
        (Status.DISMISSED, Quadrant.CREATE, None, "요금제 추천 챗봇 만들기",
         "Create a plan-recommendation chatbot", ""),
        (Status.DONE, Quadrant.REDUCE, "온라인 가입 결제", "가입 단계 간소화", "Simplify the sign-up steps", "NPS +5"),
    ],
    "georeum-shoes": [
        (Status.PROPOSED, Quadrant.ELIMINATE, "상품 상세 페이지", "상세 페이지 팝업 광고 없애기",
         "Drop the pop-up ads on product pages", "CSAT +5%p"),
        (Status.PLANNED, Quadrant.REDUCE, "택배 배송", "배송 박스 완충재 보강", "Stronger boxes for parcels",
         "CSAT +5%p"),
        (Status.IN_PROGRESS, Quadrant.RAISE, "상품 상세 페이지", "상세 페이지 사이즈 가이드 보강",
         "A better size guide on product pages", "NPS +3"),
        (Status.DISMISSED, Quadrant.CREATE, None, "신발 구독 서비스 만들기", "Create a shoe subscription", ""),
        (Status.DONE, Quadrant.REDUCE, "모바일 앱 결제", "앱 결제 단계 간소화", "Simplify the app checkout", "NPS +5"),
    ],
}
# What the accepted proposals move to, in quadrant order.
ACCEPTED_STATUSES = [Status.IN_PROGRESS, Status.PLANNED, Status.IN_PROGRESS, Status.PLANNED]


def _accept_some(board: ErrcBoard, user) -> None:
    open_proposals = ErrcProposal.objects.for_workspace(board.workspace).filter(board=board, state="open")
    for quadrant, status in zip(Quadrant.values, ACCEPTED_STATUSES, strict=True):
        best = list(open_proposals.filter(quadrant=quadrant).order_by("-score", "pk")[:2])
        if len(best) < 2:
            continue
        item = services.proposal_accept(proposal=best[0], accepted_by=user)
        if status != item.status:
            services.item_move(item=item, status=status)


@transaction.atomic
def seed_errc(workspace) -> ErrcBoard | None:
    """Create the brand's demo ERRC board (idempotent by name); returns it, or None without journeys."""
    journey = Journey.objects.for_workspace(workspace).order_by("pk").first()
    if journey is None:
        return None
    korean = workspace.default_language == "ko"
    name = f"{journey.name} · ERRC" if korean else f"{journey.name} · ERRC board"
    board = ErrcBoard.objects.for_workspace(workspace).filter(name=name).first()
    if board is not None:
        return board
    owner = (Membership.objects.for_workspace(workspace).filter(role=Role.OWNER).select_related("user")
             .order_by("pk").first())
    user = owner.user if owner else None
    board = services.board_create(
        workspace=workspace, name=name, journey=journey, created_by=user,
        description=("고객의 목소리를 개선 계획으로: 없애고, 줄이고, 높이고, 만든다." if korean
                     else "Customers' words turned into a plan: eliminate, reduce, raise, create."))
    proposals.proposals_refresh(board=board)
    # Accepted items are worded in the language of whoever accepts them: here, the brand's.
    with translation.override(workspace.default_language or None):
        _accept_some(board, user)
    touchpoints = {touchpoint.name: touchpoint for touchpoint in
                   Touchpoint.objects.for_workspace(workspace).filter(journey=journey).order_by("position", "pk")}
    # Without the brand's own list (a workspace that is not one of the demo brands): its fixed step, if any.
    fixed = next((name for name in touchpoints if name in FIXED), None) or next(iter(touchpoints), None)
    items = ITEMS.get(workspace.slug) or [
        (Status.PROPOSED, Quadrant.ELIMINATE, None, "불필요한 단계 없애기", "Drop a needless step", ""),
        (Status.PLANNED, Quadrant.REDUCE, None, "대기 시간 줄이기", "Cut the waiting time", ""),
        (Status.IN_PROGRESS, Quadrant.RAISE, None, "안내 정확도 높이기", "Make the notices accurate", ""),
        (Status.DISMISSED, Quadrant.CREATE, None, "새 채널 만들기", "Create a new channel", ""),
        (Status.DONE, Quadrant.REDUCE, fixed, "단계 간소화", "Simplify the step", "NPS +5")]
    now, today = timezone.now(), timezone.localdate()
    for number, (status, quadrant, touchpoint_name, title_ko, title_en, impact) in enumerate(items):
        done = status == Status.DONE
        item = services.item_create(
            board=board, quadrant=quadrant, title=title_ko if korean else title_en,
            status=Status.PLANNED if done else status, owner=user, expected_impact=impact,
            touchpoints=[touchpoints[touchpoint_name]] if touchpoint_name in touchpoints else (),
            due_date=None if done else today + timedelta(days=14 * (number + 1)))
        linked_on = today - timedelta(days=FIX_DAYS_AGO + 3) if done else None
        services.evidence_add(item=item, created_by=user, today=linked_on,
                              note="고객 코멘트와 KPI에서 확인된 문제" if korean else "Seen in comments and KPIs")
        if done:
            services.item_move(item=item, status=Status.DONE, now=now - timedelta(days=FIX_DAYS_AGO))
    return board
