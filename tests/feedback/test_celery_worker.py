"""A real Celery worker on Redis and PostgreSQL sends the follow-up case e-mail that a detractor's
submission enqueues on commit. Runs in CI's second pass; skipped elsewhere unless CXM_REQUIRE_SERVICES."""

import time

import pytest

from apps.feedback.models import FollowUpCase

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_emails_the_assignee(worker, workspace, bob, submit):
    bob.email = "bob@example.com"
    bob.save()
    submit(nps=1, comment="배송이 사흘이나 늦었어요")
    case = FollowUpCase.objects.get()
    assert case.assignee == bob
    deadline = time.monotonic() + 60
    while not (worker.exists() and any(worker.iterdir())):
        assert time.monotonic() < deadline, "the worker did not send the case e-mail within 60 s"
        time.sleep(0.2)
    sent = next(worker.iterdir()).read_text()
    assert "bob@example.com" in sent
    assert f"https://cxm.example/w/{workspace.slug}/cases/{case.pk}/" in sent
    # The analysis job ran on the worker too.
    deadline = time.monotonic() + 60
    while not case.feedback_item.__class__.objects.filter(pk=case.feedback_item_id, analysed_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the worker did not analyse the feedback within 60 s"
        time.sleep(0.2)
