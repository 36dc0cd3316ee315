"""cxm.wsgi serves the survey pages through a short middleware chain (cxm/handlers.py) and every other
page through settings.MIDDLEWARE. Called here as a WSGI server calls it."""

import io

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import CsrfViewMiddleware
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from cxm.handlers import PUBLIC_PATH_PREFIXES
from cxm.wsgi import application
from tests.client import Client
from tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def serve():
    """Call the WSGI application; returns (status code, headers, body). Like Django's test client, it keeps
    the test's database connection open between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def call(path: str, method: str = "GET", **headers):
        environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD=method, **headers)
        environ["wsgi.input"] = io.BytesIO(b"")
        reply = {}

        def start_response(status, response_headers, exc_info=None):
            reply["status"], reply["headers"] = int(status.split()[0]), response_headers

        body = b"".join(application(environ, start_response))
        names = {}
        for name, value in reply["headers"]:
            names.setdefault(name.lower(), []).append(value)
        return reply["status"], names, body.decode()

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_prefixes_are_exactly_the_survey_pages():
    assert reverse("public_survey", args=["t"]).startswith(PUBLIC_PATH_PREFIXES)
    assert reverse("personal_survey", args=["t"]).startswith(PUBLIC_PATH_PREFIXES)
    others = [str(pattern.pattern) for pattern in get_resolver().url_patterns
              if getattr(pattern, "name", None) not in ("public_survey", "personal_survey")]
    assert not [route for route in others if ("/" + route).startswith(PUBLIC_PATH_PREFIXES)]


def test_the_survey_chain_skips_sessions_users_and_csrf_and_the_rest_keeps_them(settings):
    dropped = {"django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
               "django.contrib.auth.middleware.AuthenticationMiddleware"}
    assert dropped <= set(settings.MIDDLEWARE)
    assert not dropped & set(settings.PUBLIC_MIDDLEWARE)
    assert set(settings.PUBLIC_MIDDLEWARE) <= set(settings.MIDDLEWARE)

    def view_middleware(handler):
        return [type(method.__self__) for method in handler._view_middleware]

    assert CsrfViewMiddleware in view_middleware(application)
    assert CsrfViewMiddleware not in view_middleware(application._public_chain)


def test_a_survey_page_keeps_the_security_headers_and_sets_no_cookie(serve):
    survey = SurveyFactory(status="live", workspace__embed_allowed_origins="https://www.brand.example")
    status, headers, body = serve(f"/s/{survey.token}/")
    assert status == 200
    assert 'name="form_token"' in body
    policies = headers["content-security-policy"]
    assert any("frame-ancestors 'self' https://www.brand.example" in policy for policy in policies)
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["referrer-policy"] == ["same-origin"]
    assert "x-frame-options" not in headers  # the brand's allowed sites may frame it
    assert "set-cookie" not in headers
    assert "Cookie" not in ",".join(headers.get("vary", []))


def test_a_missing_survey_page_is_a_404_in_the_visitors_language_and_not_framable(serve):
    status, headers, body = serve("/s/no-such-link/", HTTP_ACCEPT_LANGUAGE="ko")
    assert status == 404
    assert "설문" in body
    assert headers["x-frame-options"] == ["DENY"]
    status, headers, body = serve("/s/no/such/path/")
    assert status == 404
    assert headers["x-frame-options"] == ["DENY"]


def test_a_survey_link_without_its_slash_is_redirected(serve):
    survey = SurveyFactory(status="live")
    status, headers, _body = serve(f"/s/{survey.token}")
    assert status == 301
    assert headers["location"] == [f"/s/{survey.token}/"]


def test_the_other_pages_keep_sessions_and_csrf(serve, alice, workspace):
    status, headers, _body = serve(f"/w/{workspace.slug}/")
    assert status == 302 and headers["location"][0].startswith("/accounts/login/")
    status, headers, _body = serve("/accounts/login/")
    assert status == 200
    assert any(cookie.strip().startswith("csrftoken=") for cookie in headers["set-cookie"])


def test_the_test_client_routes_like_the_wsgi_application(client):
    for each in (client, Client(), Client(enforce_csrf_checks=True)):
        assert each.get("/s/no-such-link/").status_code == 404  # the handler loads its chains on the first request
        public_view_middleware = each.handler._public_chain._view_middleware
        assert CsrfViewMiddleware not in [type(method.__self__) for method in public_view_middleware]
    assert Client(enforce_csrf_checks=True).handler.enforce_csrf_checks
