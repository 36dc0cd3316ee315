"""The smallest WSGI application the submission bench can drive: every GET is a page with a form token, every
POST reads its body and gets a thank-you page of the real one's size. bench_submit.py serves it with the
same gunicorn configuration and load to measure this machine's ceiling (HTTP, gunicorn and the load client
only), so a figure from a slower machine can be read as a share of what that machine could do at all."""

PAGE = (b'<!doctype html><form method="post"><input type="hidden" name="form_token" value="floor"></form>'
        + b" " * 4000)
THANKS = b'<!doctype html><main class="survey-thanks">Thank you</main>' + b" " * 3000


def application(environ, start_response):
    if environ["REQUEST_METHOD"] == "POST":
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body = THANKS
    else:
        body = PAGE
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
