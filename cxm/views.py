import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:
        logger.exception("healthz: database check failed")
        return "down"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "disabled"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return "ok" if client.ping() else "down"
    except redis.RedisError:
        return "down"


def _celery_status(redis_status: str) -> str:
    from cxm.celery import app

    if app.conf.task_always_eager:
        return "eager"
    if redis_status != "ok":
        return "down"
    try:
        replies = app.control.ping(timeout=1.0)
    except Exception:
        logger.exception("healthz: celery ping failed")
        return "down"
    return "ok" if replies else "down"


@never_cache
@require_GET
def healthz(request):
    """For load balancers and uptime checks: 200 only when every configured service answers."""
    redis_status = _redis_status()
    status = {
        "database": _database_status(),
        "redis": redis_status,
        "celery": _celery_status(redis_status),
    }
    healthy = status["database"] == "ok" and redis_status in {"ok", "disabled"} and status["celery"] in {
        "ok", "eager"}
    return JsonResponse(status, status=200 if healthy else 503)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


# Seconds a client (or a load balancer) is asked to wait when the database is away: a restart or a failover
# takes about this long.
DATABASE_RETRY_AFTER_SECONDS = 15


def database_unavailable(exception: BaseException | None) -> bool:
    """The database could not be reached (down, restarting, connection dropped), as opposed to a bug."""
    while exception is not None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def server_error(request):
    # Django calls this inside its `except` block, so the exception is at hand. Rendered without context
    # processors: the failure may be in one of them or in the database.
    if database_unavailable(sys.exc_info()[1]):
        # A passing outage, not a bug: a 503 that says "try again" in both languages, no stack trace, and
        # nothing stored (the next request reconnects by itself: CONN_HEALTH_CHECKS).
        response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
