import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.asserts import assertContains

from apps.workspaces.models import Membership, Role, Workspace
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db



def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (15, 118, 110, 255)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()


def test_any_signed_in_person_creates_a_workspace_and_owns_it(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get("/").url == "/workspaces/new/"
    response = client.post("/workspaces/new/", {"name": "한빛텔레콤", "slug": "", "brand_color": "#112233",
                                                "default_language": "ko", "time_zone": "Asia/Seoul"})
    workspace = Workspace.objects.get()
    assert workspace.slug == "brand"
    assert response.url == "/w/brand/"
    assert Membership.objects.get(workspace=workspace, user=person).role == Role.OWNER
    assert client.get("/").url == "/w/brand/"


def test_workspace_slug_must_be_free(client, workspace):
    client.force_login(UserFactory())
    response = client.post("/workspaces/new/", {"name": "Copy", "slug": workspace.slug, "brand_color": "#112233",
                                                "default_language": "en", "time_zone": "Asia/Seoul"})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]


def test_home_of_an_empty_workspace_shows_how_to_get_started(client, workspace, alice, bob):
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/")
    assertContains(response, "Hanbit Telecom")
    assertContains(response, "No responses yet")
    assert response.context["overview"]["member_total"] == 2


def test_settings_saves_brand_and_logo(client, workspace, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/settings/", {
        "name": "Hanbit", "slug": workspace.slug, "brand_color": "#0F766E", "default_language": "ko",
        "time_zone": "Asia/Seoul", "contact_fatigue_days": 30, "follow_up_sla_hours": 48,
        "follow_up_nps_threshold": 6,
        "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.brand_color, workspace.default_language) == ("Hanbit", "#0F766E", "ko")
    assert workspace.logo.name.startswith("logos/")


def test_settings_rejects_bad_colour_and_a_non_image_and_keeps_what_was_saved(client, workspace, alice):
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/settings/", {
        "name": "Renamed", "slug": workspace.slug, "brand_color": "red", "default_language": "en",
        "time_zone": "Asia/Seoul", "contact_fatigue_days": 30, "follow_up_sla_hours": 48,
        "follow_up_nps_threshold": 6, "logo": SimpleUploadedFile("logo.png", b"not an image")})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "brand_color" in errors and "logo" in errors
    workspace.refresh_from_db()
    assert workspace.name == "Hanbit Telecom"
    # The shell shows the saved name, not the rejected one.
    assertContains(response, "Hanbit Telecom")


def test_settings_refuses_a_huge_logo(client, workspace, alice, settings):
    settings.LOGO_MAX_BYTES = 10
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/settings/", {
        "name": "Hanbit", "slug": workspace.slug, "brand_color": "#0F766E", "default_language": "en",
        "time_zone": "Asia/Seoul", "contact_fatigue_days": 30, "follow_up_sla_hours": 48,
        "follow_up_nps_threshold": 6,
        "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png")})
    assert "logo" in response.context["form"].errors


def test_brand_colour_reaches_the_shell(client, workspace, alice):
    workspace.brand_color = "#123456"
    workspace.save()
    client.force_login(alice)
    assertContains(client.get(f"/w/{workspace.slug}/"), "--brand: #123456")


def test_navigation_hides_settings_from_viewers(client, workspace, vera):
    client.force_login(vera)
    response = client.get(f"/w/{workspace.slug}/")
    assert f"/w/{workspace.slug}/settings/".encode() not in response.content


def test_settings_can_clear_the_logo(client, workspace, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    form = {"name": "Hanbit", "slug": workspace.slug, "brand_color": "#0F766E", "default_language": "en",
            "time_zone": "Asia/Seoul", "contact_fatigue_days": 30, "follow_up_sla_hours": 48,
            "follow_up_nps_threshold": 6}
    client.post(f"/w/{workspace.slug}/settings/",
                {**form, "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png")})
    response = client.post(f"/w/{workspace.slug}/settings/", {**form, "logo-clear": "on"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert not workspace.logo


def test_settings_validate_embed_origins(client, workspace, alice):
    client.force_login(alice)
    form = {"name": "Hanbit", "slug": workspace.slug, "brand_color": "#0F766E", "default_language": "en",
            "time_zone": "Asia/Seoul", "contact_fatigue_days": 14, "follow_up_sla_hours": 24,
            "follow_up_nps_threshold": 5}
    bad = client.post(f"/w/{workspace.slug}/settings/", {**form, "embed_allowed_origins": "https://shop.example/path"})
    assert "embed_allowed_origins" in bad.context["form"].errors
    good = client.post(f"/w/{workspace.slug}/settings/",
                       {**form, "embed_allowed_origins": " https://www.example.co.kr/ \n\nhttp://localhost:8080"})
    assert good.status_code == 302
    workspace.refresh_from_db()
    assert workspace.embed_origins == ["https://www.example.co.kr", "http://localhost:8080"]
    assert workspace.contact_fatigue_days == 14
