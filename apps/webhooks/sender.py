"""One HTTP POST to an endpoint, with a short timeout, no redirects and no proxy from the environment."""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

EXCERPT_CHARS = 500


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an address the URL check refused; the 3xx is reported as it came.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


@dataclass
class Outcome:
    status_code: int | None
    response_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _excerpt(stream) -> str:
    try:
        return stream.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")[:EXCERPT_CHARS]
    except OSError:
        return ""


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Outcome:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked scheme)
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=timeout) as answer:
            excerpt = _excerpt(answer)
            return Outcome(answer.status, _elapsed(started), excerpt)
    except urllib.error.HTTPError as error:
        return Outcome(error.code, _elapsed(started), _excerpt(error), f"HTTP {error.code} {error.reason}"[:300])
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        return Outcome(None, _elapsed(started), "", f"{type(reason).__name__}: {reason}"[:300])


def _elapsed(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
