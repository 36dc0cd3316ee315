import pytest

from apps.workspaces.models import Role
from tests.factories import InvitationFactory, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(workspace):
    """A staff operator who may use the admin and belongs to one workspace."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="operator", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["workspaces", "accounts"]))
    MembershipFactory(workspace=workspace, user=user, role=Role.ADMIN)
    return user


def test_staff_operator_sees_only_their_workspaces(client, workspace, operator):
    foreign = WorkspaceFactory(name="Foreign brand")
    InvitationFactory(workspace=workspace, email="ours@example.com")
    InvitationFactory(workspace=foreign, email="theirs@example.com")
    MembershipFactory(workspace=foreign, user=UserFactory(username="stranger"))
    client.force_login(operator)

    workspaces = client.get("/admin/workspaces/workspace/")
    assert workspace.name.encode() in workspaces.content
    assert b"Foreign brand" not in workspaces.content
    invitations = client.get("/admin/workspaces/invitation/")
    assert b"ours@example.com" in invitations.content and b"theirs@example.com" not in invitations.content
    users = client.get("/admin/accounts/user/")
    assert b"operator" in users.content and b"stranger" not in users.content
    assert client.get(f"/admin/workspaces/workspace/{foreign.pk}/change/").status_code == 302  # "does not exist"
    add_form = client.get("/admin/workspaces/membership/add/")
    assert b"Foreign brand" not in add_form.content


def test_superuser_sees_everything(client, workspace):
    WorkspaceFactory(name="Foreign brand")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/workspaces/workspace/")
    assert b"Foreign brand" in response.content and workspace.name.encode() in response.content


@pytest.mark.parametrize("model", ["workspace", "membership", "invitation"])
def test_admin_lists_search_and_filter(client, workspace, model):
    MembershipFactory(workspace=workspace)
    InvitationFactory(workspace=workspace)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/workspaces/{model}/", {"q": "a"})
    assert response.status_code == 200
    assert b'id="changelist-search"' in response.content
    assert b'id="changelist-filter"' in response.content
