import pytest
from django.urls import reverse

from apps.errc.models import ErrcBoard, ErrcItem, ItemEvidence
from tests.errc.factories import ErrcBoardFactory, ErrcItemFactory, ItemEvidenceFactory
from tests.factories import TouchpointFactory, UserFactory
from tests.feedback.factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db


def url(name, workspace, **kwargs):
    return reverse(f"errc:{name}", kwargs={"workspace_slug": workspace.slug, **kwargs})


def test_board_list_shows_boards_and_creates_one(client, workspace, bob):
    ErrcBoardFactory(workspace=workspace, name="Onboarding 2026")
    client.force_login(bob)
    page = client.get(url("board_list", workspace))
    assert page.status_code == 200 and "Onboarding 2026" in page.content.decode()
    response = client.post(url("board_list", workspace), {"name": "Q4 plan"})
    board = ErrcBoard.objects.get(name="Q4 plan")
    assert response.status_code == 302 and board.created_by == bob and board.workspace == workspace


def test_viewers_read_but_do_not_write(client, workspace, vera):
    item = ErrcItemFactory(board__workspace=workspace, title="Kill the fax form")
    client.force_login(vera)
    assert client.get(url("board_detail", workspace, board_id=item.board_id)).status_code == 200
    page = client.get(url("item_detail", workspace, item_id=item.pk))
    assert page.status_code == 200 and "Add evidence" not in page.content.decode()
    assert client.post(url("board_list", workspace), {"name": "x"}).status_code == 403
    assert client.post(url("item_move", workspace, item_id=item.pk), {"status": "done"}).status_code == 403
    assert client.post(url("item_detail", workspace, item_id=item.pk), {"title": "y"}).status_code == 403
    assert client.post(url("evidence_add", workspace, item_id=item.pk), {"note": "n"}).status_code == 403
    assert client.get(url("item_create", workspace, board_id=item.board_id)).status_code == 403
    item.refresh_from_db()
    assert item.status == "proposed" and item.title == "Kill the fax form"


def test_other_workspaces_objects_are_not_found(client, workspace, bob, other_owner):
    foreign = ErrcItemFactory(board__workspace=other_owner.memberships.get().workspace)
    client.force_login(bob)
    assert client.get(url("item_detail", workspace, item_id=foreign.pk)).status_code == 404
    assert client.post(url("item_move", workspace, item_id=foreign.pk), {"status": "done"}).status_code == 404
    assert client.get(url("board_detail", workspace, board_id=foreign.board_id)).status_code == 404


def test_item_create_page(client, workspace, bob):
    board = ErrcBoardFactory(workspace=workspace)
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    client.force_login(bob)
    assert client.get(url("item_create", workspace, board_id=board.pk) + "?quadrant=create").status_code == 200
    response = client.post(url("item_create", workspace, board_id=board.pk), {
        "quadrant": "create", "title": "Live chat", "touchpoints": [touchpoint.pk], "owner": bob.pk})
    item = ErrcItem.objects.get(title="Live chat")
    assert response.status_code == 302 and item.owner == bob and list(item.touchpoints.all()) == [touchpoint]


def test_owner_must_be_a_member(client, workspace, bob):
    board = ErrcBoardFactory(workspace=workspace)
    client.force_login(bob)
    response = client.post(url("item_create", workspace, board_id=board.pk),
                           {"quadrant": "create", "title": "x", "owner": UserFactory().pk})
    assert response.status_code == 400 and not ErrcItem.objects.exists()


def test_move_without_javascript_redirects_to_the_board(client, workspace, bob):
    item = ErrcItemFactory(board__workspace=workspace)
    client.force_login(bob)
    response = client.post(url("item_move", workspace, item_id=item.pk), {"quadrant": "raise"})
    assert response.status_code == 302
    assert response["Location"] == url("board_detail", workspace, board_id=item.board_id)
    item.refresh_from_db()
    assert item.quadrant == "raise"


