"""Each rule on constructed data: a touchpoint built to be a Reduce case is proposed as Reduce."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from apps.errc import services
from apps.errc.models import ErrcItem, ErrcProposal
from apps.errc.proposals import MAX_PER_QUADRANT, RISING_THEMES, proposals_refresh
from apps.errc.tasks import propose_items
from apps.feedback import wishes
from apps.feedback.models import FeedbackItem, FeedbackTheme
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
        # The mention as the analysis links it: its clause's sentiment, and whether the clause wishes.
        FeedbackTheme.objects.create(workspace=workspace, item=item, theme=theme, sentiment_label=sentiment,
                                     unmet_need=wishes.is_unmet_need(text))
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
        feedback(workspace, touchpoint=touchpoint, text=f"Comment {number}",
                 sentiment="negative" if number < 6 else "neutral")
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


def comments(workspace, count, *, touchpoint=None, themes=(), days_ago=2, sentiment="negative", text="Too slow"):
    """`count` analysed comments `days_ago` days ago, each naming every theme in `themes`."""
    created_at = timezone.now() - timedelta(days=days_ago)
    items = FeedbackItem.objects.bulk_create([
        FeedbackItem(workspace=workspace, touchpoint=touchpoint, text=text, sentiment_label=sentiment,
                     created_at=created_at) for _ in range(count)])
    FeedbackTheme.objects.bulk_create([
        FeedbackTheme(workspace=workspace, item=item, theme=theme, sentiment_label=sentiment)
        for item in items for theme in themes])
    return items


def test_a_rising_negative_theme_is_reduce(workspace, journey, board):
    touchpoint = step(journey, "Billing")
    waiting, price = ThemeFactory(workspace=workspace, key="waiting"), ThemeFactory(workspace=workspace, key="price")
    billing = ThemeFactory(workspace=workspace, key="bill", label_en="billing")
    # The 60 days before the last 30: waiting in 4 of 40 negative comments (10%), price in half of them.
    comments(workspace, 4, touchpoint=touchpoint, themes=[waiting], days_ago=45)
    comments(workspace, 20, touchpoint=touchpoint, themes=[price], days_ago=50)
    comments(workspace, 16, touchpoint=touchpoint, themes=[], days_ago=60)
    # The last 30 days: waiting in 24 of 40 (60%), price about as before; "billing" is the step itself.
    latest = comments(workspace, 24, touchpoint=touchpoint, themes=[waiting, billing], days_ago=3)
    comments(workspace, 16, touchpoint=touchpoint, themes=[price], days_ago=4)
    comments(workspace, 20, touchpoint=touchpoint, themes=[billing], days_ago=80, sentiment="neutral")
    proposals_refresh(board=board)
    assert proposed(board) == {("reduce", f"tp:{touchpoint.pk}")}
    proposal = ErrcProposal.objects.get()
    assert [(row["key"], row["mentions"], row["share_before"], row["share"]) for row in proposal.rising_themes] == [
        ("waiting", 24, 10.0, 60.0)]
    assert proposal.evidence["reasons"] == ["rising"] and proposal.score == 50.0
    assert {example["id"] for example in proposal.evidence["examples"]} <= {item.pk for item in latest}
    assert proposal.reason == "Negative themes rising here: “waiting”."


def test_a_theme_is_not_rising_without_an_analysed_period_to_compare_with(workspace, journey, board):
    touchpoint = step(journey)
    waiting = ThemeFactory(workspace=workspace, key="waiting")
    comments(workspace, 29, touchpoint=touchpoint, days_ago=45)  # one short of RISING_BASELINE
    comments(workspace, 25, touchpoint=touchpoint, themes=[waiting], days_ago=3)
    proposals_refresh(board=board)
    assert not proposed(board)
    comments(workspace, 1, touchpoint=touchpoint, days_ago=45)
    proposals_refresh(board=board)
    assert proposed(board) == {("reduce", f"tp:{touchpoint.pk}")}


def test_a_step_carries_only_its_steepest_rising_themes(workspace, journey, board):
    touchpoint = step(journey)
    themes = [ThemeFactory(workspace=workspace, key=f"theme{number}") for number in range(5)]
    comments(workspace, 40, touchpoint=touchpoint, days_ago=45)
    for number, theme in enumerate(themes):
        comments(workspace, 20 + number, touchpoint=touchpoint, themes=[theme], days_ago=3)
    proposals_refresh(board=board)
    proposal = ErrcProposal.objects.get()
    assert [row["key"] for row in proposal.rising_themes] == ["theme4", "theme3", "theme2"]
    assert len(proposal.rising_themes) == RISING_THEMES


def test_themes_of_the_same_comments_rise_as_one(workspace, journey, board):
    touchpoint = step(journey)
    packaging, product, late = (ThemeFactory(workspace=workspace, key=key) for key in ("box", "product", "late"))
    comments(workspace, 40, touchpoint=touchpoint, days_ago=45)
    comments(workspace, 30, touchpoint=touchpoint, themes=[packaging, product], days_ago=3)
    comments(workspace, 5, touchpoint=touchpoint, themes=[product], days_ago=3)
    comments(workspace, 22, touchpoint=touchpoint, themes=[late], days_ago=3)
    proposals_refresh(board=board)
    assert [row["key"] for row in ErrcProposal.objects.get().rising_themes] == ["product", "late"]


def test_a_dismissed_reduce_returns_when_another_theme_rises(workspace, journey, board):
    touchpoint = step(journey)
    waiting, price = ThemeFactory(workspace=workspace, key="waiting"), ThemeFactory(workspace=workspace, key="price")
    comments(workspace, 40, touchpoint=touchpoint, days_ago=45)
    comments(workspace, 25, touchpoint=touchpoint, themes=[waiting], days_ago=3)
    proposals_refresh(board=board)
    services.proposal_dismiss(proposal=ErrcProposal.objects.get())
    comments(workspace, 3, touchpoint=touchpoint, themes=[waiting], days_ago=2)  # more of the same
    assert proposals_refresh(board=board)["reopened"] == 0
    comments(workspace, 25, touchpoint=touchpoint, themes=[price], days_ago=2)
    assert proposals_refresh(board=board)["reopened"] == 1
    assert ErrcProposal.objects.get().state == "open"


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
    chat = ThemeFactory(workspace=workspace, key="live chat")
    app, weekend = ThemeFactory(workspace=workspace, key="app"), ThemeFactory(workspace=workspace, key="weekend")
    for text in ("I wish there was a live chat", "채팅 상담이 있었으면 좋겠어요", "Live chat 없어서 불편",
                 "Live chat 생겼으면", "It would be nice to have a live chat"):
        feedback(workspace, text=text, sentiment="neutral", theme=chat)
    touchpoint = step(journey, "Mobile app")
    for days_ago in range(6):  # the app exists: wishes about it are for Raise or Reduce, not Create
        feedback(workspace, touchpoint=touchpoint, text="I wish the app were faster", theme=app, days_ago=days_ago)
    for _ in range(4):
        feedback(workspace, text="Great service", sentiment="positive", theme=chat)
    proposals_refresh(board=board)
    assert proposed(board) == {("create", f"need:{chat.pk}")}
    proposal = ErrcProposal.objects.get()
    assert proposal.evidence["figures"]["comments"] == 5 and len(proposal.evidence["examples"]) == 3
    assert proposal.headline == "Meet the unmet need: live chat"
    # A need named with another theme in the same comments is one need, not two.
    for item in FeedbackItem.objects.filter(themes=chat):
        FeedbackTheme.objects.create(workspace=workspace, item=item, theme=weekend)
    proposals_refresh(board=board)
    assert [p.key for p in ErrcProposal.objects.all()] == [f"need:{chat.pk}"]


def test_satisfaction_worded_like_a_need_is_no_create(workspace, journey, board):
    waiting = ThemeFactory(workspace=workspace, key="대기", label_en="waiting time")
    for number in range(6):
        feedback(workspace, text=f"대기 시간이 없어서 좋았어요 {number}", sentiment="positive", theme=waiting)
    proposals_refresh(board=board)
    assert not proposed(board)
    for number in range(6):
        feedback(workspace, text=f"대기 시간 안내가 없어서 아쉬웠어요 {number}", sentiment="negative", theme=waiting)
    proposals_refresh(board=board)
    assert proposed(board) == {("create", f"need:{waiting.pk}")}


def test_a_theme_rises_by_its_own_clause_not_by_the_whole_comment(workspace, journey, board):
    """Comments that are positive overall ("friendly staff, but the wait was long") still count against the
    theme their negative clause names; a negative comment that praises a theme does not count against it."""
    touchpoint = step(journey, "Store visit")
    waiting, staff = ThemeFactory(workspace=workspace, key="waiting"), ThemeFactory(workspace=workspace, key="staff")
    comments(workspace, 4, touchpoint=touchpoint, themes=[waiting], days_ago=45)
    comments(workspace, 36, touchpoint=touchpoint, themes=[], days_ago=50)
    recent = comments(workspace, 24, touchpoint=touchpoint, themes=[staff], days_ago=3, sentiment="positive")
    FeedbackTheme.objects.bulk_create([FeedbackTheme(workspace=workspace, item=item, theme=waiting,
                                                     sentiment_label="negative") for item in recent])
    praised = comments(workspace, 16, touchpoint=touchpoint, themes=[staff], days_ago=4, sentiment="negative")
    FeedbackTheme.objects.filter(item__in=praised, theme=staff).update(sentiment_label="positive")
    proposals_refresh(board=board)
    proposal = ErrcProposal.objects.get()
    assert proposal.key == f"tp:{touchpoint.pk}" and [row["key"] for row in proposal.rising_themes] == ["waiting"]


def test_a_healthy_touchpoint_gets_nothing(workspace, journey, board):
    touchpoint = step(journey, "Store")
    other = step(journey, "Web")
    responses(workspace, mix(24, 10, 6), touchpoint=touchpoint, ces_score=6, days_ago=3)
    responses(workspace, mix(24, 10, 6), touchpoint=other, ces_score=6, days_ago=3)
    praise = ThemeFactory(workspace=workspace, key="staff")
    comments(workspace, 30, touchpoint=touchpoint, themes=[praise], sentiment="positive", days_ago=45)
    comments(workspace, 30, touchpoint=touchpoint, themes=[praise], sentiment="positive", days_ago=3)
    comments(workspace, 5, touchpoint=touchpoint, sentiment="negative", days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    assert not proposed(board)


def test_each_quadrant_keeps_its_best_proposals_and_a_dismissal_frees_a_slot(workspace, journey, board):
    steps = [step(journey, f"Step {number}") for number in range(MAX_PER_QUADRANT + 2)]
    for number, touchpoint in enumerate(steps):
        responses(workspace, mix(6, 8 - number, 16 + number), touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    reduce = ErrcProposal.objects.filter(quadrant="reduce")
    assert reduce.count() == MAX_PER_QUADRANT
    assert set(reduce.values_list("touchpoint", flat=True)) == {t.pk for t in steps[2:]}
    services.proposal_dismiss(proposal=reduce.get(touchpoint=steps[-1]))
    services.proposal_accept(proposal=reduce.get(touchpoint=steps[-2]))
    proposals_refresh(board=board)
    open_reduce = reduce.filter(state="open")
    assert open_reduce.count() == MAX_PER_QUADRANT
    assert set(open_reduce.values_list("touchpoint", flat=True)) == {t.pk for t in steps[:5]}
    assert reduce.count() == MAX_PER_QUADRANT + 2


def test_re_running_changes_nothing(workspace, journey, board):
    touchpoint = step(journey)
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    comments(workspace, 5, touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    proposals_refresh(board=board)
    before = list(ErrcProposal.objects.values("pk", "quadrant", "key", "title", "rule", "evidence", "score",
                                              "fingerprint", "state"))
    assert proposals_refresh(board=board) == {"created": 0, "updated": 1, "reopened": 0, "removed": 0}
    assert list(ErrcProposal.objects.values("pk", "quadrant", "key", "title", "rule", "evidence", "score",
                                            "fingerprint", "state")) == before


def test_titles_are_worded_in_the_readers_language(workspace, journey, board):
    touchpoint = step(journey, "유심 배송")
    responses(workspace, mix(10, 5, 15), touchpoint=touchpoint, days_ago=3)
    rolled_up(workspace)
    workspace.default_language = "ko"
    workspace.save()
    proposals_refresh(board=board)
    proposal = ErrcProposal.objects.get()
    assert proposal.title == "“유심 배송”의 불편 줄이기"  # stored in the workspace's language
    assert proposal.headline == "Cut the friction in “유심 배송”"
    with translation.override("ko"):
        assert proposal.headline == proposal.title


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
