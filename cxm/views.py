import logging

from django.conf import settings
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
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


def server_error(request):
    # Rendered without context processors: the failure may be in one of them or in the database.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
