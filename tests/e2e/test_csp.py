"""With the Content-Security-Policy on, the dashboard (charts, htmx filters), a survey builder page (htmx
fragments, the live preview in an iframe) and an ERRC board work and the browser reports no violation."""

import pytest
from playwright.sync_api import expect

from apps.kpis import services as kpi_services
from apps.workspaces.models import Role
from tests.errc.factories import ErrcBoardFactory, ErrcItemFactory
from tests.factories import MembershipFactory, ResponseFactory, SurveyFactory, UserFactory, WorkspaceFactory
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.e2e

# Runs before any page script and outside the page's CSP, so it sees every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " +
                              (event.sourceFile || "") + ":" + (event.lineNumber || ""));
});
"""


@pytest.fixture
def owner(live_server):
    workspace = WorkspaceFactory(name="Hanbit Telecom", slug="hanbit", default_language="en")
    user = MembershipFactory(workspace=workspace, user=UserFactory(username="minji"), role=Role.OWNER).user
    survey = SurveyFactory(workspace=workspace, title="Delivery NPS")
    QuestionFactory(survey=survey, kind="nps")
    for score in (10, 9, 3):
        ResponseFactory(survey=survey, nps_score=score)
    kpi_services.rollups_rebuild(workspace=workspace)
    board = ErrcBoardFactory(workspace=workspace)
    ErrcItemFactory(board=board, title="Drop the second delivery form")
    return user, survey, board


def watch(page) -> list[str]:
    problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text or message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_main_pages_work_under_the_csp(page, live_server, owner, sign_in):
    _user, survey, board = owner
    problems = watch(page)
    sign_in(page, "minji")

    response = page.goto(live_server.url + "/w/hanbit/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("canvas").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.Chart") == "function"
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations(page) == []

    page.goto(live_server.url + f"/w/hanbit/surveys/{survey.pk}/edit/")
    preview = page.frame_locator("#survey-preview iframe")
    expect(preview.locator("fieldset[data-nps]")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    add = page.locator("#add-question")
    add.get_by_label("Type").select_option("long_text")
    add.get_by_label("Question").fill("What should we improve?")
    add.get_by_role("button", name="Add question").click()
    expect(page.locator("#builder-questions")).to_contain_text("What should we improve?")
    assert page.evaluate("window.stillTheSamePage") is True  # an htmx swap, not a reload
    assert violations(page) == []

    page.goto(live_server.url + f"/w/hanbit/errc/{board.pk}/")
    expect(page.get_by_text("Drop the second delivery form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert problems == []
