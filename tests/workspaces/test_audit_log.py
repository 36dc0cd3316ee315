import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from apps.workspaces.models import AuditEntry, Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_member_changes_are_audited_and_shown_to_owners(client, workspace, alice, bob,
                                                        django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{workspace.slug}/members/invite/", {"email": "new@example.com", "role": "viewer"})
    membership = Membership.objects.get(user=bob)
    client.post(f"/w/{workspace.slug}/members/{membership.pk}/role/", {"role": "viewer"})
    client.post(f"/w/{workspace.slug}/members/{membership.pk}/remove/")
    actions = list(AuditEntry.objects.for_workspace(workspace).order_by("pk").values_list("action", flat=True))
    assert actions == ["member.invited", "member.role_changed", "member.removed"]
    response = client.get(f"/w/{workspace.slug}/audit/")
    assertContains(response, "new@example.com")
    assertContains(response, "Member role changed")


def test_audit_log_filters_by_action_with_htmx(client, workspace, alice):
    AuditEntry.objects.create(workspace=workspace, actor=alice, action="member.invited", target="a@example.com")
    AuditEntry.objects.create(workspace=workspace, actor=alice, action="customer.erased", target="customer #7")
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/audit/", {"action": "customer.erased"}, headers={"HX-Request": "true"})
    assertTemplateUsed(response, "workspaces/partials/audit_table.html")
    assertContains(response, "customer #7")
    assertNotContains(response, "a@example.com")


def test_audit_log_is_for_owners_only(client, workspace, alice):
    admin = MembershipFactory(workspace=workspace, role="admin").user
    client.force_login(admin)
    assert client.get(f"/w/{workspace.slug}/audit/").status_code == 403


def test_empty_audit_log_says_so(client, workspace, alice):
    client.force_login(alice)
    assertContains(client.get(f"/w/{workspace.slug}/audit/"), "Nothing recorded yet")
