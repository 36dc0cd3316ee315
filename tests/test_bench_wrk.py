"""The wrk script of the submission benchmark (tests/bench/submit_wrk.lua): its count of accepted answers is what
the bench's "0 lost" check compares with the database, so it must send each answer once and count only
thank-you pages. Run against a small HTTP server in this process; skipped where wrk is not installed."""

import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

WRK = shutil.which("wrk")
SCRIPT = Path(__file__).resolve().parent / "bench" / "submit_wrk.lua"
pytestmark = pytest.mark.skipif(WRK is None, reason="wrk is not installed (apt-get install wrk)")


class Survey(BaseHTTPRequestHandler):
    """Thanks every POST but those whose body says refuse=1; a GET is a page without thanks."""

    protocol_version = "HTTP/1.1"
    posted: list[bytes]
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            self.posted.append(body)
        self._reply(b"<p>again</p>" if b"refuse=1" in body else b'<main class="survey-thanks">thanks</main>')

    def do_GET(self):
        self._reply(b"<form>page</form>")

    def _reply(self, content: bytes):
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Survey.posted = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Survey)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def run(server, bodies: list[str], tmp_path, *extra: str) -> dict:
    path = tmp_path / "bodies"
    path.write_text("".join(body + "\n" for body in bodies))
    output = subprocess.run([WRK, "--threads", "1", "--connections", "3", "--duration", "1s", "--script", str(SCRIPT),
                             f"http://127.0.0.1:{server.server_port}/s/token/", "--", str(path), "1", *extra],
                            capture_output=True, text=True, check=True, timeout=60).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_each_answer_is_posted_once_and_every_thanks_counted(server, tmp_path):
    bodies = [f"form_token=t{n}&q1={n % 11}" for n in range(40)]

    result = run(server, bodies, tmp_path)

    posted = [body.decode() for body in Survey.posted]
    assert len(posted) == len(set(posted)), "an answer was sent twice: a double post would read as a lost response"
    # wrk takes one body to check the script before its thread starts and never sends it.
    assert set(posted) <= set(bodies) and len(posted) >= len(bodies) - 1
    assert result["accepted"] == len(posted)
    assert result["failed"] == 0 and result["exhausted"] == 1
    assert result["post_p95_ms"] >= result["post_p50_ms"] > 0


def test_a_reply_without_thanks_is_a_failure_not_an_acceptance(server, tmp_path):
    bodies = [f"form_token=t{n}&refuse={int(n % 4 == 0)}" for n in range(20)]

    result = run(server, bodies, tmp_path)

    refused = sum(1 for body in Survey.posted if b"refuse=1" in body)
    assert refused >= 4
    assert result["failed"] == refused
    assert result["accepted"] == len(Survey.posted) - refused


def test_cycle_sends_the_answers_again_until_the_time_is_up(server, tmp_path):
    result = run(server, ["form_token=floor"], tmp_path, "cycle")

    assert result["exhausted"] == 0 and result["accepted"] > 10
    # At the stop wrk leaves up to one answer per connection in flight: received, never counted.
    assert len(Survey.posted) - 3 <= result["accepted"] <= len(Survey.posted)
