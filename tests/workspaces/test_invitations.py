from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.workspaces.models import Invitation, Membership, Role
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, workspace, email="new.person@example.com", role="analyst"):
    return client.post(f"/w/{workspace.slug}/members/invite/", {"email": email, "role": role})


def test_admin_invites_by_email_sent_after_commit(client, workspace, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = invite(client, workspace, email="New.Person@Example.com")
    assert response.status_code == 302
    assert len(callbacks) == 1
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.com"
    assert len(invitation.token) >= 40
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert invitation.get_accept_url() in message.body
    assert "Hanbit Telecom" in message.subject


def test_invitation_email_is_in_the_workspace_language(client, workspace, alice, django_capture_on_commit_callbacks):
    workspace.default_language = "ko"
    workspace.save()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, workspace)
    assert "초대" in mail.outbox[0].subject


def test_reinviting_refreshes_the_pending_invitation(client, workspace, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, workspace)
        first_token = Invitation.objects.get().token
        invite(client, workspace, role="viewer")
    invitation = Invitation.objects.get()
    assert invitation.token != first_token
    assert invitation.role == Role.VIEWER
    assert len(mail.outbox) == 2


def test_inviting_a_member_again_is_refused_with_a_message(client, workspace, alice, bob):
    client.force_login(alice)
    response = invite(client, workspace, email=bob.email)
    assert response.status_code == 400
    assertContains(response, "already a member", status_code=400)
    assert not Invitation.objects.exists()


def test_bad_email_is_reported(client, workspace, alice):
    client.force_login(alice)
    response = invite(client, workspace, email="not-an-address")
    assertContains(response, "Enter a valid email address", status_code=400)


def test_analyst_cannot_invite(client, workspace, bob):
    client.force_login(bob)
    assert invite(client, workspace).status_code == 403


def test_new_person_sets_a_password_and_joins(client, workspace):
    invitation = InvitationFactory(workspace=workspace, role=Role.ANALYST)
    url = f"/invitations/{invitation.token}/"
    assertContains(client.get(url), "Set your name and a password")
    weak = client.post(url, {"first_name": "Min", "language": "ko", "password1": "123", "password2": "123"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["password1"]
    response = client.post(url, {"first_name": "Min", "last_name": "Kim", "language": "ko",
                                 "password1": "journey-map-2026", "password2": "journey-map-2026"})
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/"
    membership = Membership.objects.get(workspace=workspace, user__email=invitation.email)
    assert membership.role == Role.ANALYST
    assert membership.user.language == "ko"
    assert membership.user.check_password("journey-map-2026")
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user


def test_signed_in_person_accepts_with_one_click(client, workspace):
    person = UserFactory()
    invitation = InvitationFactory(workspace=workspace, email=person.email, role=Role.VIEWER)
    client.force_login(person)
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=person).role == Role.VIEWER


def test_existing_account_is_asked_to_sign_in(client, workspace):
    person = UserFactory()
    invitation = InvitationFactory(workspace=workspace, email=person.email)
    response = client.get(f"/invitations/{invitation.token}/")
    assertContains(response, "Sign in to accept")
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.parametrize("state, message", [
    ({"expires_at": timezone.now() - timedelta(minutes=1)}, "has expired"),
    ({"revoked_at": timezone.now()}, "not valid any more"),
    ({"accepted_at": timezone.now()}, "already been accepted"),
])
def test_unusable_invitations_say_why(client, workspace, state, message):
    invitation = InvitationFactory(workspace=workspace, **state)
    response = client.post(f"/invitations/{invitation.token}/", {
        "first_name": "X", "language": "en", "password1": "journey-map-2026", "password2": "journey-map-2026"})
    assertContains(response, message, status_code=410)
    assert not Membership.objects.filter(workspace=workspace).exists()


def test_unknown_token_is_gone(client):
    assert client.get("/invitations/not-a-real-token/").status_code == 410


def test_revoke_and_resend(client, workspace, alice, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(workspace=workspace)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{workspace.slug}/invitations/{invitation.pk}/resend/")
    assert len(mail.outbox) == 1
    client.post(f"/w/{workspace.slug}/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(f"/invitations/{invitation.token}/").status_code == 410
