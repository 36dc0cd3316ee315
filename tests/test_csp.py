"""The Content-Security-Policy: on every page, scripts only from this site, and no template that would
need more (inline <script>, event-handler attributes, javascript: links)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from cxm.csp import HEADER, parse
from tests.csp import frame_ancestors
from tests.factories import MembershipFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An element <script …> without src=, unless it only carries data (type="application/json").
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def assert_strict(response):
    policy = parse(response[HEADER])
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["style-src"]
    return policy


def test_pages_carry_the_policy(client):
    owner = MembershipFactory(role="owner", user=UserFactory(is_staff=True, is_superuser=True))
    slug = owner.workspace.slug
    for url in ("/accounts/login/", "/healthz", "/api/v1/openapi.json", "/does-not-exist/"):
        assert frame_ancestors(client.get(url)) == "'none'", url
        assert_strict(client.get(url))
    client.force_login(owner.user)
    for url in (f"/w/{slug}/", f"/w/{slug}/surveys/", f"/w/{slug}/errc/", "/admin/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == "'none'", url
        assert_strict(response)


def test_the_builder_preview_may_be_framed_by_the_site_itself(client):
    owner = MembershipFactory(role="owner")
    survey = SurveyFactory(workspace=owner.workspace)
    client.force_login(owner.user)
    response = client.get(f"/w/{owner.workspace.slug}/surveys/{survey.pk}/preview/")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert frame_ancestors(response) == "'self'"
    assert_strict(response)


def test_survey_pages_keep_their_workspace_frame_ancestors(client):
    survey = SurveyFactory(status="live", workspace__embed_allowed_origins="https://www.brand.example")
    response = client.get(f"/s/{survey.token}/")
    assert response.status_code == 200
    assert frame_ancestors(response) == "'self' https://www.brand.example"
    assert_strict(response)
    # One header, one frame-ancestors directive: a second one would be ignored by browsers or narrow the first.
    assert response[HEADER].count("frame-ancestors") == 1


def template_files():
    return sorted(path for path in TEMPLATES.rglob("*.html"))


def test_the_scan_finds_the_templates():
    assert len(template_files()) > 50
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert EVENT_HANDLER.search('<button type="button"\n onclick="go()">')
    assert not EVENT_HANDLER.search('<button data-confirm="Sure?">')
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_template_has_no_inline_script(path):
    text = path.read_text(encoding="utf-8")
    for pattern, what in ((INLINE_SCRIPT, "an inline <script>"), (EVENT_HANDLER, "an on…= event handler"),
                          (JAVASCRIPT_URL, "a javascript: URL")):
        match = pattern.search(text)
        assert match is None, f"{path} has {what} (the CSP blocks it; move it into a static js file): {match[0]!r}"


def test_a_changed_policy_setting_takes_effect_at_once(client):
    """csp.build keeps what it built per process: a changed CSP_DIRECTIVES must not be served stale."""
    from django.test import override_settings

    assert parse(client.get("/accounts/login/")[HEADER])["img-src"] == "'self' data:"
    with override_settings(CSP_DIRECTIVES={"img-src": "'self' data: https://cdn.brand.example"}):
        assert parse(client.get("/accounts/login/")[HEADER])["img-src"] == "'self' data: https://cdn.brand.example"
    assert parse(client.get("/accounts/login/")[HEADER])["img-src"] == "'self' data:"
