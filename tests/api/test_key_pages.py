"""/w/<slug>/api-keys/: admins list, create (shown once) and revoke keys; every change is audited."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apps.workspaces.models import ApiKey, AuditEntry, Role
from tests.api.conftest import ApiClient
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(workspace):
    return MembershipFactory(workspace=workspace, user=UserFactory(username="adam"), role=Role.ADMIN).user


def list_url(workspace):
    return f"/w/{workspace.slug}/api-keys/"


def test_admins_and_owners_see_the_keys(client, workspace, admin, alice):
    ApiKey.generate(workspace=workspace, name="CRM sync")
    revoked, _raw = ApiKey.generate(workspace=workspace, name="Old app")
    ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=revoked.created_at)
    ApiKey.generate(workspace=MembershipFactory().workspace, name="Someone else's key")
    for user in (admin, alice):
        client.force_login(user)
        response = client.get(list_url(workspace))
        assert response.status_code == 200
        assertContains(response, "CRM sync")
        assertContains(response, "Old app")
        assertContains(response, "Revoked")
        assertContains(response, "Never")
        assertNotContains(response, "Someone else")
        assertContains(response, "/api/v1/docs")


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_analysts_and_viewers_may_not(client, workspace, role):
    member = MembershipFactory(workspace=workspace, role=role).user
    key, _raw = ApiKey.generate(workspace=workspace, name="CRM sync")
    client.force_login(member)
    assert client.get(list_url(workspace)).status_code == 403
    assert client.post(f"{list_url(workspace)}new/", {"name": "Mine"}).status_code == 403
    assert client.get(f"{list_url(workspace)}{key.pk}/revoke/").status_code == 403
    assert client.post(f"{list_url(workspace)}{key.pk}/revoke/").status_code == 403
    assert ApiKey.objects.count() == 1


def test_outsiders_get_404(client, workspace, charlie):
    client.force_login(charlie)
    assert client.get(list_url(workspace)).status_code == 404


def test_creating_a_key_shows_it_once(client, workspace, admin):
    client.force_login(admin)
    response = client.post(f"{list_url(workspace)}new/", {"name": "CRM sync"})
    key = ApiKey.objects.get()
    created_url = f"{list_url(workspace)}{key.pk}/created/"
    assertRedirects(response, created_url, fetch_redirect_response=False)
    page = client.get(created_url)
    raw_key = page.context["raw_key"]
    assert raw_key.startswith(f"cxm_{key.prefix}_")
    assertContains(page, raw_key, count=2)  # the key and the curl example
    assertContains(page, "data-copy")
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    # Stored hashed only, and usable.
    assert key.key_hash == ApiKey.hash(raw_key) and raw_key not in str(ApiKey.objects.values().get())
    assert ApiClient(client, raw_key).get("touchpoints").status_code == 200
    # Never shown again.
    again = client.get(created_url)
    assertRedirects(again, list_url(workspace))
    assert raw_key not in client.get(list_url(workspace)).content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API_KEY_CREATED)
    assert (entry.workspace, entry.actor, entry.details["api_key_id"]) == (workspace, admin, key.pk)


def test_a_key_needs_a_name(client, workspace, admin):
    client.force_login(admin)
    response = client.post(f"{list_url(workspace)}new/", {"name": ""})
    assert response.status_code == 400
    assertContains(response, "field-error", status_code=400)
    assert not ApiKey.objects.exists()


def test_revoking_asks_first_and_works_without_javascript(client, workspace, admin):
    key, raw_key = ApiKey.generate(workspace=workspace, name="CRM sync")
    client.force_login(admin)
    revoke_url = f"{list_url(workspace)}{key.pk}/revoke/"
    confirm = client.get(revoke_url)
    assertContains(confirm, "Revoke the key “CRM sync”?")
    assertContains(confirm, '<form method="post"')
    key.refresh_from_db()
    assert key.revoked_at is None
    assertRedirects(client.post(revoke_url), list_url(workspace))
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert ApiClient(client, raw_key).get("touchpoints").status_code == 401
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API_KEY_REVOKED)
    assert (entry.actor, entry.details["api_key_id"]) == (admin, key.pk)
    # Revoking again changes nothing and is not audited twice.
    assertRedirects(client.post(revoke_url), list_url(workspace))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.API_KEY_REVOKED).count() == 1


def test_another_workspaces_key_is_not_found(client, workspace, admin):
    other_key, _raw = ApiKey.generate(workspace=MembershipFactory().workspace, name="Theirs")
    client.force_login(admin)
    assert client.get(f"{list_url(workspace)}{other_key.pk}/revoke/").status_code == 404
    assert client.post(f"{list_url(workspace)}{other_key.pk}/revoke/").status_code == 404
    assert client.get(f"{list_url(workspace)}{other_key.pk}/created/").status_code == 404
    other_key.refresh_from_db()
    assert other_key.revoked_at is None
