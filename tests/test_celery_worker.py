"""A real Celery worker process on Redis and PostgreSQL runs the invitation e-mail job that a view
enqueues on commit. Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (CI's second pass)."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from apps.workspaces.models import Invitation
from cxm.celery import app as celery_app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        reason = "needs REDIS_URL and a PostgreSQL DATABASE_URL (CI's second pass sets both)"
        if os.environ.get("CXM_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    database_url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                    f"{db['PORT'] or 5432}/{db['NAME']}")
    outbox = tmp_path / "outbox"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL,
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(outbox),
           "DEBUG": "1"}
    env.pop("PYTEST_VERSION", None)  # the worker is a production-like process, not part of the test run
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cxm", "worker", "--pool=solo", "-Q", queue,
         "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=warning"],
        cwd=settings.BASE_DIR, env=env)
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            assert process.poll() is None, "the Celery worker exited at start"
            assert time.monotonic() < deadline, "the Celery worker did not answer within 60 s"
        yield outbox
    finally:
        celery_app.conf.task_default_queue = previous_queue
        process.terminate()
        process.wait(timeout=30)


def test_invitation_email_is_sent_by_a_real_worker(client, worker, workspace, alice):
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/members/invite/", {"email": "new@example.com", "role": "viewer"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    deadline = time.monotonic() + 30
    while not (worker.exists() and any(worker.iterdir())):
        assert time.monotonic() < deadline, "the worker did not send the invitation within 30 s"
        time.sleep(0.2)
    sent = next(worker.iterdir()).read_text()
    assert "new@example.com" in sent
    assert invitation.token in sent


def test_healthz_sees_the_worker(client, worker):
    response = client.get("/healthz")
    assert json.loads(response.content) == {"database": "ok", "redis": "ok", "celery": "ok"}
    assert response.status_code == 200
