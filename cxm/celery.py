import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")

app = Celery("cxm")
# All CELERY_* values live in cxm/settings.py, derived from REDIS_URL.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
