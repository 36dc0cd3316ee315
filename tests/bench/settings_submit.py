"""Settings of the gunicorn that tests/bench/bench_submit.py measures: the production settings (DEBUG off),
plus what a benchmark on loopback needs. Not a bench itself (the Makefile runs bench_*.py only)."""

import os

from cxm.settings import *  # noqa: F403
from cxm.settings import REDIS_URL

# One client address sends every submission: raise the per-address limit (the setting the rate limiter
# reads, apps/surveys/ratelimit.py), as the web process of a real deployment could through its environment.
SURVEY_SUBMISSIONS_PER_MINUTE = int(os.environ.get("SURVEY_SUBMISSIONS_PER_MINUTE", "20"))

# No collectstatic for a benchmark: the page links to its stylesheet without the hashed manifest name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if not REDIS_URL:
    # Without Redis the jobs a submission enqueues go to an in-process queue nobody reads, instead of running
    # eagerly inside the request: the web path is measured, as with a broker in production.
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_URL = "memory://"
