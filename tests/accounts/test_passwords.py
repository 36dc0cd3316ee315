"""Password rules: at least 10 characters, not common, not close to the account, not only digits; every
message in the user's language."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.accounts.models import User

pytestmark = pytest.mark.django_db


def problems(password, language="en"):
    user = User(username="minji.kim", email="minji.kim@example.com", first_name="Minji")
    with translation.override(language):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return [item.code for item in error.error_list], error.messages
    return [], []


@pytest.mark.parametrize(("password", "code"), [
    ("Sh0rt!x", "password_too_short"),
    ("password1234", "password_too_common"),
    ("49302817465", "password_entirely_numeric"),
    ("minji.kim1", "password_too_similar"),
])
def test_weak_passwords_are_refused(password, code):
    codes, _messages = problems(password)
    assert code in codes


def test_a_strong_password_passes():
    assert problems("violet-harbour-lantern-72") == ([], [])


def test_nine_characters_are_not_enough():
    assert "password_too_short" in problems("q7#Lm2@pZ")[0]
    assert problems("q7#Lm2@pZx") == ([], [])


@pytest.mark.parametrize("password", ["Sh0rt!x", "password1234", "49302817465", "minji.kim1"])
def test_messages_are_in_korean(password):
    _codes, english = problems(password, "en")
    _codes, korean = problems(password, "ko")
    assert korean and all(ko != en for ko, en in zip(korean, english, strict=True))
    assert all(any("\uac00" <= char <= "\ud7a3" for char in message) for message in korean)


def test_the_reset_form_explains_the_rules(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.factories import UserFactory

    user = UserFactory(username="minji.kim")
    path = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    form_url = client.get(path).url
    response = client.post(form_url, {"new_password1": "12345678901", "new_password2": "12345678901"})
    assert response.status_code == 200
    assert "This password has only digits" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct horse battery")
