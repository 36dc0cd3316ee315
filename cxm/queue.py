"""Enqueueing Celery jobs from web requests."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` once the surrounding transaction commits (a worker started earlier would not see
    the new rows). If the broker is unreachable the request still succeeds: the rows are committed,
    and the periodic jobs that recompute from source rows catch up when Redis is back."""

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except (OperationalError, ConnectionError, OSError):
            logger.warning("broker unreachable: %s not enqueued now; the periodic job will catch up", task.name,
                           exc_info=True)

    transaction.on_commit(send)
