import re

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from pytest_django.asserts import assertContains

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PO_FILE = settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_korean_catalog_is_complete():
    """A string added without its Korean translation fails here, not in front of a customer."""
    with PO_FILE.open("rb") as po_file:
        catalog = read_po(po_file, locale="ko")
    missing = [message.id for message in catalog if message.id and (
        message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))]
    assert missing == []


def test_compiled_catalog_is_in_use():
    mo_file = PO_FILE.with_suffix(".mo")
    assert mo_file.exists(), "run `make messages` (make test does it)"
    assert mo_file.stat().st_mtime >= PO_FILE.stat().st_mtime - 1, "django.mo is older than django.po"


def test_anonymous_language_switch_sets_a_cookie(client):
    response = client.post("/accounts/language/", {"language": "ko", "next": "/accounts/login/"})
    assert response.url == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    assertContains(client.get("/accounts/login/"), "로그인")


def test_language_switch_persists_on_the_account(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    client.post("/accounts/language/", {"language": "ko", "next": "/"})
    membership.user.refresh_from_db()
    assert membership.user.language == "ko"
    # A new browser (no cookie) still gets Korean once signed in.
    client.cookies.clear()
    client.force_login(membership.user)
    assertContains(client.get(membership.workspace.get_absolute_url()), "대시보드")


def test_browser_language_is_followed_without_a_choice(client):
    assertContains(client.get("/accounts/login/", headers={"Accept-Language": "ko-KR,ko;q=0.9"}), "로그인")


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_unknown_language_is_ignored(client):
    response = client.post("/accounts/language/", {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def sidebar_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="nav">'):]
    nav = nav[:nav.index("</nav>")]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("language, marker", [("en", "Dashboard"), ("ko", "대시보드")])
def test_every_navigation_page_renders_in_both_languages(client, language, marker):
    """Walks the sidebar an owner sees, so a page added to the navigation is covered at once."""
    membership = MembershipFactory(user=UserFactory(language=language))
    client.force_login(membership.user)
    links = sidebar_links(client.get(membership.workspace.get_absolute_url()).content.decode())
    assert len(links) >= 4
    for link in links:
        response = client.get(link)
        assertContains(response, marker, msg_prefix=link)
        assertContains(response, f'<html lang="{language}">', msg_prefix=link)
