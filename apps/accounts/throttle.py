"""Sign-in and password-reset throttling, counted in Django's cache (Redis in production, so every
web process sees the same counts).

Failed sign-ins are counted per account and per client address in a fixed window; reaching either
limit locks that account or address for LOGIN_LOCKOUT_SECONDS. A successful sign-in clears the
account's count (not the address's: one right password must not reopen an address that is guessing
at many accounts). When the cache is unreachable, sign-in is let through and the failure logged: an
outage of Redis must not lock every user out.
"""

import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.surveys.ratelimit import client_ip

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _account_key(identifier: str) -> str:
    """One key per account, whether it was typed as a username or an e-mail address; an unknown name
    gets its own key, so a lock says nothing about whether the account exists."""
    identifier = (identifier or "").strip().lower()
    user_id = (get_user_model().objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
               .values_list("pk", flat=True).first())
    return f"user:{user_id}" if user_id else f"name:{identifier[:150]}"


def _count(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def _lock(key: str, seconds: int) -> float:
    until = time.time() + seconds
    cache.set(f"accounts:lock:{key}", until, timeout=seconds)
    return until


def _locked_until(keys: list[str]) -> float | None:
    locks = cache.get_many([f"accounts:lock:{key}" for key in keys])
    now = time.time()
    ends = [until for until in locks.values() if until and until > now]
    return max(ends) if ends else None


def _login_keys(request, identifier: str) -> tuple[str, str]:
    return f"login:{_account_key(identifier)}", f"login-ip:{client_ip(request)}"


def login_locked_until(request, identifier: str) -> float | None:
    """The Unix time the account or the address may try again, or None when neither is locked."""
    try:
        return _locked_until(list(_login_keys(request, identifier)))
    except Exception:  # redis.ConnectionError and friends
        logger.warning("sign-in throttle cache unreachable: not checked", exc_info=True)
        return None


def login_failed(request, identifier: str) -> float | None:
    """Count a failed sign-in; returns the end of the lock when this failure started one."""
    window = _setting("LOGIN_FAILURE_WINDOW_SECONDS", 900)
    lockout = _setting("LOGIN_LOCKOUT_SECONDS", 900)
    account, address = _login_keys(request, identifier)
    try:
        until = None
        if _count(f"accounts:failures:{account}", window) >= _setting("LOGIN_FAILURES_PER_ACCOUNT", 5):
            until = _lock(account, lockout)
            cache.delete(f"accounts:failures:{account}")
        if _count(f"accounts:failures:{address}", window) >= _setting("LOGIN_FAILURES_PER_ADDRESS", 20):
            until = _lock(address, lockout)
            cache.delete(f"accounts:failures:{address}")
        if until:
            logger.warning("sign-in locked for %s / %s after repeated failures", account, address)
        return until
    except Exception:
        logger.warning("sign-in throttle cache unreachable: failure not counted", exc_info=True)
        return None


def login_succeeded(request, identifier: str) -> None:
    account, _address = _login_keys(request, identifier)
    try:
        cache.delete(f"accounts:failures:{account}")
    except Exception:
        logger.warning("sign-in throttle cache unreachable: count not reset", exc_info=True)


def password_reset_locked_until(request, email: str) -> float | None:
    """Count one reset request for this address and e-mail; the end of the wait once over the limit
    (a reset e-mail per minute to a victim's inbox is its own kind of attack)."""
    window = _setting("PASSWORD_RESET_WINDOW_SECONDS", 3600)
    keys = [f"reset:{(email or '').strip().lower()[:254]}", f"reset-ip:{client_ip(request)}"]
    limits = [_setting("PASSWORD_RESETS_PER_EMAIL", 3), _setting("PASSWORD_RESETS_PER_ADDRESS", 10)]
    try:
        until = _locked_until(keys)
        if until:
            return until
        for key, limit in zip(keys, limits, strict=True):
            if _count(f"accounts:requests:{key}", window) > limit:
                until = _lock(key, window)
        return until
    except Exception:
        logger.warning("password-reset throttle cache unreachable: not counted", exc_info=True)
        return None


def wait_message(until: float, *, what: str) -> str:
    """"… Try again in 15 minutes (at 14:35).", in the active language and time zone."""
    minutes = max(1, round((until - time.time()) / 60))
    at = formats.time_format(timezone.localtime(datetime.fromtimestamp(until, tz=UTC)), "TIME_FORMAT")
    wait = ngettext("Try again in %(minutes)d minute (at %(time)s).",
                    "Try again in %(minutes)d minutes (at %(time)s).", minutes) % {"minutes": minutes, "time": at}
    reason = {
        "login": _("Too many failed sign-in attempts."),
        "reset": _("Too many password-reset requests."),
    }[what]
    return f"{reason} {wait}"
