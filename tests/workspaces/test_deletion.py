"""Workspace deletion with a grace period: marked, members e-mailed, hidden and read-only, restorable by
an owner; after the grace period a periodic job deletes every row of it and nothing of another."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.accounts.models import User
from apps.workspaces import tasks
from apps.workspaces.models import ApiKey, AuditEntry, Role, Workspace
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .world import EMPTY_TABLES, populate, row_counts

pytestmark = pytest.mark.django_db


def request_deletion(client, workspace, django_capture_on_commit_callbacks, confirm=None):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/w/{workspace.slug}/settings/data/delete/", {"confirm": confirm or workspace.slug})


def test_deletion_needs_the_slug_typed(client, workspace, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    response = request_deletion(client, workspace, django_capture_on_commit_callbacks, confirm="hanbi")
    assertContains(response, "That is not “hanbit”", status_code=400)
    workspace.refresh_from_db()
    assert not workspace.pending_deletion


def test_requesting_deletion_marks_audits_and_emails_every_member(client, workspace, alice, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.WORKSPACE_DELETION_GRACE_DAYS = 14
    MembershipFactory(workspace=workspace, role=Role.VIEWER,
                      user=UserFactory(username="minji", email="minji@example.com", language="ko"))
    client.force_login(alice)
    before = timezone.now()
    response = request_deletion(client, workspace, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert before + timedelta(days=14) <= workspace.deletion_due_at <= timezone.now() + timedelta(days=14)
    assert AuditEntry.objects.for_workspace(workspace).filter(action="workspace.deletion", actor=alice).exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([alice.email, "minji@example.com"])
    korean = next(message for message in mail.outbox if message.to == ["minji@example.com"])
    assert "삭제" in korean.subject
    english = next(message for message in mail.outbox if message.to == [alice.email])
    assert english.subject == "Hanbit Telecom will be deleted"
    assert f"/w/{workspace.slug}/settings/data/" in english.body


def test_a_workspace_waiting_for_deletion_is_hidden_and_read_only(client, workspace, alice, bob,
                                                                  django_capture_on_commit_callbacks):
    _key, raw_key = ApiKey.generate(workspace=workspace, name="Integration")
    client.force_login(alice)
    request_deletion(client, workspace, django_capture_on_commit_callbacks)
    # Owners still read it, with a banner, but cannot change anything.
    assertContains(client.get(f"/w/{workspace.slug}/"), "scheduled for deletion")
    assertContains(client.post(f"/w/{workspace.slug}/journeys/new/", {"name": "New"}), "read-only", status_code=409)
    # Other members do not see it at all.
    client.force_login(bob)
    assert client.get(f"/w/{workspace.slug}/").status_code == 404
    assert client.get("/").url == "/workspaces/new/"
    assert workspace.name not in client.get("/accounts/profile/").content.decode()
    # Its API keys stop working.
    assert ApiKey.authenticate(raw_key) is None
    assert client.get("/api/v1/touchpoints", headers={"Authorization": f"Bearer {raw_key}"}).status_code == 401


def test_an_owner_restores_it(client, workspace, alice, bob, django_capture_on_commit_callbacks):
    key, raw_key = ApiKey.generate(workspace=workspace, name="Integration")
    client.force_login(alice)
    request_deletion(client, workspace, django_capture_on_commit_callbacks)
    assert client.post(f"/w/{workspace.slug}/settings/data/restore/").status_code == 302
    workspace.refresh_from_db()
    assert not workspace.pending_deletion
    assert AuditEntry.objects.for_workspace(workspace).filter(action="workspace.restored").exists()
    assert ApiKey.authenticate(raw_key) == key
    client.force_login(bob)
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    # Restored before the due time: the purge job leaves it alone.
    assert tasks.purge_deleted_workspaces() == 0


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST, Role.VIEWER])
def test_only_owners_delete(client, workspace, role, django_capture_on_commit_callbacks):
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    assert request_deletion(client, workspace, django_capture_on_commit_callbacks).status_code == 403
    workspace.refresh_from_db()
    assert not workspace.pending_deletion


def test_after_the_grace_period_every_row_goes_and_other_workspaces_stay(client, workspace, alice, settings,
                                                                         django_capture_on_commit_callbacks,
                                                                         django_assert_max_num_queries, tmp_path):
    settings.WORKSPACE_EXPORT_ROOT = tmp_path
    other = WorkspaceFactory(name="Other brand")
    populate(workspace)
    populate(other)
    outsider = MembershipFactory(workspace=other, role=Role.OWNER).user
    both = UserFactory(username="both")
    MembershipFactory(workspace=workspace, user=both)
    MembershipFactory(workspace=other, user=both)
    User.objects.filter(pk=both.pk).update(last_workspace=workspace)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{workspace.slug}/settings/data/export/")
    export_files = list(tmp_path.iterdir())
    assert export_files
    request_deletion(client, workspace, django_capture_on_commit_callbacks)
    others_before = row_counts(other.pk)
    assert {label for label, count in row_counts(workspace.pk).items() if not count} <= EMPTY_TABLES

    assert tasks.purge_deleted_workspaces() == 0  # still in its grace period
    Workspace.objects.filter(pk=workspace.pk).update(deletion_due_at=timezone.now() - timedelta(seconds=1))
    tables = len(row_counts(other.pk))
    # Set-based: one DELETE per table, not one per row.
    with django_assert_max_num_queries(tables + 12):
        assert tasks.purge_deleted_workspaces() == 1

    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert set(row_counts(workspace.pk).values()) == {0}
    assert row_counts(other.pk) == others_before
    assert not any(path.exists() for path in export_files)
    # People are not workspace data: their accounts stay, and "/" no longer points at the deleted workspace.
    both.refresh_from_db()
    assert both.last_workspace_id is None
    assert User.objects.filter(pk__in=[alice.pk, outsider.pk]).count() == 2
    client.force_login(outsider)
    assert client.get(f"/w/{other.slug}/").status_code == 200
