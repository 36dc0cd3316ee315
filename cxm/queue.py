"""Enqueueing Celery jobs from web requests."""

import logging

from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# How long a "job already queued" mark lives when its job never starts (a lost message, a dead
# worker): after this, the next caller enqueues again. The periodic catch-up jobs cover the gap.
COALESCE_SECONDS = 30


def _send(task, args, kwargs) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except (OperationalError, ConnectionError, OSError):
        logger.warning("broker unreachable: %s not enqueued now; the periodic job will catch up", task.name,
                       exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` once the surrounding transaction commits (a worker started earlier would not see
    the new rows). If the broker is unreachable the request still succeeds: the rows are committed,
    and the periodic jobs that recompute from source rows catch up when Redis is back."""
    transaction.on_commit(lambda: _send(task, args, kwargs))


def coalesce_key(task, *args) -> str:
    return "queue:coalesce:" + ":".join([task.name, *map(str, args)])


def enqueue_coalesced_on_commit(task, *args) -> None:
    """Like enqueue_on_commit, for a job that recomputes everything of its arguments (a day's rollups):
    while one such job is queued and not started, it will see this transaction's rows too, so a second
    copy would only repeat its work. At 500 responses a second this turns 500 messages into one per run
    of the job. The job calls coalesce_release(...) first thing, before it reads, so a commit after that
    enqueues the next run."""
    key = coalesce_key(task, *args)

    def send() -> None:
        try:
            queued = not cache.add(key, 1, timeout=COALESCE_SECONDS)
        except Exception:  # the cache is Redis: when it is down, send (and most likely fail softly) anyway
            queued = False
        if not queued and not _send(task, args, {}):
            _forget(key)

    transaction.on_commit(send)


def coalesce_release(task, *args) -> None:
    """Called by a coalesced job as it starts: later commits are no longer covered by this run."""
    _forget(coalesce_key(task, *args))


def _forget(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # Redis down: the mark expires by itself
        logger.warning("could not clear %s", key, exc_info=True)
