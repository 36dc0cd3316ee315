from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.errc import selectors, services
from apps.errc.models import ErrcItem, Status
from tests.errc.factories import ErrcBoardFactory, ErrcItemFactory
from tests.factories import TouchpointFactory, UserFactory, WorkspaceFactory
from tests.feedback.factories import FeedbackItemFactory
from tests.nps.factories import mix, responses, rolled_up

pytestmark = pytest.mark.django_db


def test_item_create_appends_to_its_quadrant(workspace, alice):
    board = services.board_create(workspace=workspace, name="Q3", created_by=alice)
    first = services.item_create(board=board, quadrant="reduce", title="Shorter sign-up", owner=alice)
    second = services.item_create(board=board, quadrant="reduce", title="Fewer fields")
    assert (first.position, second.position) == (0, 1)
    assert first.status == Status.PROPOSED


def test_item_create_refuses_other_workspaces_objects(workspace, alice):
    board = ErrcBoardFactory(workspace=workspace)
    foreign = TouchpointFactory(stage__journey__workspace=WorkspaceFactory())
    with pytest.raises(ValidationError):
        services.item_create(board=board, quadrant="raise", title="x", touchpoints=[foreign])
    with pytest.raises(ValidationError):
        services.item_create(board=board, quadrant="raise", title="x", owner=UserFactory())


def test_moving_to_done_stamps_done_at_and_leaving_clears_it(workspace):
    item = ErrcItemFactory(board__workspace=workspace)
    services.item_move(item=item, quadrant="eliminate", status="done")
    item.refresh_from_db()
    assert item.quadrant == "eliminate" and item.status == "done" and item.done_at is not None
    services.item_move(item=item, status="in_progress")
    item.refresh_from_db()
    assert item.done_at is None


def test_done_needs_a_date_in_the_database(workspace):
    item = ErrcItemFactory(board__workspace=workspace)
    with pytest.raises(ValidationError):
        ErrcItem(workspace=workspace, board=item.board, quadrant="raise", title="x", status="done").full_clean()


def test_evidence_snapshots_the_touchpoints_kpis(workspace, alice):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    other = TouchpointFactory(stage__journey__workspace=workspace)
    responses(workspace, mix(3, 1, 1), touchpoint=touchpoint, days_ago=5, csat_score=5, ces_score=2)
    responses(workspace, mix(0, 0, 4), touchpoint=other, days_ago=5)
    responses(workspace, mix(0, 0, 9), touchpoint=touchpoint, days_ago=200)  # outside the 90 days
    rolled_up(workspace)
    item = services.item_create(board=ErrcBoardFactory(workspace=workspace), quadrant="raise", title="x",
                                touchpoints=[touchpoint])
    feedback = FeedbackItemFactory(workspace=workspace, touchpoint=touchpoint)
    evidence = services.evidence_add(item=item, created_by=alice, feedback_item=feedback)
    assert evidence.kpi_snapshot["nps"] == 40.0
    assert evidence.kpi_snapshot["n"] == 5
    assert evidence.kpi_snapshot["csat"] == 100.0
    assert evidence.kpi_snapshot["ces"] == 2.0
    with pytest.raises(ValidationError):
        services.evidence_add(item=item, feedback_item=feedback)


def test_evidence_sums_several_touchpoints(workspace):
    one = TouchpointFactory(stage__journey__workspace=workspace)
    two = TouchpointFactory(stage__journey__workspace=workspace)
    responses(workspace, mix(2, 0, 0), touchpoint=one, days_ago=3)
    responses(workspace, mix(0, 0, 2), touchpoint=two, days_ago=3)
    rolled_up(workspace)
    item = services.item_create(board=ErrcBoardFactory(workspace=workspace), quadrant="raise", title="x",
                                touchpoints=[one, two])
    evidence = services.evidence_add(item=item, note="Both matter")
    assert evidence.kpi_snapshot["nps"] == 0.0 and evidence.kpi_snapshot["n"] == 4


def test_evidence_needs_feedback_or_a_note(workspace):
    item = ErrcItemFactory(board__workspace=workspace)
    with pytest.raises(ValidationError):
        services.evidence_add(item=item, note="   ")
    with pytest.raises(ValidationError):
        services.evidence_add(item=item, feedback_item=FeedbackItemFactory(workspace=WorkspaceFactory()))


def test_impact_compares_equal_periods_around_the_done_day(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    responses(workspace, mix(10, 10, 20), touchpoint=touchpoint, days_ago=20)
    responses(workspace, mix(30, 5, 5), touchpoint=touchpoint, days_ago=5)
    responses(workspace, mix(0, 0, 50), touchpoint=touchpoint, days_ago=40)  # before the before-period
    rolled_up(workspace)
    item = services.item_create(board=ErrcBoardFactory(workspace=workspace), quadrant="reduce", title="x",
                                touchpoints=[touchpoint])
    services.item_move(item=item, status="done", now=timezone.now() - timedelta(days=10))
    impact = selectors.item_impact(item)
    assert impact.days == 11
    assert (impact.before.nps_answers, impact.after.nps_answers) == (40, 40)
    assert impact.before.nps == -25.0 and impact.after.nps == 62.5
    assert impact.change.significant and impact.change.direction == "up"


def test_impact_is_none_until_done(workspace):
    assert selectors.item_impact(ErrcItemFactory(board__workspace=workspace)) is None
