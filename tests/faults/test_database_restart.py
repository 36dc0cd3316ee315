"""PostgreSQL restarted under load: a private cluster (tests/faults/private_postgres.py) behind a real
gunicorn with persistent connections, customers submitting all along. While the database is away every
request gets the friendly 503 page (Korean and English, no stack trace, Retry-After); when it is back the
same gunicorn serves again by itself (CONN_HEALTH_CHECKS drops the dead connections), and every submission
that got the thank-you page is in the database: accepted = stored."""

import http.client
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.utils import translation

from tests.kpis.live_stack import free_port, tail, wait_until
from tests.services import skip_without_services
from tests.surveys.helpers import FORM_TOKEN

from .private_postgres import PrivatePostgres, postgres_bin

pytestmark = [pytest.mark.services, pytest.mark.timeout(240)]

SETUP = """
from apps.surveys.models import Question, Survey
from apps.workspaces.models import Workspace
workspace = Workspace.objects.create(name="장애 테스트 Outage", slug="outage")
survey = Survey.objects.create(workspace=workspace, title="재시작 중 제출", language="ko", status="live")
question = Question.objects.create(workspace=workspace, survey=survey, position=1, kind="nps", text="추천 의향?")
print(survey.token, question.pk)
"""


@pytest.fixture
def postgres():
    if postgres_bin() is None or not settings.REDIS_URL:
        skip_without_services("needs the PostgreSQL server binaries (initdb, pg_ctl) of CI's PostgreSQL pass")
    cluster = PrivatePostgres()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def server(postgres):
    env = {**os.environ, "DATABASE_URL": postgres.url, "DEBUG": "0", "SECRET_KEY": "fault-test-not-a-secret",
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SURVEY_SUBMISSIONS_PER_MINUTE": "1000000",
           "DATABASE_CONN_MAX_AGE": "600", "DJANGO_SETTINGS_MODULE": "settings_submit", "LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(settings.BASE_DIR / "tests" / "bench")}
    env.pop("PYTEST_VERSION", None)
    env.pop("REDIS_URL", None)  # jobs go to an in-process queue: the database is what is under test
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=settings.BASE_DIR, env=env, check=True, timeout=180)
    token, question = subprocess.run([*manage, "shell", "-c", SETUP], cwd=settings.BASE_DIR, env=env, check=True,
                                     capture_output=True, text=True, timeout=60).stdout.split()[-2:]
    port = free_port()
    log = postgres.directory / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "cxm.wsgi",
                                    "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"],
                                   cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: request(port, "GET", f"/s/{token}/")[0] == 200, timeout=30,
                   message="gunicorn did not serve the survey", details=lambda: tail(log))
        yield process, port, token, f"q{question}", log
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        headers = {"Accept-Language": "ko"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read().decode(errors="replace"), dict(reply.getheaders())
    except OSError as error:
        return 0, repr(error), {}
    finally:
        connection.close()


class Customers:
    """Threads that each loop: open the survey, answer it; every outcome is recorded with its time."""

    def __init__(self, port: int, token: str, field: str, count: int = 4):
        self.port, self.path, self.field = port, f"/s/{token}/", field
        self.outcomes: list[tuple[float, str, int]] = []  # (time, "GET"/"POST", status)
        self.accepted = 0
        self.pages_503: list[tuple[str, dict]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(count)]

    def record(self, method: str, status: int, page: str, headers: dict) -> None:
        with self.lock:
            self.outcomes.append((time.monotonic(), method, status))
            if status == 503 and len(self.pages_503) < 5:
                self.pages_503.append((page, headers))

    def run(self, number: int) -> None:
        while not self.stop.is_set():
            status, page, headers = request(self.port, "GET", self.path)
            self.record("GET", status, page, headers)
            token = FORM_TOKEN.search(page) if status == 200 else None
            if token is None:
                time.sleep(0.05)
                continue
            status, page, headers = request(self.port, "POST", self.path,
                                            {"form_token": token.group(1), self.field: str(number + 5)})
            self.record("POST", status, page, headers)
            if status == 200 and "survey-thanks" in page:
                with self.lock:
                    self.accepted += 1

    def statuses(self, since: float = 0.0, method: str | None = None) -> Counter:
        with self.lock:
            return Counter(status for moment, made, status in self.outcomes
                           if moment >= since and method in (None, made))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_requests_during_a_database_restart_get_a_503_and_the_app_recovers_without_losing_answers(
        postgres, server):
    process, port, token, field, log = server
    with Customers(port, token, field) as customers:
        wait_until(lambda: customers.accepted >= 20, timeout=30, message="no submissions before the restart",
                   details=lambda: tail(log))
        postgres.stop()
        outage_started = time.monotonic()
        time.sleep(4)
        during = customers.statuses(since=outage_started + 0.5)
        answers_during = customers.statuses(since=outage_started + 0.5, method="POST")
        # A web process keeps the survey it looked up for a second (SURVEY_LINK_CACHE_SECONDS), and the empty form
        # is cached HTML: page views may still be served for that second, never after it.
        pages_later = customers.statuses(since=outage_started + 0.5 + settings.SURVEY_LINK_CACHE_SECONDS,
                                         method="GET")
        postgres.start()
        back = time.monotonic()
        accepted_when_back = customers.accepted
        wait_until(lambda: customers.accepted >= accepted_when_back + 20, timeout=30,
                   message="the app did not recover by itself after the database returned",
                   details=lambda: tail(log))
        recovered_in = time.monotonic() - back
    assert process.poll() is None, "gunicorn exited"
    all_statuses = customers.statuses()
    print(f"statuses: {dict(all_statuses)}; during the outage: {dict(during)}; "
          f"accepted {customers.accepted}; recovered in {recovered_in:.1f} s")

    # During the outage: every answer gets the friendly 503, nothing else (no 500, no hang, no false thanks).
    assert during and set(answers_during) <= {503}, during
    assert pages_later and set(pages_later) == {503}, during
    assert set(during) <= {200, 503}, during
    assert all_statuses[500] == 0 and all_statuses[0] == 0, all_statuses
    page, headers = customers.pages_503[0]
    assert headers.get("Retry-After") == "15"
    assert "Traceback" not in page and "OperationalError" not in page
    for language in ("ko", "en"):
        with translation.override(language):
            assert translation.gettext("Back in a moment") in page
    with translation.override("ko"):
        assert translation.gettext("Back in a moment") != "Back in a moment", "the 503 page has no Korean"
    # No accepted answer is lost.
    assert postgres.scalar("SELECT count(*) FROM surveys_response") == customers.accepted
