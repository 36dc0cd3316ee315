import pytest

from apps.errc import selectors
from apps.errc.models import ErrcBoard, ErrcItem, Status
from cxm.demo_errc import seed_errc
from tests.factories import JourneyFactory, MembershipFactory, TouchpointFactory
from tests.nps.factories import mix, responses, rolled_up

pytestmark = pytest.mark.django_db


def test_seed_errc_makes_a_board_with_every_status_and_a_done_item_with_impact(workspace):
    owner = MembershipFactory(workspace=workspace).user
    journey = JourneyFactory(workspace=workspace)
    touchpoints = [TouchpointFactory(stage__journey=journey) for _ in range(5)]
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoints[0], days_ago=30)
    responses(workspace, mix(25, 3, 2), touchpoint=touchpoints[0], days_ago=10)
    rolled_up(workspace)
    board = seed_errc(workspace)
    assert seed_errc(workspace) == board and ErrcBoard.objects.count() == 1
    items = ErrcItem.objects.filter(board=board)
    assert set(items.values_list("status", flat=True)) == set(Status.values)
    done = items.get(status="done")
    assert done.owner == owner and list(done.touchpoints.all()) == [touchpoints[0]]
    impact = selectors.item_impact(done)
    assert impact.change.delta > 0 and impact.before.nps_answers == 30


def test_seed_errc_needs_a_journey(workspace):
    assert seed_errc(workspace) is None
