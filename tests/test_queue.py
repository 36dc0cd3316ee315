"""With the broker unreachable, a request that enqueues a job still succeeds and keeps its rows."""

import pytest
from celery import Celery

from apps.workspaces import services, tasks
from apps.workspaces.models import Invitation, Membership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dead_broker(monkeypatch):
    # A real Celery app pointed at a closed loopback port: publishing fails the way it does when Redis is down.
    app = Celery("dead", broker="redis://127.0.0.1:1/0", set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "max_retries": 0}
    app.conf.task_publish_retry = False
    monkeypatch.setattr(tasks.send_invitation_email, "_app", app)
    tasks.send_invitation_email.bind(app)
    app.conf.task_always_eager = False
    yield
    from cxm.celery import app as real_app

    tasks.send_invitation_email.bind(real_app)


def test_invitation_is_saved_when_redis_is_down(workspace, alice, dead_broker, caplog):
    actor = Membership.objects.get(user=alice)
    invitation = services.invitation_send(workspace=workspace, invited_by=alice, actor=actor,
                                          email="new@example.com", role="viewer")
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert "broker unreachable" in caplog.text
