import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from apps.customers.models import Segment
from apps.workspaces.models import Invitation, Membership, Role, Workspace

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_role():
    call_command("seed_demo", customers=20, responses=300)
    counts = (Workspace.objects.count(), Membership.objects.count(), get_user_model().objects.count(),
              Invitation.objects.count())
    call_command("seed_demo", customers=20, responses=300)
    assert (Workspace.objects.count(), Membership.objects.count(), get_user_model().objects.count(),
            Invitation.objects.count()) == counts
    assert counts[0] == 2
    for workspace in Workspace.objects.all():
        roles = set(Membership.objects.for_workspace(workspace).values_list("role", flat=True))
        assert roles == set(Role.values), workspace
    assert authenticate(username="demo", password="demo") is not None


def test_seed_demo_builds_journeys_and_customers_once():
    from apps.customers.models import Customer
    from apps.touchpoints.models import Journey, Touchpoint

    call_command("seed_demo", customers=50, responses=300)
    call_command("seed_demo", customers=50, responses=300)
    for workspace in Workspace.objects.all():
        assert Journey.objects.for_workspace(workspace).count() == 2
        assert 14 <= Touchpoint.objects.for_workspace(workspace).count() <= 18
        assert Touchpoint.objects.for_workspace(workspace).exclude(owner=None).exists()
        assert Customer.objects.for_workspace(workspace).count() == 50
    customer = Customer.objects.filter(language="ko").first()
    assert {"tier", "region", "segment"} <= set(customer.attributes)


def test_seed_demo_fills_every_dashboard_tile():
    from apps.kpis.dashboard import DashboardData, period_for
    from apps.kpis.tiles import TILES

    call_command("seed_demo", customers=200, responses=3000)
    workspace = Workspace.objects.get(slug="hanbit-telecom")
    data = DashboardData(workspace, period_for(workspace, days=90))
    empty = [tile.key for tile in TILES if tile.compute(data).value is None]
    assert empty == []


def test_seed_demo_has_segments_and_two_answered_nps_waves():
    from apps.surveys.models import WaveSchedule
    from apps.surveys.selectors import wave_comparisons

    call_command("seed_demo", customers=200, responses=300)
    call_command("seed_demo", customers=200, responses=300)
    workspace = Workspace.objects.get(slug="hanbit-telecom")
    assert Segment.objects.for_workspace(workspace).count() == 5
    assert WaveSchedule.objects.for_workspace(workspace).count() == 1
    [comparison] = wave_comparisons(workspace)
    first, second = comparison.waves
    assert first.scores.nps_answers > 20 and second.scores.nps_answers > 20
    assert second.change.delta is not None and second.change.delta > 0
