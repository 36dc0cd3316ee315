"""The workspace's e-mail log: admins see every e-mail with its status and error, filter and page through
it, and send a failed one again; other roles get 403, other workspaces 404 (tests/workspaces/test_tenancy.py)."""

import pytest
from django.contrib.messages import get_messages

from apps.outbox.models import OutboundEmail
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, WorkspaceFactory

from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(workspace):
    return MembershipFactory(workspace=workspace, role=Role.ADMIN).user


def test_the_log_pages_and_filters_in_a_fixed_number_of_queries(client, admin, workspace,
                                                                django_assert_max_num_queries):
    OutboundEmailFactory.create_batch(55, workspace=workspace, status="sent", attempts=1, last_error="")
    OutboundEmailFactory(workspace=workspace, to="refused@example.com", status="retrying", attempts=2,
                         last_error="SMTPServerDisconnected: timed out")
    OutboundEmailFactory(workspace=WorkspaceFactory(), to="elsewhere@example.com")
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        page = client.get(f"/w/{workspace.slug}/settings/emails/").content.decode()
    assert "refused@example.com" in page and "E-mail retrying" in page and "timed out" in page
    assert "elsewhere@example.com" not in page
    assert "Page 1 of 2" in page
    retrying = client.get(f"/w/{workspace.slug}/settings/emails/", {"status": "retrying"},
                          headers={"HX-Request": "true"})
    body = retrying.content.decode()
    assert "<!doctype" not in body.lower() and body.count("<tr>") == 2 and "refused@example.com" in body
    assert "No e-mail with this status." in client.get(f"/w/{workspace.slug}/settings/emails/",
                                                       {"status": "unconfirmed"}).content.decode()


def test_in_korean_the_recipient_column_is_not_the_end_date(client, admin, workspace):
    # "To" is also the end of a date range (종료일); the log's column is the recipient.
    OutboundEmailFactory(workspace=workspace)
    admin.language = "ko"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    page = client.get(f"/w/{workspace.slug}/settings/emails/").content.decode()
    assert "받는 사람" in page and "종료일" not in page


def test_an_empty_log_says_what_will_appear(client, admin, workspace):
    client.force_login(admin)
    assert "No e-mail sent yet" in client.get(f"/w/{workspace.slug}/settings/emails/").content.decode()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_only_admins_see_the_log(client, workspace, role):
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    assert client.get(f"/w/{workspace.slug}/settings/emails/").status_code == 403


def test_a_failed_email_is_queued_again_and_a_sent_one_is_not(client, admin, workspace):
    failed = OutboundEmailFactory(workspace=workspace, status="failed")
    sent = OutboundEmailFactory(workspace=workspace, status="sent", attempts=1, last_error="")
    client.force_login(admin)
    answer = client.post(f"/w/{workspace.slug}/settings/emails/{failed.pk}/resend/")
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (OutboundEmail.Status.QUEUED, 0, "")
    answer = client.post(f"/w/{workspace.slug}/settings/emails/{sent.pk}/resend/")
    assert [str(message) for message in get_messages(answer.wsgi_request)][-1] == (
        "Only a failed or unconfirmed e-mail can be sent again.")
    sent.refresh_from_db()
    assert sent.status == OutboundEmail.Status.SENT


def test_an_unconfirmed_email_asks_before_it_is_sent_again(client, admin, workspace):
    OutboundEmailFactory(workspace=workspace, status="unconfirmed")
    client.force_login(admin)
    page = client.get(f"/w/{workspace.slug}/settings/emails/").content.decode()
    assert "may have received this e-mail already" in page
