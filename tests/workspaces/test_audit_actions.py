"""Every sensitive action lands in the owners' audit log, done the way a person does it (through the pages)."""

import pytest
from pytest_django.asserts import assertContains

from apps.workspaces.models import ApiKey, AuditEntry, Invitation, Membership, Role
from tests.factories import CustomerFactory, InvitationFactory, MembershipFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, workspace, alice):
    client.force_login(alice)
    return client


def logged(workspace, action, **filters):
    return AuditEntry.objects.for_workspace(workspace).filter(action=action, **filters)


def test_member_invited_joined_role_changed_removed_and_invitation_revoked(owner_client, workspace, alice, client,
                                                                          django_capture_on_commit_callbacks):
    base = f"/w/{workspace.slug}"
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"{base}/members/invite/", {"email": "new@example.com", "role": "analyst"})
    assert logged(workspace, "member.invited", actor=alice, target="new@example.com").exists()
    revoked = InvitationFactory(workspace=workspace, email="gone@example.com")
    owner_client.post(f"{base}/invitations/{revoked.pk}/revoke/")
    assert logged(workspace, "invitation.revoked", target="gone@example.com").exists()

    joiner = UserFactory(username="joiner", email="new@example.com")
    client.force_login(joiner)
    invitation = Invitation.objects.for_workspace(workspace).pending().get(email="new@example.com")
    assert client.post(f"/invitations/{invitation.token}/").status_code == 302
    assert logged(workspace, "member.joined", actor=joiner, details__role="analyst").exists()

    client.force_login(alice)
    membership = Membership.objects.get(workspace=workspace, user=joiner)
    client.post(f"{base}/members/{membership.pk}/role/", {"role": "viewer"})
    assert logged(workspace, "member.role_changed", details__previous="analyst", details__role="viewer").exists()
    client.post(f"{base}/members/{membership.pk}/remove/")
    assert logged(workspace, "member.removed", target=str(joiner)).exists()


def test_api_keys_created_and_revoked(owner_client, workspace, alice):
    owner_client.post(f"/w/{workspace.slug}/api-keys/new/", {"name": "CRM sync"})
    key = ApiKey.objects.for_workspace(workspace).get()
    assert logged(workspace, "api_key.created", actor=alice).exists()
    owner_client.post(f"/w/{workspace.slug}/api-keys/{key.pk}/revoke/")
    assert logged(workspace, "api_key.revoked", actor=alice).exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_response_exports(owner_client, workspace, alice, kind):
    survey = SurveyFactory(workspace=workspace)
    response = owner_client.get(f"/w/{workspace.slug}/surveys/{survey.pk}/export.{kind}")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert logged(workspace, "responses.exported", actor=alice, details__format=kind).exists()


def test_customer_export_and_erasure(owner_client, workspace, alice):
    customer = CustomerFactory(workspace=workspace, email="mina@example.com")
    response = owner_client.get(f"/w/{workspace.slug}/customers/export/")
    b"".join(response.streaming_content)
    assert logged(workspace, "customers.exported", actor=alice).exists()
    owner_client.post(f"/w/{workspace.slug}/customers/{customer.pk}/erase/")
    entry = logged(workspace, "customer.erased", actor=alice).get()
    # The log names the profile, never the personal data that was erased.
    assert "mina@example.com" not in f"{entry.target} {entry.details}"


def test_workspace_export_deletion_and_restore_show_on_the_owners_page(owner_client, workspace, alice, settings,
                                                                       tmp_path, django_capture_on_commit_callbacks):
    settings.WORKSPACE_EXPORT_ROOT = tmp_path
    base = f"/w/{workspace.slug}/settings/data"
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"{base}/export/")
        owner_client.post(f"{base}/delete/", {"confirm": workspace.slug})
    owner_client.post(f"{base}/restore/")
    for action in ("workspace.exported", "workspace.deletion", "workspace.restored"):
        assert logged(workspace, action, actor=alice).exists(), action
    page = owner_client.get(f"/w/{workspace.slug}/audit/")
    for label in ("Workspace data exported", "Workspace deletion requested", "Workspace deletion cancelled"):
        assertContains(page, label)


def test_an_admin_cannot_read_the_log(client, workspace, alice):
    client.force_login(MembershipFactory(workspace=workspace, role=Role.ADMIN).user)
    assert client.get(f"/w/{workspace.slug}/audit/").status_code == 403
