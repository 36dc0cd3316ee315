"""Each rule on constructed data: a touchpoint built to be a Reduce case is proposed as Reduce."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.errc import services
from apps.errc.models import ErrcItem, ErrcProposal
from apps.errc.proposals import proposals_refresh
from apps.errc.tasks import propose_items
from apps.feedback.models import FeedbackTheme
from tests.errc.factories import ErrcBoardFactory
from tests.factories import JourneyFactory, TouchpointFactory
from tests.feedback.factories import FeedbackItemFactory, ThemeFactory
from tests.nps.factories import mix, responses, rolled_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(workspace):
    return JourneyFactory(workspace=workspace)


@pytest.fixture
def board(workspace, journey):
    return ErrcBoardFactory(workspace=workspace, journey=journey)


def step(journey, name="Step"):
    return TouchpointFactory(stage__journey=journey, name=name)


def proposed(board):
    return {(p.quadrant, p.key) for p in ErrcProposal.objects.filter(board=board)}


def feedback(workspace, *, touchpoint=None, text="Too slow", sentiment="negative", theme=None, days_ago=2):
    item = FeedbackItemFactory(workspace=workspace, touchpoint=touchpoint, text=text, sentiment_label=sentiment,
                               created_at=timezone.now() - timedelta(days=days_ago))
    if theme is not None:
        FeedbackTheme.objects.create(workspace=workspace, item=item, theme=theme)
    return item


def test_high_effort_step_without_promoters_is_eliminate(workspace, journey, board):
    touchpoint = step(journey, "Paper form")
    responses(workspace, mix(3, 7, 20), touchpoint=touchpoint, ces_score=2, days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert proposed(board) == {("eliminate", f"tp:{touchpoint.pk}")}
    proposal = ErrcProposal.objects.get()
    assert proposal.evidence["figures"]["ces"] == 2.0 and proposal.score > 0


def test_strongly_negative_step_without_promoters_is_eliminate(workspace, journey, board):
    touchpoint = step(journey)
    responses(workspace, mix(3, 17, 10), touchpoint=touchpoint, days_ago=3)
    for number in range(10):
        feedback(workspace, touchpoint=touchpoint, sentiment="negative" if number < 6 else "neutral")
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert proposed(board) == {("eliminate", f"tp:{touchpoint.pk}")}
    assert len(ErrcProposal.objects.get().evidence["examples"]) == 3


def test_high_detractor_share_is_reduce(workspace, journey, board):
    touchpoint = step(journey, "Billing")
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert proposed(board) == {("reduce", f"tp:{touchpoint.pk}")}


def test_a_rising_negative_theme_is_reduce(workspace, journey, board):
    touchpoint = step(journey)
    rising, steady = ThemeFactory(workspace=workspace, key="waiting"), ThemeFactory(workspace=workspace, key="price")
    for _ in range(6):
        feedback(workspace, touchpoint=touchpoint, theme=rising)
        feedback(workspace, touchpoint=touchpoint, theme=steady)
        feedback(workspace, touchpoint=touchpoint, theme=steady, days_ago=120)
    feedback(workspace, touchpoint=touchpoint, theme=rising, days_ago=120)
    proposals_refresh(board=board)
    assert proposed(board) == {("reduce", f"theme:{rising.pk}:{touchpoint.pk}")}
    assert ErrcProposal.objects.get().evidence["figures"]["growth"] == 6.0


def test_a_heavy_step_below_the_journey_is_raise(workspace, journey, board):
    good, weak = step(journey, "App"), step(journey, "Call centre")
    responses(workspace, mix(60, 20, 20), touchpoint=good, days_ago=3)
    responses(workspace, mix(15, 10, 15), touchpoint=weak, days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert proposed(board) == {("raise", f"tp:{weak.pk}")}
    figures = ErrcProposal.objects.get().evidence["figures"]
    assert figures["gap"] == -40.0 and figures["journey_nps"] == pytest.approx(28.6)


def test_unmet_needs_matching_no_touchpoint_are_create(workspace, journey, board):
    chat, other = ThemeFactory(workspace=workspace, key="live chat"), ThemeFactory(workspace=workspace, key="app")
    for text in ("I wish there was a live chat", "채팅 상담이 있었으면 좋겠어요", "Live chat 없어서 불편"):
        feedback(workspace, text=text, sentiment="neutral", theme=chat)
    touchpoint = step(journey)
    for _ in range(3):  # tied to a touchpoint: an existing step, not an unmet need
        feedback(workspace, touchpoint=touchpoint, text="I wish the app were faster", theme=other)
    feedback(workspace, text="Great service", sentiment="positive", theme=other)
    proposals_refresh(board=board)
    assert proposed(board) == {("create", f"need:{chat.pk}")}
    assert ErrcProposal.objects.get().evidence["figures"]["comments"] == 3


def test_too_few_answers_propose_nothing(workspace, journey, board):
    responses(workspace, mix(0, 0, 29), touchpoint=step(journey), days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert not proposed(board)


def test_the_job_is_idempotent_and_dismissals_stick_until_evidence_changes(workspace, journey, board):
    touchpoint = step(journey)
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    propose_items.delay(board.pk)
    propose_items.delay(board.pk)
    proposal = ErrcProposal.objects.get()
    services.proposal_dismiss(proposal=proposal)
    responses(workspace, mix(0, 0, 1), touchpoint=touchpoint, days_ago=2)  # a wobble, not material
    rolled_up(workspace)
    assert propose_items.delay(board.pk).get()["reopened"] == 0
    proposal.refresh_from_db()
    assert proposal.state == "dismissed"
    responses(workspace, mix(0, 0, 40), touchpoint=touchpoint, days_ago=2)  # much worse: material
    rolled_up(workspace)
    assert propose_items.delay(board.pk).get()["reopened"] == 1
    proposal.refresh_from_db()
    assert proposal.state == "open" and ErrcProposal.objects.count() == 1


def test_open_proposals_the_rules_no_longer_make_are_removed(workspace, journey, board):
    touchpoint = step(journey)
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert proposals_refresh(board=board, today=timezone.localdate() + timedelta(days=200))["removed"] == 1


def test_accepting_makes_a_planned_item_with_evidence(workspace, journey, board, bob):
    touchpoint = step(journey)
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    complaint = feedback(workspace, touchpoint=touchpoint, text="The bill is confusing")
    rolled_up(workspace)
    proposals_refresh(board=board)
    item = services.proposal_accept(proposal=ErrcProposal.objects.get(), accepted_by=bob)
    assert (item.status, item.quadrant) == ("planned", "reduce")
    assert list(item.touchpoints.all()) == [touchpoint]
    assert {e.feedback_item_id for e in item.evidence.all()} == {None, complaint.pk}
    assert ErrcProposal.objects.get().state == "accepted"
    proposals_refresh(board=board)
    assert ErrcProposal.objects.get().state == "accepted" and ErrcItem.objects.count() == 1


def test_proposal_pages(client, workspace, journey, board, bob, vera):
    touchpoint = step(journey, "Billing")
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    slug = workspace.slug
    client.force_login(vera)
    refresh = reverse("errc:proposals_refresh", kwargs={"workspace_slug": slug, "board_id": board.pk})
    assert client.post(refresh).status_code == 403
    client.force_login(bob)
    assert client.post(refresh).status_code == 302
    proposal = ErrcProposal.objects.get()
    page = client.get(reverse("errc:board_detail", kwargs={"workspace_slug": slug, "board_id": board.pk}))
    assert "Cut the friction in “Billing”" in page.content.decode()
    assert "<dt>Detractors (%)</dt><dd>50.0</dd>" in page.content.decode()
    dismiss = reverse("errc:proposal_dismiss", kwargs={"workspace_slug": slug, "proposal_id": proposal.pk})
    response = client.post(dismiss, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Cut the friction" not in response.content.decode()
    proposal.state = "open"
    proposal.save()
    accept = reverse("errc:proposal_accept", kwargs={"workspace_slug": slug, "proposal_id": proposal.pk})
    client.force_login(vera)
    assert client.post(accept).status_code == 403
    client.force_login(bob)
    assert client.post(accept).status_code == 302
    assert ErrcItem.objects.get().status == "planned"
