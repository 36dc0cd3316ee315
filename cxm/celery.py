import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")

app = Celery("cxm")
# All CELERY_* values live in cxm/settings.py, derived from REDIS_URL.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _require_secret_key(**kwargs) -> None:
    from cxm.security import require_secret_key

    require_secret_key()
