import json

import pytest

from cxm.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_in_the_embedded_setup(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "redis": "disabled", "celery": "eager"}


def test_healthz_reports_redis_down(client, settings):
    # Nothing listens on port 1 of the loopback: a connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    celery_app.conf.task_always_eager = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "redis": "down", "celery": "down"}
