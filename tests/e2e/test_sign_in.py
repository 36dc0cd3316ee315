import re

import pytest
from playwright.sync_api import expect

from apps.workspaces.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import PHONE

pytestmark = pytest.mark.e2e


@pytest.fixture
def owner(live_server):
    """An owner of "Hanbit Telecom" (slug hanbit), password "correct horse battery"."""
    workspace = WorkspaceFactory(name="Hanbit Telecom", slug="hanbit")
    return MembershipFactory(workspace=workspace, user=UserFactory(username="alice"), role=Role.OWNER).user


def test_sign_in_lands_on_the_workspace(page, live_server, owner):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or e-mail").fill("alice")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/w/hanbit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hanbit Telecom")


def test_wrong_password_stays_on_the_form(page, live_server, owner):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or e-mail").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("Username or e-mail")).to_have_value("alice")


def test_language_switch_to_korean_persists(page, live_server, owner, sign_in):
    sign_in(page, "alice")
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()

    page.get_by_role("button", name="한국어").click()

    expect(page.get_by_role("link", name="대시보드", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="멤버", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("button", name="한국어")).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(page.get_by_role("link", name="대시보드", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_have_count(0)
    owner.refresh_from_db()
    assert owner.language == "ko"


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_phone_menu_opens_the_sidebar(page, live_server, owner, sign_in, viewport):
    sign_in(page, "alice")
    members = page.get_by_role("link", name="Members", exact=True)
    menu = page.get_by_role("button", name="Menu")

    expect(members).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")

    menu.click()

    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(members).to_be_visible()
    expect(members).to_be_in_viewport()

    # A tap on the dimmed page beside the drawer closes it rather than following a link underneath;
    # Escape closes it too.
    page.mouse.click(PHONE["width"] - 10, PHONE["height"] // 2)
    expect(members).to_be_hidden()
    expect(page).to_have_url(live_server.url + "/w/hanbit/")
    menu.click()
    expect(members).to_be_visible()
    page.keyboard.press("Escape")
    expect(members).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    members.click()

    expect(page).to_have_url(live_server.url + "/w/hanbit/members/")
    expect(page.get_by_role("heading", name="Team")).to_be_visible()
