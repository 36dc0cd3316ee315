"""The database going away is a 503 with a page in both languages, not a 500 with a stack trace; a bug is
still a 500. (tests/faults/test_database_restart.py restarts a real PostgreSQL under load.)"""

import pytest
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.database_unavailable_urls")]


@pytest.fixture
def production_client(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("path", ["/unreachable/", "/dropped/"])
def test_an_unreachable_database_gets_the_503_page_in_korean_and_english(production_client, path):
    page = production_client.get(path, HTTP_ACCEPT_LANGUAGE="ko")
    body = page.content.decode()
    assert page.status_code == 503
    assert page["Retry-After"] == "15"
    for language in ("en", "ko"):
        with translation.override(language):
            assert translation.gettext("Back in a moment") in body
    with translation.override("ko"):
        assert translation.gettext("Back in a moment") != "Back in a moment", "the 503 page has no Korean"
    assert "Traceback" not in body and "Connection refused" not in body and "already closed" not in body


def test_a_bug_is_still_a_500(production_client):
    page = production_client.get("/bug/")
    assert page.status_code == 500
    with translation.override("en"):
        assert translation.gettext("Back in a moment") not in page.content.decode()
