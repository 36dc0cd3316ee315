"""A Korean survey embedded on the brand's own site (another origin), answered on a phone, and the same
survey refused by a site that is not allowed to frame it."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from apps.surveys.models import Question, Response
from tests.factories import SurveyFactory, WorkspaceFactory

from .conftest import PHONE

pytestmark = pytest.mark.e2e

THANK_YOU = "소중한 의견 감사합니다! 더 나은 서비스로 보답하겠습니다."


@pytest.fixture
def viewport():
    return PHONE


class BrandSiteServer(ThreadingHTTPServer):
    # Chromium may open a preconnect socket and never send a request on it; the handler thread waiting
    # on it must not keep server_close() from returning.
    daemon_threads = True
    block_on_close = False


@pytest.fixture
def brand_site():
    """A tiny static site on 127.0.0.1 with its own port: another origin (and another site) than
    live_server's http://localhost:<port>. Put HTML in `pages[path]`."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args):
            pass

    server = BrandSiteServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.pages = pages
    server.origin = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def korean_survey(live_server):
    workspace = WorkspaceFactory(name="한빛텔레콤", slug="hanbit", brand_color="#0F766E", default_language="ko")
    survey = SurveyFactory(workspace=workspace, title="배송 경험 설문", language="ko", status="live",
                           thank_you_message=THANK_YOU)
    nps = Question.objects.create(workspace=workspace, survey=survey, position=1, kind="nps",
                                  text="한빛텔레콤을 친구에게 추천할 가능성은 얼마나 되나요?")
    Question.objects.create(workspace=workspace, survey=survey, position=2, kind="long_text", required=False,
                            text="무엇이 실망스러우셨나요?", condition_question=nps,
                            condition_operator="score_between", condition_min=0, condition_max=6)
    return survey


def iframe_page(survey_url: str) -> str:
    return ('<!doctype html><html lang="ko"><head><meta name="viewport" content="width=device-width, initial-scale=1">'
            '</head><body style="margin:0;font-family:sans-serif"><h1>한빛 쇼핑몰</h1>'
            f'<iframe src="{survey_url}" title="설문" style="width:100%;height:760px;border:0"></iframe>'
            '</body></html>')


def test_an_embedded_korean_survey_is_answered_on_a_phone(page, live_server, brand_site, korean_survey):
    workspace = korean_survey.workspace
    workspace.embed_allowed_origins = brand_site.origin
    workspace.save()
    brand_site.pages["/"] = iframe_page(f"{live_server.url}/s/{korean_survey.token}/")

    page.goto(brand_site.origin + "/")
    survey = page.frame_locator("iframe")
    expect(survey.get_by_role("heading", name="배송 경험 설문")).to_be_visible()
    expect(survey.locator("html")).to_have_attribute("lang", "ko")

    # The follow-up for detractors appears in place for a 3 and goes away again for a 9.
    follow_up = survey.get_by_label("무엇이 실망스러우셨나요?")
    expect(follow_up).to_be_hidden()
    survey.get_by_role("radio", name="3", exact=True).check()
    expect(follow_up).to_be_visible()
    survey.get_by_role("radio", name="9", exact=True).check()
    expect(follow_up).to_be_hidden()

    survey.locator("button[type=submit]").click()
    expect(survey.get_by_text(THANK_YOU)).to_be_visible()
    response = Response.objects.get(survey=korean_survey)
    assert response.nps_score == 9
    assert response.language == "ko"


def test_a_site_that_is_not_allowed_cannot_frame_the_survey(page, live_server, brand_site, korean_survey):
    workspace = korean_survey.workspace
    workspace.embed_allowed_origins = "https://www.hanbit.example"
    workspace.save()
    brand_site.pages["/"] = iframe_page(f"{live_server.url}/s/{korean_survey.token}/")

    page.goto(brand_site.origin + "/", wait_until="load")
    expect(page.get_by_role("heading", name="한빛 쇼핑몰")).to_be_visible()
    frame = next(frame for frame in page.frames if frame != page.main_frame)
    # Chromium replaces a frame refused by frame-ancestors with its own error page.
    assert not frame.url.startswith(live_server.url)
    expect(page.frame_locator("iframe").locator("form")).to_have_count(0)
    expect(page.frame_locator("iframe").get_by_text("배송 경험 설문")).to_have_count(0)


def test_the_feedback_button_opens_the_survey_in_an_overlay(page, live_server, brand_site, korean_survey):
    workspace = korean_survey.workspace
    workspace.embed_allowed_origins = brand_site.origin
    workspace.save()
    brand_site.pages["/"] = (
        '<!doctype html><html><body><h1>한빛 쇼핑몰</h1>'
        f'<script src="{live_server.url}/static/js/embed.js" data-survey="{live_server.url}/s/{korean_survey.token}/"'
        ' data-label="의견 보내기" data-close-label="닫기" data-color="#0F766E" async></script></body></html>')

    page.goto(brand_site.origin + "/")
    button = page.get_by_role("button", name="의견 보내기")
    button.click()
    dialog = page.get_by_role("dialog", name="의견 보내기")
    expect(dialog).to_be_visible()
    survey = page.frame_locator("[data-cxm-survey-overlay] iframe")
    expect(survey.get_by_role("heading", name="배송 경험 설문")).to_be_visible()

    # Escape inside the survey frame closes the overlay too, and focus goes back to the button.
    # Real key presses into a cross-origin frame can stall headless Chromium under load; the keydown the
    # survey page listens for is dispatched in the frame instead.
    survey.get_by_role("radio", name="7", exact=True).evaluate(
        "element => { element.focus(); element.dispatchEvent("
        "new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); }")
    expect(dialog).to_have_count(0)
    expect(button).to_be_focused()

    button.click()
    page.get_by_role("button", name="닫기").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
