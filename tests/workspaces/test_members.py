import pytest
from pytest_django.asserts import assertContains, assertTemplateUsed

from apps.workspaces.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_url(workspace, *parts):
    return f"/w/{workspace.slug}/members/" + "".join(f"{part}/" for part in parts)


def test_member_list_shows_the_team_with_a_bounded_number_of_queries(client, workspace, alice,
                                                                    django_assert_max_num_queries):
    MembershipFactory.create_batch(30, workspace=workspace, role=Role.VIEWER)
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(members_url(workspace))
    assert response.status_code == 200
    assertContains(response, "31 members")
    assertContains(response, "Invite someone")


def test_member_list_paginates(client, workspace, alice):
    MembershipFactory.create_batch(55, workspace=workspace, role=Role.VIEWER)
    client.force_login(alice)
    response = client.get(members_url(workspace), {"page": 2})
    assertContains(response, "Page 2 of 2")
    assert len(response.context["page"].object_list) == 6


def test_member_list_htmx_request_gets_only_the_table(client, workspace, alice):
    client.force_login(alice)
    response = client.get(members_url(workspace), headers={"HX-Request": "true"})
    assertTemplateUsed(response, "workspaces/partials/member_table.html")
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]


def test_viewer_sees_members_but_no_management(client, workspace, alice, vera):
    client.force_login(vera)
    response = client.get(members_url(workspace))
    assert response.status_code == 200
    assert b"Invite someone" not in response.content
    assert b'name="role"' not in response.content


def test_admin_changes_a_role_with_htmx(client, workspace, alice, bob):
    client.force_login(alice)
    membership = Membership.objects.get(user=bob)
    response = client.post(members_url(workspace, membership.pk, "role"), {"role": "admin"},
                           headers={"HX-Request": "true"})
    assertTemplateUsed(response, "workspaces/partials/member_row.html")
    assertContains(response, "Saved")
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_analyst_may_not_change_roles(client, workspace, alice, bob):
    client.force_login(bob)
    owner = Membership.objects.get(user=alice)
    response = client.post(members_url(workspace, owner.pk, "role"), {"role": "viewer"})
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_admin_cannot_make_an_owner_or_touch_one(client, workspace, alice, bob):
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    client.force_login(admin)
    bob_membership = Membership.objects.get(user=bob)
    assert client.post(members_url(workspace, bob_membership.pk, "role"), {"role": "owner"}).status_code == 403
    alice_membership = Membership.objects.get(user=alice)
    assert client.post(members_url(workspace, alice_membership.pk, "role"), {"role": "viewer"}).status_code == 403
    assert client.post(members_url(workspace, alice_membership.pk, "remove")).status_code == 403
    assert Membership.objects.get(user=alice).role == Role.OWNER


def test_last_owner_cannot_be_demoted(client, workspace, alice):
    second_owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    client.force_login(second_owner.user)
    alice_membership = Membership.objects.get(user=alice)
    client.post(members_url(workspace, alice_membership.pk, "role"), {"role": "admin"})
    alice_membership.refresh_from_db()
    assert alice_membership.role == Role.ADMIN
    # second_owner is now the only owner; alice (admin) cannot demote them, and they cannot leave.
    response = client.post(members_url(workspace, second_owner.pk, "remove"), follow=True)
    assertContains(response, "The last owner cannot be removed")
    assert Membership.objects.filter(pk=second_owner.pk).exists()


def test_last_owner_demoting_themselves_is_refused_with_a_message(client, workspace, alice):
    other = MembershipFactory(workspace=workspace, role=Role.ADMIN)
    client.force_login(alice)
    own = Membership.objects.get(user=alice)
    # The page offers no role select for oneself, but the service must hold on its own.
    from django.core.exceptions import ValidationError

    from apps.workspaces import services

    with pytest.raises(ValidationError):
        services.membership_change_role(membership=own, actor=own, role=Role.ADMIN)
    own.refresh_from_db()
    assert own.role == Role.OWNER
    assert other.role == Role.ADMIN


def test_remove_asks_for_confirmation_then_removes(client, workspace, alice, bob):
    client.force_login(alice)
    membership = Membership.objects.get(user=bob)
    confirm = client.get(members_url(workspace, membership.pk, "remove"))
    assertContains(confirm, "Remove")
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(members_url(workspace, membership.pk, "remove"), follow=True)
    assertContains(response, "was removed from the workspace")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_can_leave(client, workspace, alice, vera):
    client.force_login(vera)
    membership = Membership.objects.get(user=vera)
    response = client.post(members_url(workspace, membership.pk, "remove"))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client.get(f"/w/{workspace.slug}/").status_code == 404


def test_viewer_cannot_remove_others(client, workspace, bob, vera):
    client.force_login(vera)
    assert client.post(members_url(workspace, Membership.objects.get(user=bob).pk, "remove")).status_code == 403


def test_workspace_switcher_lists_only_my_workspaces(client, workspace, alice, other_owner):
    second = MembershipFactory(user=alice, workspace__name="Second brand", role=Role.VIEWER).workspace
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/")
    assertContains(response, "Second brand")
    assertContains(response, second.get_absolute_url())
    assert b"Other brand" not in response.content


def test_non_member_gets_404_member_without_role_gets_403(client, workspace, alice, vera):
    client.force_login(UserFactory())
    assert client.get(f"/w/{workspace.slug}/settings/").status_code == 404
    client.force_login(vera)
    assert client.get(f"/w/{workspace.slug}/settings/").status_code == 403
