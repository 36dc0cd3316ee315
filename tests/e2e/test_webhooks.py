"""The issue's last step in a real browser: an admin adds a webhook, sends a test event, then a customer
completes the survey and a signed response.completed arrives at a receiver on loopback."""

import json

import pytest
from playwright.sync_api import expect

from apps.surveys.models import Question
from apps.webhooks import signing
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, SurveyFactory, TouchpointFactory, UserFactory, WorkspaceFactory
from tests.webhooks.receiver import serving

from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # it listens on loopback
    with serving() as receiver:
        yield receiver


@pytest.fixture
def survey(live_server):
    workspace = WorkspaceFactory(name="Hanbit Telecom", slug="hanbit", default_language="en")
    MembershipFactory(workspace=workspace, user=UserFactory(username="minji"), role=Role.ADMIN)
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Store visit", channel="store")
    survey = SurveyFactory(workspace=workspace, title="After your visit", language="en", status="live",
                           touchpoint=touchpoint)
    Question.objects.create(workspace=workspace, survey=survey, position=1, kind="nps",
                            text="How likely are you to recommend us?")
    return survey


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"webhooks-{name}.png"), full_page=True)


def test_a_signed_webhook_arrives_when_the_survey_is_completed(page, live_server, survey, receiver, sign_in):
    sign_in(page, "minji")
    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_role("heading", name="No endpoints yet")).to_be_visible()
    shot(page, "empty")

    page.get_by_role("link", name="Add endpoint").first.click()
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("response.completed").check()
    page.get_by_label("follow_up_case.opened").check()
    shot(page, "form")
    page.get_by_role("button", name="Add endpoint").click()

    secret = page.locator("#webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    shot(page, "secret")
    page.get_by_role("link", name="Done").click()

    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event delivered: HTTP 200")).to_be_visible()
    assert receiver.requests[-1]["headers"]["X-Cxm-Event"] == "webhook.test"

    customer = page.context.new_page()
    customer.goto(f"{live_server.url}/s/{survey.token}/")
    customer.get_by_role("radio", name="3", exact=True).check()
    customer.locator("button[type=submit]").click()
    customer.wait_for_load_state()

    events = {request["headers"]["X-Cxm-Event"]: request for request in receiver.requests}
    assert set(events) == {"webhook.test", "response.completed", "follow_up_case.opened"}
    completed = events["response.completed"]
    assert signing.verify(secret, completed["headers"]["X-Cxm-Signature"], completed["body"])
    data = json.loads(completed["body"])["data"]["response"]
    assert (data["nps_score"], data["touchpoint"]["name"]) == (3, "Store visit")

    page.reload()
    expect(page.locator("#delivery-log").get_by_text("response.completed")).to_be_visible()
    page.locator("#delivery-log").get_by_role("link", name="Details").first.click()
    expect(page.locator("#delivery-detail").get_by_text("Request body")).to_be_visible()
    shot(page, "detail")

    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("button", name="테스트 이벤트 보내기")).to_be_visible()
    shot(page, "detail-ko")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_the_webhook_pages_fit_a_phone(page, live_server, survey, receiver, sign_in):
    sign_in(page, "minji")
    page.goto(live_server.url + "/w/hanbit/settings/webhooks/new/")
    page.get_by_label("Name").fill("Slack #cx")
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("alert.fired").check()
    page.get_by_label("Slack-compatible message").check()
    page.get_by_role("button", name="Add endpoint").click()
    page.get_by_role("link", name="Done").click()
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("Test event delivered")).to_be_visible()
    assert json.loads(receiver.requests[-1]["body"]) == {
        "text": "*Hanbit Telecom* · Test event from cxm: this endpoint is connected."}
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    shot(page, "detail-phone")
