"""A Celery worker SIGKILLed in the middle of an invitation e-mail batch, with a real worker and beat on
PostgreSQL and a private Redis, and a real SMTP server on loopback: the job's message was not acknowledged
(acks_late), so it comes back after the (shortened) visibility timeout and a new worker reruns it. The rerun
sends the e-mails the dead worker had not reached, and nobody gets an invitation twice: the one e-mail that
was in the middle of its SMTP conversation is marked "not confirmed" for an admin to look at, not resent."""

import pytest

from apps.outbox.models import OutboundEmail
from apps.surveys.models import Distribution, SurveyInvitation
from apps.surveys.tasks import send_distribution
from cxm.celery import app as celery_app
from tests.factories import CustomerFactory, SurveyFactory
from tests.kpis.live_stack import CeleryStack, PrivateRedis, celery_app_on, require_live_services, wait_until
from tests.surveys.factories import DistributionFactory

from .smtp_server import SmtpServer

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

CUSTOMERS = 6
HELD_MESSAGE = 3  # the SMTP server holds this one's reply: the worker is killed while waiting for it


@pytest.fixture
def stack(tmp_path, settings, transactional_db):
    require_live_services(settings)
    redis = PrivateRedis(tmp_path)
    stack = CeleryStack(tmp_path, redis_url=redis.url, dirty_slice_seconds=60)
    with SmtpServer() as smtp:
        stack.env.update({
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port), "EMAIL_TIMEOUT": "60",
            # Short, so the test sees the redelivery and the stale claim within seconds.
            "CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "EMAIL_SENDING_LEASE_SECONDS": "5", "EMAIL_POLL_SECONDS": "1"})
        try:
            redis.start()
            with celery_app_on(celery_app, redis_url=redis.url, queue=stack.queue):
                try:
                    stack.start(celery_app)
                    yield stack, smtp
                finally:
                    stack.stop()
        finally:
            redis.stop()


def test_a_worker_killed_mid_batch_is_replaced_and_no_customer_is_emailed_twice(stack, workspace):
    stack, smtp = stack
    survey = SurveyFactory(workspace=workspace, status="live", language="ko")
    customers = CustomerFactory.create_batch(CUSTOMERS, workspace=workspace)
    distribution = DistributionFactory(survey=survey)
    smtp.hold_on_message = HELD_MESSAGE

    send_distribution.delay(distribution.pk)
    assert smtp.holding.wait(timeout=60), f"the worker never reached e-mail {HELD_MESSAGE}\n{stack.logs()}"
    stack.kill_worker()
    smtp.release.set()  # the dropped conversation ends without a 250: that message was not taken
    assert smtp.received_count() == HELD_MESSAGE - 1
    claimed = OutboundEmail.objects.get(status=OutboundEmail.Status.SENDING)

    stack.start_worker(celery_app)
    wait_until(lambda: Distribution.objects.get(pk=distribution.pk).status == Distribution.Status.DONE,
               timeout=60, message="the killed job was not rerun within 60 s", details=stack.logs)
    wait_until(lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING).count() == 0, timeout=30,
               message="the dead worker's claim was never settled", details=stack.logs)

    recipients = smtp.recipients()
    assert len(recipients) == len(set(recipients)) == CUSTOMERS - 1, recipients
    claimed.refresh_from_db()
    assert claimed.status == OutboundEmail.Status.UNCONFIRMED
    assert claimed.to not in recipients
    assert sorted([*recipients, claimed.to]) == sorted(customer.email for customer in customers)
    invitations = SurveyInvitation.objects.filter(distribution=distribution)
    assert invitations.filter(status=SurveyInvitation.Status.SENT).count() == CUSTOMERS - 1
    assert invitations.get(status=SurveyInvitation.Status.FAILED).email_id == claimed.pk
    assert OutboundEmail.objects.count() == CUSTOMERS  # the rerun logged no second e-mail
    distribution.refresh_from_db()
    assert (distribution.sent_count, distribution.failed_count) == (CUSTOMERS - 1, 1)
