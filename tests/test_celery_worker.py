"""A real Celery worker process on Redis and PostgreSQL runs the invitation e-mail job that a view
enqueues on commit. Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (CI's second pass)."""

import json
import time

import pytest

from apps.workspaces.models import Invitation

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


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
