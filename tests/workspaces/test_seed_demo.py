import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from apps.workspaces.models import Invitation, Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_role():
    call_command("seed_demo")
    counts = (Workspace.objects.count(), Membership.objects.count(), get_user_model().objects.count(),
              Invitation.objects.count())
    call_command("seed_demo")
    assert (Workspace.objects.count(), Membership.objects.count(), get_user_model().objects.count(),
            Invitation.objects.count()) == counts
    assert counts[0] == 2
    for workspace in Workspace.objects.all():
        roles = set(Membership.objects.for_workspace(workspace).values_list("role", flat=True))
        assert roles == set(Role.values), workspace
    assert authenticate(username="demo", password="demo") is not None
