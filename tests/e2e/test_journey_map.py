import re

import pytest
from playwright.sync_api import expect

from apps.touchpoints.models import Touchpoint
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin(live_server):
    """An admin of "Hanbit Telecom" (slug hanbit), password "correct horse battery"."""
    workspace = WorkspaceFactory(name="Hanbit Telecom", slug="hanbit")
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    return MembershipFactory(workspace=workspace, user=UserFactory(username="minji"), role=Role.ADMIN).user


def stage(page, name):
    return page.locator("section.stage-column").filter(has=page.get_by_role("heading", name=name, exact=True))


def test_admin_builds_a_journey_map_without_reloading_the_page(page, live_server, admin, sign_in):
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before archiving
    sign_in(page, "minji")
    page.goto(live_server.url + "/w/hanbit/journeys/")
    expect(page.get_by_role("heading", name="No journeys yet")).to_be_visible()

    page.get_by_label("Name").fill("Mobile sign-up")
    expect(page.get_by_role("radio", name=re.compile("^ACASS"))).to_be_checked()
    page.get_by_role("button", name="Create journey").click()

    expect(page).to_have_url(re.compile(r"/w/hanbit/journeys/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobile sign-up")
    for name in ("Awareness", "Consideration", "Acquisition", "Service", "Social network"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("Scores appear once surveys collect responses")).to_be_visible()

    # From here on every change is an htmx swap: a full reload would lose this marker.
    page.evaluate("window.stillTheSamePage = true")

    service = stage(page, "Service")
    service.get_by_role("link", name="Add a touchpoint").click()
    form = service.locator("form")
    expect(form.get_by_label("Name")).to_be_focused()
    form.get_by_role("button", name="Add touchpoint").click()
    expect(form.get_by_text("This field is required.")).to_be_visible()
    form.get_by_label("Name").fill("Call centre")
    form.get_by_label("Channel").select_option(label="Call centre")
    form.get_by_label("Owner").select_option(label=admin.display_name)
    form.get_by_role("button", name="Add touchpoint").click()

    card = stage(page, "Service").locator("article.tp-card", has_text="Call centre")
    expect(card).to_be_visible()
    expect(card).to_contain_text("n = 0")
    notice = page.locator("#journey-map").get_by_role("status")
    expect(notice).to_have_text("Touchpoint “Call centre” added to Service.")
    touchpoint = Touchpoint.objects.get()
    assert (touchpoint.stage.name_en, touchpoint.owner) == ("Service", admin)

    card.get_by_role("button", name="Move Call centre to Social network").click()
    expect(stage(page, "Social network").locator("article.tp-card", has_text="Call centre")).to_be_visible()
    expect(stage(page, "Service").locator("article.tp-card")).to_have_count(0)

    stage(page, "Social network").get_by_role("link", name="Archive Call centre").click()
    expect(page.locator("article.tp-card")).to_have_count(0)
    archived = page.locator("details.archived")
    archived.locator("summary").click()
    expect(archived.locator("tbody tr")).to_have_count(1)
    expect(archived.locator("tbody tr")).to_contain_text("Social network")
    touchpoint.refresh_from_db()
    assert touchpoint.is_archived

    archived.get_by_role("button", name="Restore").click()
    expect(stage(page, "Social network").locator("article.tp-card", has_text="Call centre")).to_be_visible()

    page.get_by_role("radio", name="30 days").check()
    expect(page).to_have_url(re.compile(r"\?period=30$"))
    expect(page.get_by_role("radio", name="30 days")).to_be_checked()
    assert page.evaluate("window.stillTheSamePage") is True


def test_stages_reorder_with_the_arrow_buttons(page, live_server, admin, sign_in):
    sign_in(page, "minji")
    page.goto(live_server.url + "/w/hanbit/journeys/")
    page.get_by_label("Name").fill("Store visit")
    page.get_by_role("radio", name=re.compile(r"^Before \/ On")).check()
    page.get_by_role("button", name="Create journey").click()
    headings = page.locator("section.stage-column h3")
    expect(headings).to_have_text(["Before", "On", "After"])

    page.get_by_role("button", name="Move After earlier").click()
    expect(headings).to_have_text(["Before", "After", "On"])
    page.get_by_role("button", name="Move Before later").click()
    expect(headings).to_have_text(["After", "Before", "On"])
