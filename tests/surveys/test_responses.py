"""The response list (filters, pagination, htmx fragment) and a response's detail page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from apps.surveys.models import Question
from apps.surveys.views import RESPONSES_PER_PAGE
from tests.factories import CustomerFactory, SurveyFactory

from .answers import respond
from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(workspace):
    survey = SurveyFactory(workspace=workspace, language="en", status="live", allowed_hidden_fields=["order"])
    QuestionFactory(survey=survey, position=1, kind="nps", text="Recommend?")
    pick = QuestionFactory(survey=survey, position=2, kind="single_choice", text="Main reason?")
    ChoiceFactory(question=pick, text="Price")
    QuestionFactory(survey=survey, position=3, kind="long_text", text="Tell us more", required=False)
    return survey


def url(survey, suffix=""):
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/responses/{suffix}"


def test_the_list_is_paginated_newest_first(client, vera, survey, django_assert_max_num_queries):
    nps = Question.objects.get(survey=survey, kind="nps")
    customer = CustomerFactory(workspace=survey.workspace, name="김민지")
    for number in range(RESPONSES_PER_PAGE + 5):
        respond(survey, {nps: number % 11}, when=timezone.now() - timedelta(minutes=number),
                comment=f"comment {number}", customer=customer)
    client.force_login(vera)
    with django_assert_max_num_queries(10):
        first = client.get(url(survey))
    html = first.content.decode()
    assert f"{RESPONSES_PER_PAGE + 5} responses" in html
    assert "comment 0<" in html and f"comment {RESPONSES_PER_PAGE}<" not in html
    assert "김민지" in html
    second = client.get(url(survey), {"page": 2}).content.decode()
    assert f"comment {RESPONSES_PER_PAGE + 4}<" in second and "comment 0<" not in second


def test_filters_and_the_htmx_fragment(client, bob, survey):
    nps = Question.objects.get(survey=survey, kind="nps")
    respond(survey, {nps: 2}, comment="Late again", channel="delivery")
    respond(survey, {nps: 10}, comment="Lovely", channel="web", language="ko")
    respond(survey, {nps: 8}, channel="web")
    client.force_login(bob)
    page = client.get(url(survey), {"group": "detractor"}, headers={"HX-Request": "true"})
    assertTemplateUsed(page, "surveys/partials/response_table.html")
    html = page.content.decode()
    assert "Late again" in html and "Lovely" not in html
    assert "group=detractor" in html  # the exports keep the filters
    assert "Lovely" in client.get(url(survey), {"language": "ko"}).content.decode()
    html = client.get(url(survey), {"comment": "no"}).content.decode()
    assert "1 response" in html
    html = client.get(url(survey), {"channel": "delivery"}).content.decode()
    assert "Late again" in html and "Lovely" not in html


def test_viewers_see_no_export_buttons(client, vera, bob, survey):
    respond(survey, {Question.objects.get(survey=survey, kind="nps"): 9})
    client.force_login(vera)
    assert "Export CSV" not in client.get(url(survey)).content.decode()
    client.force_login(bob)
    assert "Export CSV" in client.get(url(survey)).content.decode()


def test_the_empty_list(client, vera, survey):
    client.force_login(vera)
    assert "No responses match" in client.get(url(survey)).content.decode()


def test_the_detail_shows_every_answer(client, vera, survey):
    nps, pick, text = (Question.objects.get(survey=survey, position=n) for n in (1, 2, 3))
    pick.is_hidden = True
    pick.save()
    response = respond(survey, {nps: 4, pick: pick.choices.get(), text: "The box was crushed"},
                       comment="The box was crushed", hidden_fields={"order": "A-123"})
    client.force_login(vera)
    page = client.get(url(survey, f"{response.pk}/"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Recommend?" in html and ">4<" in html and "Detractor" in html
    assert "Main reason?" in html and "Price" in html and "hidden" in html
    assert "The box was crushed" in html
    assert "A-123" in html


def test_a_response_under_another_survey_address_redirects(client, vera, survey, workspace):
    response = respond(survey, {Question.objects.get(survey=survey, kind="nps"): 9})
    other = SurveyFactory(workspace=workspace)
    client.force_login(vera)
    page = client.get(f"/w/{workspace.slug}/surveys/{other.pk}/responses/{response.pk}/")
    assert page["Location"] == url(survey, f"{response.pk}/")
