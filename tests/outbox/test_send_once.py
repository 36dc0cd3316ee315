"""A Celery message delivered again (acks_late: its worker died after sending, or the broker's visibility timeout
passed) runs its job again: the e-mails that job logged are found by their send key and not sent twice. A new
job about the same thing (a case assigned again) is a new sending."""

import pytest
from django.core import mail

from apps.feedback.tasks import send_alert_email, send_case_assigned_email
from apps.outbox import services
from apps.outbox.models import OutboundEmail
from apps.workspaces.models import Role
from apps.workspaces.tasks import send_workspace_deletion_emails
from tests.factories import MembershipFactory, UserFactory
from tests.feedback.factories import AlertFactory, FollowUpCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(workspace):
    return MembershipFactory(workspace=workspace, role=Role.ANALYST,
                             user=UserFactory(email="analyst@example.com", language="ko")).user


def test_a_redelivered_job_sends_its_email_once(workspace, analyst):
    case = FollowUpCaseFactory(workspace=workspace, assignee=analyst)

    send_case_assigned_email.apply(args=[case.pk], task_id="message-1")
    send_case_assigned_email.apply(args=[case.pk], task_id="message-1")

    assert [message.to for message in mail.outbox] == [["analyst@example.com"]]
    email = OutboundEmail.objects.get(topic=f"follow_up_case:{case.pk}")
    assert (email.status, email.send_key) == ("sent", "task:message-1")


def test_another_job_about_the_same_case_is_another_email(workspace, analyst):
    case = FollowUpCaseFactory(workspace=workspace, assignee=analyst)

    send_case_assigned_email.apply(args=[case.pk], task_id="message-1")
    send_case_assigned_email.apply(args=[case.pk], task_id="message-2")
    send_case_assigned_email(case.pk)  # called in-process, with no message: nothing to recognise it by

    assert len(mail.outbox) == 3
    assert OutboundEmail.objects.filter(topic=f"follow_up_case:{case.pk}", status="sent").count() == 3


def test_a_job_that_died_halfway_sends_only_what_it_had_not_sent(workspace, alice, analyst, settings):
    # alice (owner) and an admin get the deletion notice; the first delivery got as far as alice.
    MembershipFactory(workspace=workspace, role=Role.ADMIN, user=UserFactory(email="admin@example.com"))
    workspace.deletion_due_at = workspace.created_at
    workspace.save(update_fields=["deletion_due_at"])
    services.email_queue(workspace=workspace, kind="workspace_deletion", to=alice.email, context={
        "workspace": workspace}, language="en", topic=f"workspace_deletion:{workspace.pk}", send_key="task:message-9")
    OutboundEmail.objects.update(status="sent")

    send_workspace_deletion_emails.apply(args=[workspace.pk], task_id="message-9")

    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert alice.email not in sent_to
    assert sent_to == sorted(["admin@example.com", "analyst@example.com"])
    assert OutboundEmail.objects.filter(to=alice.email).count() == 1


def test_each_recipient_of_an_alert_is_kept_apart(workspace, alice):
    MembershipFactory(workspace=workspace, role=Role.ADMIN, user=UserFactory(email="admin@example.com"))
    alert = AlertFactory(workspace=workspace)

    assert send_alert_email.apply(args=[alert.pk], task_id="message-3").get() == 2
    send_alert_email.apply(args=[alert.pk], task_id="message-3")

    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [alice.email, "admin@example.com"])
    assert set(OutboundEmail.objects.values_list("send_key", flat=True)) == {"task:message-3"}
