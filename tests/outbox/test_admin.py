"""The operators' e-mail outbox in the Django admin: searchable, filterable, and scoped like every tenant model."""

import pytest

from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_search_and_filter(client, workspace):
    OutboundEmailFactory(workspace=workspace, to="analyst@example.com")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/outbox/outboundemail/", {"q": "analyst"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert b'id="changelist-filter"' in page.content
    assert client.get("/admin/outbox/outboundemail/", {"q": "nobody"}).context["cl"].result_count == 0


def test_an_operator_finds_the_emails_of_one_job(client, workspace):
    OutboundEmailFactory(workspace=workspace, send_key="task:3f2c9a")
    OutboundEmailFactory(workspace=workspace, send_key="task:other")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/outbox/outboundemail/", {"q": "3f2c9a"})
    assert [email.send_key for email in page.context["cl"].result_list] == ["task:3f2c9a"]


def test_staff_operators_see_only_their_workspaces(client, workspace):
    from django.contrib.auth.models import Permission

    OutboundEmailFactory(workspace=workspace)
    operator = UserFactory(is_staff=True)
    operator.user_permissions.set(Permission.objects.filter(content_type__app_label="outbox"))
    mine = WorkspaceFactory()
    MembershipFactory(workspace=mine, user=operator)
    OutboundEmailFactory(workspace=mine, to="mine@example.com")
    client.force_login(operator)
    page = client.get("/admin/outbox/outboundemail/")
    assert page.status_code == 200
    assert [email.to for email in page.context["cl"].result_list] == ["mine@example.com"]


def test_the_recipient_column_is_named_as_a_recipient_in_korean():
    # "to" is also a case event's status it moved to, which Korean says with another word.
    from django.utils import translation

    from apps.feedback.models import CaseEvent
    from apps.outbox.models import OutboundEmail

    with translation.override("ko"):
        assert str(OutboundEmail._meta.get_field("to").verbose_name) == "받는 사람"
        assert str(CaseEvent._meta.get_field("to_status").verbose_name) == "변경된 상태"
