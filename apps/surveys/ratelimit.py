"""A fixed-window submission limit per client address, kept in Django's cache (Redis in production)."""

import logging

from django.conf import settings
from django.core.cache import cache

from cxm.redis_commands import commands

logger = logging.getLogger(__name__)
SUBMISSIONS_PER_MINUTE = 20
WINDOW_SECONDS = 60


def client_ip(request) -> str:
    """The visitor's address. X-Forwarded-For is trusted only behind our own proxy (the setting that says
    so is SECURE_PROXY_SSL_HEADER), and only its last entry, the one that proxy appended: the entries
    before it are whatever the client chose to send."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def submission_allowed(request, *, scope: str) -> bool:
    """Count one submission from this address in `scope` (a survey); False once over the limit.
    When the cache (Redis) is unreachable the submission is let through: losing a customer's answer
    is worse than not counting one."""
    limit = getattr(settings, "SURVEY_SUBMISSIONS_PER_MINUTE", SUBMISSIONS_PER_MINUTE)
    try:
        return _count(request, scope, limit) <= limit
    except Exception:  # redis.ConnectionError and friends; the cache backend does not wrap them
        logger.warning("rate-limit cache unreachable: submission allowed without counting", exc_info=True)
        return True


def _count(request, scope: str, limit: int) -> int:
    key = f"surveys:submissions:{scope}:{client_ip(request)}"
    if settings.REDIS_URL:
        # One command on the submission path. The first count starts the window; a count over the limit makes
        # sure it has one, should a process have died between that first INCR and its EXPIRE.
        redis = commands(settings.REDIS_URL)
        count = redis("INCR", key)
        if count == 1 or count > limit:
            redis("EXPIRE", key, WINDOW_SECONDS, "NX")
        return count
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            count = 1
    return count
