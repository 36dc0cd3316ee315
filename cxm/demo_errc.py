"""Demo ERRC board: one per brand, on its first journey, with proposals from the demo data, items in every
status and one done item whose touchpoint visibly moved. Run after the responses, feedback and rollups
exist. A brand that already has the board is left as it is."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.errc import proposals, services
from apps.errc.models import ErrcBoard, ErrcProposal, Status
from apps.kpis import selectors as kpis
from apps.kpis.services import local_day
from apps.touchpoints.models import Journey, Touchpoint
from apps.workspaces.models import Membership, Role

DONE_DAYS_AGO = 21

# (quadrant, status, Korean title, English title, expected impact)
ITEMS = [
    ("eliminate", Status.PROPOSED, "중복 본인인증 단계 없애기", "Drop the duplicate identity check", "CES +0.5"),
    ("reduce", Status.PLANNED, "상담 대기 시간 줄이기", "Cut call-centre waiting time", "NPS +5"),
    ("raise", Status.IN_PROGRESS, "배송 알림 정확도 높이기", "Make delivery notices accurate", "CSAT +8%p"),
    ("create", Status.DISMISSED, "주말 화상 상담 만들기", "Create weekend video consultations", ""),
]


def _best_done_touchpoint(workspace, touchpoint_ids: list[int]):
    """The journey's touchpoint whose NPS rose most across the done day, so the demo impact is visible."""
    today = local_day(workspace, timezone.now())
    done_day = today - timedelta(days=DONE_DAYS_AGO)
    length = DONE_DAYS_AGO + 1
    before = kpis.summary_by(workspace, done_day - timedelta(days=length), done_day - timedelta(days=1), "touchpoint")
    after = kpis.summary_by(workspace, done_day, today, "touchpoint")
    best, best_delta = None, None
    for pk in touchpoint_ids:
        if pk not in before or pk not in after or before[pk].nps is None or after[pk].nps is None:
            continue
        delta = after[pk].nps - before[pk].nps
        if best_delta is None or delta > best_delta:
            best, best_delta = pk, delta
    return best if best is not None else (touchpoint_ids[0] if touchpoint_ids else None)


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
    touchpoints = list(Touchpoint.objects.for_workspace(workspace).filter(journey=journey).order_by("position", "pk"))
    proposals.proposals_refresh(board=board)
    # One accepted proposal, moved to in progress: the path a new user walks.
    accepted = ErrcProposal.objects.for_workspace(workspace).filter(board=board, state="open").first()
    if accepted is not None:
        item = services.proposal_accept(proposal=accepted, accepted_by=user)
        services.item_move(item=item, status=Status.IN_PROGRESS)
    today = timezone.localdate()
    for number, (quadrant, status, title_ko, title_en, impact) in enumerate(ITEMS):
        item = services.item_create(
            board=board, quadrant=quadrant, title=title_ko if korean else title_en, status=status,
            touchpoints=touchpoints[number:number + 1], owner=user, expected_impact=impact,
            due_date=today + timedelta(days=14 * (number + 1)))
        services.evidence_add(item=item, created_by=user,
                              note="고객 코멘트와 KPI에서 확인된 문제" if korean else "Seen in comments and KPIs")
    done_touchpoint = _best_done_touchpoint(workspace, [touchpoint.pk for touchpoint in touchpoints])
    done = services.item_create(
        board=board, quadrant="reduce", title="가입 단계 간소화" if korean else "Simplify the sign-up steps",
        touchpoints=[touchpoint for touchpoint in touchpoints if touchpoint.pk == done_touchpoint],
        owner=user, expected_impact="NPS +5", status=Status.PLANNED)
    services.evidence_add(item=done, created_by=user, note="입력 항목이 너무 많다는 의견" if korean
                          else "Customers said the form asks for too much",
                          today=today - timedelta(days=DONE_DAYS_AGO))
    services.item_move(item=done, status=Status.DONE, now=timezone.now() - timedelta(days=DONE_DAYS_AGO))
    return board