def test_move_with_htmx_returns_the_grid_fragment(client, workspace, bob):
    item = ErrcItemFactory(board__workspace=workspace, title="Fewer forms")
    client.force_login(bob)
    response = client.post(url("item_move", workspace, item_id=item.pk), {"status": "in_progress"},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'class="errc-grid"' in body and "Fewer forms" in body
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_move_rejects_an_unknown_status(client, workspace, bob):
    item = ErrcItemFactory(board__workspace=workspace)
    client.force_login(bob)
    response = client.post(url("item_move", workspace, item_id=item.pk), {"status": "bogus"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400


def test_board_page_shows_four_quadrants_and_dismissed_on_request(client, workspace, vera):
    board = ErrcBoardFactory(workspace=workspace)
    ErrcItemFactory(board=board, title="Visible one")
    ErrcItemFactory(board=board, title="Dropped one", status="dismissed")
    client.force_login(vera)
    body = client.get(url("board_detail", workspace, board_id=board.pk)).content.decode()
    for label in ("Eliminate", "Reduce", "Raise", "Create"):
        assert label in body
    assert "Visible one" in body and "Dropped one" not in body
    body = client.get(url("board_detail", workspace, board_id=board.pk) + "?dismissed=1").content.decode()
    assert "Dropped one" in body


def test_board_page_query_count_does_not_grow_with_items(client, workspace, bob, django_assert_max_num_queries):
    board = ErrcBoardFactory(workspace=workspace)
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    client.force_login(bob)
    client.get(url("board_detail", workspace, board_id=board.pk))  # warm up sessions, caches
    for number in range(12):
        item = ErrcItemFactory(board=board, quadrant=["eliminate", "reduce", "raise", "create"][number % 4],
                               owner=bob)
        item.touchpoints.add(touchpoint, through_defaults={"workspace": item.workspace})
        ItemEvidenceFactory(item=item)
    with django_assert_max_num_queries(14):
        response = client.get(url("board_detail", workspace, board_id=board.pk))
    assert response.status_code == 200


def test_add_evidence_by_feedback_id(client, workspace, bob):
    item = ErrcItemFactory(board__workspace=workspace)
    feedback = FeedbackItemFactory(workspace=workspace, text="I wish I could pay by phone")
    client.force_login(bob)
    response = client.post(url("evidence_add", workspace, item_id=item.pk), {"feedback_item": feedback.pk})
    assert response.status_code == 302
    page = client.get(url("item_detail", workspace, item_id=item.pk)).content.decode()
    assert "I wish I could pay by phone" in page


def test_add_evidence_refuses_another_workspaces_feedback(client, workspace, bob, other_owner):
    item = ErrcItemFactory(board__workspace=workspace)
    foreign = FeedbackItemFactory(workspace=other_owner.memberships.get().workspace)
    client.force_login(bob)
    response = client.post(url("evidence_add", workspace, item_id=item.pk), {"feedback_item": foreign.pk})
    assert response.status_code == 400 and not ItemEvidence.objects.exists()


def test_remove_evidence(client, workspace, bob):
    evidence = ItemEvidenceFactory(item__board__workspace=workspace)
    client.force_login(bob)
    assert client.post(url("evidence_delete", workspace, evidence_id=evidence.pk)).status_code == 302
    assert not ItemEvidence.objects.exists()


def test_edit_item_and_board(client, workspace, bob):
    item = ErrcItemFactory(board__workspace=workspace)
    client.force_login(bob)
    response = client.post(url("item_detail", workspace, item_id=item.pk),
                           {"title": "Renamed", "expected_impact": "+5 NPS"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.expected_impact) == ("Renamed", "+5 NPS")
    assert client.post(url("board_edit", workspace, board_id=item.board_id), {"name": "New name"}).status_code == 302


def test_done_item_page_shows_impact(client, workspace, bob):
    from django.utils import timezone

    item = ErrcItemFactory(board__workspace=workspace, status="done", done_at=timezone.now())
    client.force_login(bob)
    body = client.get(url("item_detail", workspace, item_id=item.pk)).content.decode()
    assert "errc-impact" in body and "days before" in body
