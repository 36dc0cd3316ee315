import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.surveys import selectors as survey_selectors
from apps.surveys import services as survey_services
from apps.surveys.models import Question
from apps.workspaces.models import Role
from tests.factories import CustomerFactory, MembershipFactory, SurveyFactory, TouchpointFactory, UserFactory
from tests.surveys.factories import QuestionFactory


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The receivers below listen on 127.0.0.1, which production refuses."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


class Receiver:
    """A real HTTP server on loopback, in a thread. It records every request and answers with the next
    status queued in `statuses` (200 once they run out), after `delay` seconds."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: deque[int] = deque()
        self.delay = 0.0
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.popleft() if receiver.statuses else 200
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                answer = b'{"ok": true}' if status < 300 else b"receiver trouble"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/cxm"


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def admin_user(workspace):
    return MembershipFactory(workspace=workspace, user=UserFactory(username="minji", language="ko"),
                             role=Role.ADMIN).user


@pytest.fixture
def touchpoint(workspace):
    return TouchpointFactory(stage__journey__workspace=workspace, name="Store visit", channel="store")


@pytest.fixture
def survey(workspace, touchpoint):
    survey = SurveyFactory(workspace=workspace, status="live", language="en", touchpoint=touchpoint,
                           title="After your visit")
    QuestionFactory(survey=survey, position=1, kind=Question.Kind.NPS, text="Recommend?")
    QuestionFactory(survey=survey, position=2, kind=Question.Kind.CSAT, text="Satisfied?", required=False)
    QuestionFactory(survey=survey, position=3, kind=Question.Kind.LONG_TEXT, text="Why?", required=False)
    return survey


@pytest.fixture
def record(survey):
    """record(nps, comment) submits through surveys.services.response_record, as the public page does."""
    keys = iter(range(1_000_000))

    def run(nps: int, comment: str = "", csat: int | None = None, customer=None):
        questions = survey_selectors.survey_questions(survey)
        by_kind = {question.kind: question for question in questions}
        answers = {by_kind[Question.Kind.NPS].pk: nps}
        if csat is not None:
            answers[by_kind[Question.Kind.CSAT].pk] = csat
        if comment:
            answers[by_kind[Question.Kind.LONG_TEXT].pk] = comment
        return survey_services.response_record(survey=survey, questions=questions, answers=answers,
                                               submission_key=f"key-{next(keys)}", customer=customer)

    return run


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace, external_id="C-0042", email="jisu@example.com", phone="010-1234-5678")
