"""The ERRC issue's "done when": a user opens the board, sees proposals with evidence in all four quadrants,
accepts one, moves it to done, and sees its before/after impact."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.errc.proposals import proposals_refresh
from apps.feedback import wishes
from apps.feedback.models import FeedbackItem, FeedbackTheme
from apps.workspaces.models import Role
from tests.errc.factories import ErrcBoardFactory
from tests.factories import JourneyFactory, MembershipFactory, TouchpointFactory, UserFactory, WorkspaceFactory
from tests.feedback.factories import ThemeFactory
from tests.nps.factories import mix, responses, rolled_up

pytestmark = pytest.mark.e2e

WISHES = ["I wish I could talk to someone on a video call.", "화상 상담이 있었으면 좋겠어요.",
          "주말에도 화상 상담이 있었으면 해요.", "화상 상담 창구가 없어서 매장까지 가야 해서 불편했어요.",
          "It would be nice to have a video call option."]


@pytest.fixture
def board(live_server):
    """A board whose journey has one case per quadrant, built from responses and comments."""
    workspace = WorkspaceFactory(name="Hanbit Telecom", slug="hanbit")
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    MembershipFactory(workspace=workspace, user=UserFactory(username="junho"), role=Role.ANALYST)
    journey = JourneyFactory(workspace=workspace, name="Mobile sign-up")

    def step(name):
        return TouchpointFactory(stage__journey=journey, name=name)

    store, call_centre = step("Store visit"), step("Call centre")
    responses(workspace, mix(60, 20, 20), touchpoint=store, days_ago=5)
    responses(workspace, mix(10, 10, 20), touchpoint=call_centre, days_ago=5)  # weighs on NPS: Raise
    responses(workspace, mix(3, 7, 20), touchpoint=step("Confirmation call"), ces_score=2, days_ago=5)
    sim = step("SIM delivery")  # many detractors, worse yesterday than today: Reduce, then a visible impact
    responses(workspace, mix(4, 4, 22), touchpoint=sim, days_ago=1)
    responses(workspace, mix(16, 8, 6), submitted_at=timezone.now() - timedelta(minutes=2), touchpoint=sim)
    FeedbackItem.objects.create(workspace=workspace, touchpoint=sim, text="The SIM came a week late.",
                                sentiment_label="negative", created_at=timezone.now() - timedelta(days=1))
    need = ThemeFactory(workspace=workspace, key="화상", label_ko="화상 상담", label_en="video consultation")
    for text in WISHES:  # unmet needs no touchpoint is named after: Create
        item = FeedbackItem.objects.create(workspace=workspace, text=text, sentiment_label="neutral",
                                           created_at=timezone.now() - timedelta(days=2))
        FeedbackTheme.objects.create(workspace=workspace, item=item, theme=need, unmet_need=wishes.is_unmet_need(text))
    rolled_up(workspace)
    board = ErrcBoardFactory(workspace=workspace, journey=journey, name="Sign-up ERRC")
    proposals_refresh(board=board)
    return board


def quadrant(page, name):
    return page.locator("section.errc-quadrant").filter(has=page.get_by_role("heading", name=re.compile(f"^{name}")))


def test_a_proposal_becomes_a_done_item_with_its_impact(page, live_server, board, sign_in):
    sign_in(page, "junho")
    page.goto(live_server.url + "/w/hanbit/errc/")
    page.get_by_role("link", name="Sign-up ERRC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-up ERRC")

    expected = {"Eliminate": "Remove or automate “Confirmation call”",
                "Reduce": "Cut the friction in “SIM delivery”",
                "Raise": "Raise “Call centre” to the journey's level",
                "Create": "Meet the unmet need: video consultation"}
    for name, title in expected.items():
        proposal = quadrant(page, name).locator("li.errc-proposal", has_text=title)
        expect(proposal).to_be_visible()
        expect(proposal.locator("dl.errc-figures dt").first).to_be_visible()
    create = quadrant(page, "Create").locator("li.errc-proposal")
    expect(create.locator("dl.errc-figures")).to_contain_text("Comments5")
    expect(create.locator("blockquote.errc-example")).to_have_count(3)
    reduce = quadrant(page, "Reduce").locator("li.errc-proposal", has_text="SIM delivery")
    expect(reduce.locator("dl.errc-figures")).to_contain_text("Detractors (%)")
    expect(reduce.locator("blockquote.errc-example")).to_contain_text(["The SIM came a week late."])

    reduce.get_by_role("button", name="Accept").click()
    expect(page).to_have_url(re.compile(r"/w/hanbit/errc/items/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cut the friction in “SIM delivery”")
    expect(page.locator(".errc-evidence")).to_contain_text("The SIM came a week late.")

    page.get_by_role("link", name="Sign-up ERRC").click()
    expect(quadrant(page, "Reduce").locator("li.errc-proposal", has_text="SIM delivery")).to_have_count(0)
    card = quadrant(page, "Reduce").locator("li.errc-card", has=page.get_by_role("link", name=re.compile("SIM")))
    expect(card.locator(".errc-status")).to_have_text("Planned")
    page.evaluate("window.stillTheSamePage = true")
    card.get_by_role("button", name="Done", exact=True).click()
    expect(card.locator(".errc-status")).to_have_text("Done")
    assert page.evaluate("window.stillTheSamePage") is True  # an htmx swap, not a reload

    card.get_by_role("link", name=re.compile("SIM")).click()
    impact = page.locator("section.errc-impact")
    expect(impact.get_by_role("heading", name="Impact")).to_be_visible()
    rows = impact.locator("tbody tr")
    expect(rows.filter(has_text="NPS")).to_contain_text("-60.0")  # the day before: 4 promoters, 22 detractors
    expect(rows.filter(has_text="NPS")).to_contain_text("33.3")  # the done day: 16 promoters, 6 detractors
    expect(rows.filter(has_text="NPS")).to_contain_text("+93.3")
    expect(rows.filter(has_text="NPS").locator(".badge")).to_have_text("significant")
    expect(rows.last).to_contain_text("30")
