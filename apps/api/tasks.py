from celery import shared_task

from . import idempotency


@shared_task
def purge_idempotency_records() -> int:
    """Daily: forget Idempotency-Keys older than a day (the retry window)."""
    return idempotency.purge_expired()
