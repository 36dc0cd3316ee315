"""A marketer builds a Korean NPS survey from the template, adds a follow-up for detractors with the htmx
builder and sees it in the live preview, takes the survey live; a customer answers it on a phone in
Korean; the marketer finds the answer on the results page and in the CSV export."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.surveys.models import Response, Survey
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import PHONE

pytestmark = pytest.mark.e2e

FOLLOW_UP = "무엇이 실망스러우셨나요?"
ANSWER = "배송이 사흘이나 늦었어요."


@pytest.fixture
def marketer(live_server):
    """An admin of "한빛텔레콤" (slug hanbit), password "correct horse battery"."""
    workspace = WorkspaceFactory(name="한빛텔레콤", slug="hanbit", brand_color="#0F766E", default_language="ko")
    MembershipFactory(workspace=workspace, role=Role.OWNER)
    return MembershipFactory(workspace=workspace, user=UserFactory(username="minji"), role=Role.ADMIN).user


def test_a_marketer_builds_a_survey_and_reads_a_detractors_answer(page, browser, live_server, marketer, sign_in):
    sign_in(page, "minji")
    page.goto(live_server.url + "/w/hanbit/surveys/")
    page.get_by_label("Title").fill("배송 경험 NPS")
    page.get_by_label("Start from").select_option(label="NPS with a follow-up question")
    page.get_by_label("Language of the survey").select_option("ko")
    page.get_by_role("button", name="Create survey").click()

    expect(page).to_have_url(re.compile(r"/w/hanbit/surveys/\d+/edit/$"))
    survey = Survey.objects.get()
    questions = page.locator("#builder-questions .question-list > li")
    expect(questions).to_have_count(3)  # NPS, what to improve (0–6), the reason
    preview = page.frame_locator("#survey-preview iframe")
    expect(preview.locator("fieldset[data-nps]")).to_be_visible()

    # From here on the builder swaps fragments: a full reload would lose this marker.
    page.evaluate("window.stillTheSamePage = true")
    add = page.locator("#add-question")
    add.get_by_label("Type").select_option("long_text")
    add.get_by_label("Question").fill(FOLLOW_UP)
    add.get_by_label("Ask").select_option("detractors")
    expect(add.get_by_label("From NPS answer")).to_be_hidden()  # only for a custom range
    add.get_by_role("button", name="Add question").click()

    expect(questions).to_have_count(4)
    added = questions.nth(3)
    expect(added).to_contain_text(FOLLOW_UP)
    expect(added).to_contain_text("Shown when NPS is 0–6")
    expect(page.locator("#builder-questions").get_by_role("status")).to_have_text("Question added.")
    assert page.evaluate("window.stillTheSamePage") is True
    # The preview reloaded itself with the new question, a follow-up waiting for a detractor's score.
    follow_up = preview.locator(".question", has_text=FOLLOW_UP)
    expect(follow_up).to_have_count(1)
    expect(follow_up).to_be_hidden()
    preview.locator("fieldset[data-nps] label", has_text=re.compile(r"^\s*2\s*$")).click()
    expect(follow_up).to_be_visible()

    page.get_by_role("button", name="Go live").click()
    expect(page.locator("#survey-status")).to_have_text("Live")
    survey.refresh_from_db()
    assert survey.status == "live" and survey.language == "ko"

    # A customer on a phone, in Korean.
    phone = browser.new_context(viewport=PHONE, locale="ko-KR", is_mobile=True, has_touch=True)
    customer = phone.new_page()
    customer.goto(f"{live_server.url}/s/{survey.token}/")
    expect(customer.locator("html")).to_have_attribute("lang", "ko")
    customer_follow_up = customer.locator(".question", has_text=FOLLOW_UP)
    expect(customer_follow_up).to_be_hidden()
    customer.locator("fieldset[data-nps] label", has_text=re.compile(r"^\s*3\s*$")).click()
    expect(customer_follow_up).to_be_visible()
    customer_follow_up.locator("textarea").fill(ANSWER)
    customer.locator("button.survey-submit").click()
    expect(customer.locator(".survey-thanks")).to_be_visible()
    phone.close()
    response = Response.objects.get()
    assert (response.nps_score, response.comment, response.language) == (3, ANSWER, "ko")

    # Back to the marketer: the results, the response list and the export.
    page.goto(f"{live_server.url}/w/hanbit/surveys/{survey.pk}/results/")
    expect(page.locator('[data-kpi="responses"]')).to_have_text("1")
    expect(page.locator('[data-kpi="nps"]')).to_contain_text("-100")
    expect(page.locator(".text-answers")).to_contain_text(ANSWER)

    page.get_by_role("link", name="Responses", exact=True).click()
    expect(page.locator("#response-table")).to_contain_text(ANSWER)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert FOLLOW_UP in content.splitlines()[0]
    assert ANSWER in content
