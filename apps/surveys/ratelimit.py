"""A fixed-window submission limit per client address, kept in Django's cache (Redis in production)."""

from django.conf import settings
from django.core.cache import cache

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
    """Count one submission from this address in `scope` (a survey); False once over the limit."""
    limit = getattr(settings, "SURVEY_SUBMISSIONS_PER_MINUTE", SUBMISSIONS_PER_MINUTE)
    key = f"surveys:submissions:{scope}:{client_ip(request)}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            count = 1
    return count <= limit
