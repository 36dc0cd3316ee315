from celery import shared_task

from .models import ErrcBoard


@shared_task(acks_late=True)
def propose_items(board_id: int) -> dict[str, int]:
    """Refresh one board's proposals (apps/errc/proposals.py). Idempotent: safe to retry or repeat."""
    from .proposals import proposals_refresh

    board = ErrcBoard.objects.select_related("workspace").filter(pk=board_id).first()
    if board is None:
        return {}
    return proposals_refresh(board=board)


@shared_task
def propose_all() -> int:
    """The periodic run: every board's proposals."""
    boards = list(ErrcBoard.objects.values_list("pk", flat=True))
    for board_id in boards:
        propose_items.delay(board_id)
    return len(boards)
