"""Production settings (DEBUG off, a real SECRET_KEY): `check --deploy` reports nothing, and the cookies
that carry a session or a CSRF token are secure, HttpOnly and SameSite."""

import json
import secrets

from tests.test_secret_key import run

PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "cxm.example"}


def production(**extra):
    return {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), **extra}


def test_deploy_check_is_clean_with_the_production_settings():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_cookies_are_secure_in_production():
    names = ["SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
             "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
             "SECURE_HSTS_SECONDS"]
    script = ("import django, json; django.setup(); from django.conf import settings; "
              f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))")
    result = run("-c", script, DJANGO_SETTINGS_MODULE="cxm.settings", **production())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_HTTPONLY": True, "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000,
    }


def test_the_session_cookie_is_sent_with_its_flags(client, settings, django_user_model):
    settings.SESSION_COOKIE_SECURE = True
    django_user_model.objects.create_user("mina", password="violet-harbour-lantern-72")
    response = client.post("/accounts/login/", {"username": "mina", "password": "violet-harbour-lantern-72"},
                           secure=True)
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
