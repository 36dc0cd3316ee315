"""A bilingual NPS survey with logic and pages: the marketer puts the reason question on its own page in
the builder (which says when the follow-up is shown) and takes the survey live; a customer answers the
first page on a phone in Korean (the detractors' follow-up appears only for a detractor), leaves,
comes back by the same link, continues on page 2 and finishes; the drop-off page shows the funnel."""

import re

import pytest
from playwright.sync_api import expect

from apps.surveys import services
from apps.surveys.models import Answer, Choice, PartialResponse, Question, Response, Survey
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.e2e

REASON = "상담 연결이 너무 오래 걸렸어요."


@pytest.fixture
def bilingual_survey(live_server):
    workspace = WorkspaceFactory(name="한빛텔레콤", slug="hanbit", brand_color="#0F766E", default_language="ko")
    admin = MembershipFactory(workspace=workspace, user=UserFactory(username="minji"), role=Role.ADMIN).user
    survey = services.survey_create(workspace=workspace, created_by=admin, title="고객센터 경험 조사",
                                    language="ko", template=Survey.Template.NPS)
    survey.bilingual = True
    survey.translations = {"en": {"title": "Your call with us"}}
    survey.save()
    # The marketer's English texts, as typed into the builder's "in English" fields.
    english = ["How likely are you to recommend Hanbit to a friend?", "What should we improve first?",
               "What is the main reason for your score?"]
    for question, text in zip(survey.questions.order_by("position"), english, strict=True):
        question.translations = {"en": {"text": text}}
        question.save()
    for n, choice in enumerate(Choice.objects.filter(question__survey=survey).order_by("position")):
        choice.translations = {"en": {"text": f"Option {n + 1}"}}
        choice.save()
    return survey


def test_a_bilingual_survey_answered_half_on_a_phone_and_finished_later(page, browser, live_server, sign_in,
                                                                      bilingual_survey):
    survey = bilingual_survey
    sign_in(page, "minji")
    page.goto(f"{live_server.url}/w/hanbit/surveys/{survey.pk}/edit/")
    questions = page.locator("#builder-questions .question-list > li.builder-question")
    expect(questions).to_have_count(3)
    expect(questions.nth(1)).to_contain_text("Shown when NPS is 0–6")

    # The reason question opens page 2 (the edit form swaps in place with htmx).
    reason = questions.nth(2)
    reason.get_by_role("link", name="Edit").click()
    editing = page.locator("li.builder-question.is-editing")
    expect(editing).to_be_visible()
    editing.get_by_label("Start a new page here").check()
    editing.get_by_role("button", name="Save question").click()
    expect(page.locator("#builder-questions").get_by_role("status")).to_have_text("Question saved.")
    expect(page.locator(".page-break-marker")).to_contain_text("Page 2")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "logic-builder.png"), full_page=True)
    page.get_by_role("button", name="Go live").click()
    expect(page.locator("#survey-status")).to_have_text("Live")

    # A customer on a phone, Korean browser: page 1 of 2.
    phone = browser.new_context(viewport=PHONE, locale="ko-KR", is_mobile=True, has_touch=True)
    customer = phone.new_page()
    customer.goto(f"{live_server.url}/s/{survey.token}/")
    expect(customer.locator("html")).to_have_attribute("lang", "ko")
    expect(customer.locator(".survey-progress")).to_have_text("1 / 2 페이지")
    follow_up = customer.locator(".question", has_text="가장 먼저 개선해야 할 점")
    expect(follow_up).to_be_hidden()
    customer.locator("fieldset[data-nps] label", has_text=re.compile(r"^\s*9\s*$")).click()
    expect(follow_up).to_be_hidden()  # a promoter is not asked
    customer.locator("fieldset[data-nps] label", has_text=re.compile(r"^\s*3\s*$")).click()
    expect(follow_up).to_be_visible()  # a detractor is
    follow_up.locator("label.choice-option").first.click()
    customer.screenshot(path=str(ARTIFACTS / "logic-phone-ko.png"), full_page=True)
    customer.locator("button.survey-submit").click()
    expect(customer.locator(".survey-progress")).to_have_text("2 / 2 페이지")
    link = customer.url
    assert "resume=" in link
    phone.close()  # the customer leaves halfway

    partial = PartialResponse.objects.get()
    assert (partial.status, partial.nps_score, Response.objects.count()) == ("in_progress", 3, 0)

    # Later, on another phone, the same link continues on page 2; the switch shows it in English too.
    later = browser.new_context(viewport=PHONE, locale="ko-KR", is_mobile=True, has_touch=True)
    customer = later.new_page()
    customer.goto(link)
    expect(customer.locator(".survey-progress")).to_have_text("2 / 2 페이지")
    expect(customer.locator("fieldset[data-nps]")).to_have_count(0)
    customer.get_by_role("link", name="English").click()
    expect(customer.locator("html")).to_have_attribute("lang", "en")
    expect(customer.get_by_text("What is the main reason for your score?")).to_be_visible()
    customer.get_by_role("link", name="한국어").click()
    customer.locator("textarea").fill(REASON)
    customer.locator("button.survey-submit").click()
    expect(customer.locator(".survey-thanks")).to_be_visible()
    later.close()

    response = Response.objects.get()
    assert (response.nps_score, response.comment, response.language) == (3, REASON, "ko")
    assert Answer.objects.filter(response=response, question__kind=Question.Kind.SINGLE_CHOICE).count() == 1
    partial.refresh_from_db()
    assert (partial.status, partial.response) == ("completed", response)

    page.goto(f"{live_server.url}/w/hanbit/surveys/{survey.pk}/drop-off/")
    expect(page.locator('[data-kpi="completion-rate"]')).to_have_text("100.0%")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('funnel-chart'))")
    page.screenshot(path=str(ARTIFACTS / "logic-dropoff.png"), full_page=True)
