import pytest
from django.core import mail
from pytest_django.asserts import assertContains

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_with_username_lands_in_the_last_workspace(client):
    membership = MembershipFactory(user=UserFactory(username="mina"))
    response = client.post("/accounts/login/", {"username": "mina", "password": "correct horse battery"},
                           follow=True)
    assert response.redirect_chain[-1][0] == f"/w/{membership.workspace.slug}/"
    assertContains(response, membership.workspace.name)


def test_sign_in_with_email_works_too(client):
    UserFactory(username="mina", email="Mina@Example.com")
    response = client.post("/accounts/login/", {"username": "mina@example.com", "password": "correct horse battery"})
    assert response.status_code == 302


def test_wrong_password_is_explained(client):
    UserFactory(username="mina")
    response = client.post("/accounts/login/", {"username": "mina", "password": "nope"})
    assertContains(response, "Please enter a correct", status_code=200)


def test_sign_out_is_a_post(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").url == "/accounts/login/"


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="mina@example.com")
    response = client.post("/accounts/password-reset/", {"email": "mina@example.com"})
    assert response.url == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/"):]
    form_url = client.get(path).url  # Django swaps the token for a session marker.
    response = client.post(form_url, {"new_password1": "a-much-better-one-42", "new_password2": "a-much-better-one-42"})
    assert response.url == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("a-much-better-one-42")


def test_profile_saves_name_and_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"first_name": "Mina", "last_name": "Park",
                                                  "email": user.email, "language": "ko"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.language) == ("Mina", "ko")


def test_profile_refuses_an_address_someone_else_uses(client):
    UserFactory(email="taken@example.com")
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"first_name": "M", "email": "TAKEN@example.com", "language": ""})
    assert "email" in response.context["form"].errors


def test_korean_names_read_family_name_first():
    assert UserFactory(first_name="민지", last_name="김").display_name == "김민지"
    assert UserFactory(first_name="Alex", last_name="Morgan").display_name == "Alex Morgan"
    assert UserFactory(username="solo", first_name="", last_name="").display_name == "solo"


def test_pages_outside_a_workspace_keep_the_last_workspace_navigation(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    client.get(membership.workspace.get_absolute_url())
    response = client.get("/accounts/profile/")
    assertContains(response, f"/w/{membership.workspace.slug}/members/")
