"""The marketer's survey list, the share page (link, snippets, QR code) and survey status changes."""

import pytest

from apps.surveys.models import Question, Survey
from tests.factories import ResponseFactory, SurveyFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_surveys_with_response_counts(client, workspace, vera, django_assert_max_num_queries):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Home delivery")
    busy = SurveyFactory(workspace=workspace, title="Delivery check", touchpoint=touchpoint, status="live")
    ResponseFactory.create_batch(3, survey=busy)
    for number in range(10):
        SurveyFactory(workspace=workspace, title=f"Other {number}")
    SurveyFactory(title="Someone else's survey")
    client.force_login(vera)
    with django_assert_max_num_queries(6):
        page = client.get(f"/w/{workspace.slug}/surveys/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Delivery check" in html and "Home delivery" in html
    assert "Someone else" not in html
    row = html[html.index("Delivery check"):]
    assert "<td>3</td>" in row[:row.index("</tr>")]
    assert f"/w/{workspace.slug}/surveys/{busy.pk}/share/" in html
    assert f"/w/{workspace.slug}/surveys/{busy.pk}/distributions/" in html
    assert "New survey" not in html  # viewers do not create surveys


def test_the_list_has_an_empty_state(client, workspace, alice):
    client.force_login(alice)
    html = client.get(f"/w/{workspace.slug}/surveys/").content.decode()
    assert "No surveys yet" in html
    assert "New survey" in html


def test_an_admin_creates_a_survey_from_a_template(client, workspace, alice):
    client.force_login(alice)
    page = client.post(f"/w/{workspace.slug}/surveys/new/",
                       {"title": "After installation", "language": "ko", "template": "nps"})
    survey = Survey.objects.get()
    assert page.status_code == 302
    assert page["Location"] == f"/w/{workspace.slug}/surveys/{survey.pk}/edit/"  # straight to the builder
    assert (survey.status, survey.language, survey.created_by) == ("draft", "ko", alice)
    kinds = list(Question.objects.for_workspace(workspace).filter(survey=survey).values_list("kind", flat=True))
    assert kinds == ["nps", "single_choice", "long_text"]
    follow_up = Question.objects.get(kind="single_choice")
    assert (follow_up.condition_question.kind, follow_up.condition_operator, follow_up.condition_min,
            follow_up.condition_max) == ("nps", "score_between", 0, 6)
    assert follow_up.choices.count() == 5


def test_creating_needs_a_title_and_admin(client, workspace, alice, bob):
    client.force_login(alice)
    assert client.post(f"/w/{workspace.slug}/surveys/new/", {"title": "", "language": "en"}).status_code == 400
    client.force_login(bob)
    assert client.post(f"/w/{workspace.slug}/surveys/new/", {"title": "x", "language": "en"}).status_code == 403
    assert not Survey.objects.exists()


def test_an_admin_takes_a_survey_live_and_pauses_it(client, workspace, alice):
    survey = SurveyFactory(workspace=workspace)
    client.force_login(alice)
    status_url = f"/w/{workspace.slug}/surveys/{survey.pk}/status/"
    page = client.post(status_url, {"status": "live"}, follow=True)
    assert "Add at least one question" in page.content.decode()
    Question.objects.create(workspace=workspace, survey=survey, kind="nps", text="?")
    client.post(status_url, {"status": "live"})
    survey.refresh_from_db()
    assert survey.status == "live"
    client.post(status_url, {"status": "paused"})
    survey.refresh_from_db()
    assert survey.status == "paused"


def test_the_share_page_gives_link_snippets_and_qr(client, workspace, vera, settings):
    settings.SITE_URL = "https://cxm.example"
    workspace.embed_allowed_origins = "https://www.hanbit.example"
    workspace.save()
    survey = SurveyFactory(workspace=workspace, status="live", title='Say "hi"')
    client.force_login(vera)
    html = client.get(f"/w/{workspace.slug}/surveys/{survey.pk}/share/").content.decode()
    public = f"https://cxm.example/s/{survey.token}/"
    assert f'value="{public}"' in html
    assert f"&lt;iframe src=&quot;{public}&quot; title=&quot;Say &amp;quot;hi&amp;quot;&quot;" in html
    assert "&lt;script src=&quot;https://cxm.example/static/js/embed.js&quot; data-survey=&quot;" in html
    assert f"/w/{workspace.slug}/surveys/{survey.pk}/qr.svg" in html
    assert "https://www.hanbit.example" in html


def test_the_share_page_warns_when_the_link_is_not_open(client, workspace, alice):
    survey = SurveyFactory(workspace=workspace, status="draft")
    client.force_login(alice)
    html = client.get(f"/w/{workspace.slug}/surveys/{survey.pk}/share/").content.decode()
    assert "This survey is a draft" in html


@pytest.mark.parametrize(("suffix", "content_type", "magic"), [
    ("qr.svg", "image/svg+xml", b"<svg"), ("qr.png", "image/png", b"\x89PNG")])
def test_qr_codes(client, workspace, vera, suffix, content_type, magic):
    survey = SurveyFactory(workspace=workspace)
    client.force_login(vera)
    page = client.get(f"/w/{workspace.slug}/surveys/{survey.pk}/{suffix}")
    assert page.status_code == 200
    assert page["Content-Type"] == content_type
    assert page.content.startswith(magic)
    download = client.get(f"/w/{workspace.slug}/surveys/{survey.pk}/{suffix}", {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_qr_code_encodes_the_public_link(workspace, settings):
    settings.SITE_URL = "https://cxm.example"
    survey = SurveyFactory(workspace=workspace)
    from apps.surveys.qr import qr_code

    assert f"https://cxm.example/s/{survey.token}/".encode() in qr_code(survey.get_public_url(), kind="svg")


def test_outsiders_get_404(client, charlie, workspace):
    survey = SurveyFactory(workspace=workspace)
    client.force_login(charlie)
    for path in ("", f"{survey.pk}/share/", f"{survey.pk}/qr.png"):
        assert client.get(f"/w/{workspace.slug}/surveys/{path}").status_code == 404
