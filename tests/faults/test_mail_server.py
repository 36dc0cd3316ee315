"""The mail server refusing or timing out, with a real SMTP server on loopback (tests/faults/smtp_server.py):
e-mails are retried with backoff, their status and error are visible, each is delivered exactly once when
the server takes mail again, and none is lost silently."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.feedback.tasks import send_case_assigned_email
from apps.outbox import services
from apps.outbox.models import OutboundEmail
from apps.surveys.models import SurveyInvitation
from apps.surveys.tasks import send_distribution
from apps.workspaces.models import Role
from tests.factories import CustomerFactory, MembershipFactory, SurveyFactory, UserFactory
from tests.feedback.factories import FollowUpCaseFactory
from tests.surveys.factories import DistributionFactory

from .smtp_server import Mode, SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 0.5
        settings.EMAIL_RETRY_BASE_SECONDS = 60
        yield server


def later(email: OutboundEmail) -> timezone.datetime:
    email.refresh_from_db()
    return email.next_attempt_at + timedelta(seconds=1)


def test_a_refusing_then_silent_server_delays_the_case_email_and_it_arrives_once(smtp, workspace, client, alice):
    analyst = MembershipFactory(workspace=workspace, role=Role.ANALYST,
                                user=UserFactory(email="analyst@example.com", language="ko")).user
    case = FollowUpCaseFactory(workspace=workspace, assignee=analyst)

    smtp.mode = Mode.REFUSE
    send_case_assigned_email(case.pk)
    email = OutboundEmail.objects.get(topic=f"follow_up_case:{case.pk}")
    assert (email.status, email.attempts, email.to) == ("retrying", 1, "analyst@example.com")
    assert "421" in email.last_error
    first_wait = email.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < first_wait < timedelta(seconds=70)
    # Visible where it matters: on the case, and in the workspace's e-mail log.
    client.force_login(alice)
    page = client.get(f"/w/{workspace.slug}/cases/{case.pk}/").content.decode()
    assert "E-mail retrying" in page and "421" in page
    log = client.get(f"/w/{workspace.slug}/settings/emails/?status=retrying").content.decode()
    assert "analyst@example.com" in log

    # Not due yet: the periodic job leaves it alone.
    assert services.emails_send_due() == 0
    # Due, but the server now accepts the connection and never answers: a timeout, not a hang.
    smtp.mode = Mode.SILENT
    services.emails_send_due(now=later(email))
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("retrying", 2)
    assert "timed out" in email.last_error.lower()
    assert email.next_attempt_at - timezone.now() > first_wait  # backoff grows

    smtp.mode = Mode.ACCEPT
    services.emails_send_due(now=later(email))
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 3, "")
    assert smtp.recipients() == ["analyst@example.com"]
    # A duplicate message, a later run of the periodic job: nothing is sent again.
    services.email_deliver(email_id=email.pk, now=timezone.now() + timedelta(days=1))
    services.emails_send_due(now=timezone.now() + timedelta(days=1))
    assert smtp.recipients() == ["analyst@example.com"]
    assert "E-mail sent" in client.get(f"/w/{workspace.slug}/cases/{case.pk}/").content.decode()


def test_invitations_wait_while_the_server_refuses_and_each_customer_gets_one(smtp, workspace, settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    survey = SurveyFactory(workspace=workspace, status="live", language="ko")
    customers = CustomerFactory.create_batch(5, workspace=workspace)
    distribution = DistributionFactory(survey=survey)
    smtp.mode = Mode.REFUSE
    send_distribution(distribution.pk)
    distribution.refresh_from_db()
    assert (distribution.status, distribution.sent_count, distribution.failed_count) == ("done", 0, 0)
    assert set(SurveyInvitation.objects.values_list("status", flat=True)) == {"pending"}
    assert OutboundEmail.objects.filter(status="retrying").count() == 5

    smtp.mode = Mode.ACCEPT
    services.emails_send_due(now=timezone.now() + timedelta(minutes=2))
    assert sorted(smtp.recipients()) == sorted(customer.email for customer in customers)
    distribution.refresh_from_db()
    assert (distribution.sent_count, distribution.failed_count) == (5, 0)
    for customer in customers:
        customer.refresh_from_db()
        assert customer.last_surveyed_at is not None
    send_distribution(distribution.pk)  # a re-run sends nobody a second invitation
    assert len(smtp.recipients()) == 5


def test_an_email_refused_at_every_attempt_is_marked_failed_not_dropped(smtp, workspace, settings, client, alice):
    settings.EMAIL_MAX_ATTEMPTS = 2
    survey = SurveyFactory(workspace=workspace, status="live")
    CustomerFactory(workspace=workspace, email="gone@example.com")
    distribution = DistributionFactory(survey=survey)
    smtp.mode = Mode.REFUSE
    send_distribution(distribution.pk)
    email = OutboundEmail.objects.get()
    services.emails_send_due(now=later(email))
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 2, None)
    distribution.refresh_from_db()
    assert distribution.failed_count == 1
    client.force_login(alice)
    log = client.get(f"/w/{workspace.slug}/settings/emails/").content.decode()
    assert "gone@example.com" in log and "Send again" in log
    # An admin sends it again once the server is back: delivered, the invitation follows.
    smtp.mode = Mode.ACCEPT
    with_commit = client.post(f"/w/{workspace.slug}/settings/emails/{email.pk}/resend/")
    assert with_commit.status_code == 302
    services.emails_send_due()
    assert smtp.recipients() == ["gone@example.com"]
    assert SurveyInvitation.objects.get().status == "sent"
