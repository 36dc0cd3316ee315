"""Sign-in locks after repeated failures, per account and per address; the reset form is limited too."""

import pytest
from django.core import mail
from django.utils import translation
from pytest_django.asserts import assertContains

from apps.accounts import throttle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def sign_in(client, username, password, address="203.0.113.7", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address,
                       **extra)


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_LOCKOUT_SECONDS = 900
    return settings


def test_an_account_locks_after_repeated_failures_even_with_the_right_password(client, limits):
    UserFactory(username="mina", email="mina@example.com")
    assert sign_in(client, "mina", "wrong-1").status_code == 200
    assert sign_in(client, "MINA", "wrong-2").status_code == 200
    # The third failure, typed as the e-mail address, is the same account.
    locked = sign_in(client, "mina@example.com", "wrong-3")
    assertContains(locked, "Too many failed sign-in attempts. Try again in 15 minutes", status_code=429)
    refused = sign_in(client, "mina", PASSWORD, address="198.51.100.9")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_lockout(client, limits, monkeypatch):
    UserFactory(username="mina")
    for attempt in range(3):
        sign_in(client, "mina", f"wrong-{attempt}")
    real_time = throttle.time.time
    monkeypatch.setattr(throttle.time, "time", lambda: real_time() + 901)
    assert sign_in(client, "mina", PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_account_count(client, limits):
    UserFactory(username="mina")
    sign_in(client, "mina", "wrong-1")
    sign_in(client, "mina", "wrong-2")
    assert sign_in(client, "mina", PASSWORD).status_code == 302
    client.logout()
    sign_in(client, "mina", "wrong-3")
    sign_in(client, "mina", "wrong-4")
    assert sign_in(client, "mina", PASSWORD).status_code == 302


def test_an_address_guessing_at_many_accounts_is_locked(client, limits):
    UserFactory(username="target")
    for n in range(5):
        response = sign_in(client, f"someone-{n}", "guess")
    assert response.status_code == 429
    # Locked for every account from that address, including a right password…
    assert sign_in(client, "target", PASSWORD).status_code == 429
    # …but not from another address.
    assert sign_in(client, "target", PASSWORD, address="198.51.100.20").status_code == 302


def test_the_message_is_in_the_users_language(client, limits):
    UserFactory(username="mina")
    for attempt in range(2):
        sign_in(client, "mina", f"wrong-{attempt}")
    response = sign_in(client, "mina", "wrong-3", HTTP_ACCEPT_LANGUAGE="ko")
    with translation.override("ko"):
        expected = translation.gettext("Too many failed sign-in attempts.")
    assert expected != "Too many failed sign-in attempts."
    assertContains(response, expected, status_code=429)
    assertContains(response, "15분", status_code=429)


def test_the_admin_sign_in_counts_too(client, limits):
    UserFactory(username="operator", is_staff=True)
    for attempt in range(3):
        response = client.post("/admin/login/", {"username": "operator", "password": f"wrong-{attempt}"},
                               REMOTE_ADDR="203.0.113.7")
    assertContains(response, "Too many failed sign-in attempts")
    assert sign_in(client, "operator", PASSWORD).status_code == 429


def test_password_reset_requests_are_limited(client, settings):
    settings.PASSWORD_RESETS_PER_EMAIL = 2
    UserFactory(email="mina@example.com")
    for _ in range(2):
        assert client.post("/accounts/password-reset/", {"email": "mina@example.com"}).status_code == 302
    response = client.post("/accounts/password-reset/", {"email": "Mina@example.com"})
    assertContains(response, "Too many password-reset requests. Try again in 60 minutes", status_code=429)
    assert len(mail.outbox) == 2


def test_password_reset_requests_per_address_are_limited(client, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 3
    for n in range(3):
        assert client.post("/accounts/password-reset/", {"email": f"x{n}@example.com"}).status_code == 302
    assert client.post("/accounts/password-reset/", {"email": "y@example.com"}).status_code == 429


def test_an_unreachable_cache_lets_sign_in_through(client, limits, monkeypatch):
    UserFactory(username="mina")

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(throttle.cache, "get_many", down)
    monkeypatch.setattr(throttle.cache, "add", down)
    assert sign_in(client, "mina", "wrong").status_code == 200
    assert sign_in(client, "mina", PASSWORD).status_code == 302
