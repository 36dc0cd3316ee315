"""The NPS report page /w/<slug>/nps/."""

import json
import re

import pytest
from django.db.models import F
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateNotUsed, assertTemplateUsed

from apps.kpis.models import DailyRollup
from apps.surveys.models import Question
from apps.workspaces.models import Role
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PersonaFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)
from tests.nps.factories import AnswerFactory, mix, responses, rolled_up
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def url(workspace, query: str = "") -> str:
    return f"/w/{workspace.slug}/nps/" + (f"?{query}" if query else "")


def test_any_member_sees_the_report(client, workspace, vera):
    responses(workspace, mix(6, 2, 2))
    rolled_up(workspace)
    client.force_login(vera)
    response = client.get(url(workspace))
    assert response.status_code == 200
    assertTemplateUsed(response, "nps/report.html")
    assert response.context["report"].scores.nps == 40
    assertContains(response, "n = 10")
    assertContains(response, "±")
    assertContains(response, 'id="nps-trend-data"')
    assertContains(response, "vendor/chart.js/chart.umd.min.js")


def test_the_headline_nps_is_read_from_the_rollups(client, workspace, alice):
    responses(workspace, mix(6, 2, 2))
    rolled_up(workspace)
    DailyRollup.objects.for_workspace(workspace).update(promoters=F("detractors"), detractors=F("promoters"))
    client.force_login(alice)
    response = client.get(url(workspace))
    assert response.context["report"].scores.nps == -40  # the responses say +40
    assertContains(response, "n = 10")


def test_it_is_not_found_for_outsiders(client, workspace, charlie):
    client.force_login(charlie)
    assert client.get(url(workspace)).status_code == 404


def test_it_asks_anonymous_visitors_to_sign_in(client, workspace):
    response = client.get(url(workspace))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_htmx_gets_the_fragment(client, workspace, alice):
    responses(workspace, mix(1, 0, 0))
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, "period=30&grain=month"), headers={"HX-Request": "true"})
    assertTemplateUsed(response, "nps/partials/report.html")
    assertTemplateNotUsed(response, "nps/report.html")
    assert "HX-Request" in response["Vary"]
    assertNotContains(response, "<html")


def test_a_history_restore_gets_the_whole_page(client, workspace, alice):
    client.force_login(alice)
    response = client.get(url(workspace), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assertTemplateUsed(response, "nps/report.html")
    assert "HX-Request" in response["Vary"]


def test_empty_state_without_responses(client, workspace, alice):
    client.force_login(alice)
    response = client.get(url(workspace))
    assertContains(response, "No responses yet")
    assertNotContains(response, 'id="nps-trend-data"')


def test_empty_state_for_a_quiet_period(client, workspace, alice):
    responses(workspace, mix(1, 0, 0), days_ago=200)
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, "period=30"))
    assertContains(response, "No responses in this period")
    assert client.get(url(workspace, "period=365")).context["report"].scores.nps_answers == 1


def test_the_significance_mark_appears_only_for_a_significant_change(client, workspace, alice):
    big = TouchpointFactory(stage__journey__workspace=workspace, name="Installation")
    small = TouchpointFactory(stage__journey__workspace=workspace, name="Showroom")
    responses(workspace, mix(40, 30, 30), touchpoint=big, days_ago=40)
    responses(workspace, mix(60, 20, 20), touchpoint=big)
    responses(workspace, mix(4, 3, 3), touchpoint=small, days_ago=40)
    responses(workspace, mix(6, 2, 2), touchpoint=small)
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, "period=30&by=touchpoint"))
    html = response.content.decode()
    rows = {row.label: row for row in response.context["report"].rows}
    assert rows["Installation"].change.significant and not rows["Showroom"].change.significant
    # One mark for the row, one for the overall change (110 → 120 answers, NPS 10 → 38.2).
    assert html.count('data-significant="up"') == 2
    table = html[html.index('id="nps-breakdown"'):]

    def row_of(name):
        start = table.index(f">{name}<")
        return table[start:table.index("</tr>", start)]

    installation_row, showroom_row = row_of("Installation"), row_of("Showroom")
    assert 'data-significant="up"' in installation_row
    assert "data-significant" not in showroom_row
    assert "+30" in showroom_row  # the change is shown, without the mark


def test_no_mark_without_a_change(client, workspace, alice):
    responses(workspace, mix(40, 30, 30), days_ago=40)
    responses(workspace, mix(40, 30, 30))
    rolled_up(workspace)
    client.force_login(alice)
    assertNotContains(client.get(url(workspace, "period=30&by=channel")), "data-significant")


@pytest.mark.parametrize("dimension", ["touchpoint", "stage", "channel", "survey", "persona", "segment", "tier",
                                       "region"])
def test_every_breakdown_renders(client, workspace, alice, dimension):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Call centre desk")
    PersonaFactory(workspace=workspace, name="Gold members", segment_rule={"tier": "gold"})
    customer = CustomerFactory(workspace=workspace, attributes={"tier": "gold", "segment": "family",
                                                                "region": "Seoul"})
    responses(workspace, mix(3, 1, 1), touchpoint=touchpoint, customer=customer, channel="call_centre")
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, f"by={dimension}"))
    assert response.status_code == 200
    assert response.context["params"].dimension == dimension
    expected = {"touchpoint": "Call centre desk", "channel": "Call centre", "persona": "Gold members",
                "segment": "family", "tier": "gold", "region": "Seoul"}.get(dimension)
    if expected:
        assertContains(response, expected)


def test_the_key_drivers_are_on_the_page(client, workspace, alice):
    survey = SurveyFactory(workspace=workspace)
    question = QuestionFactory(survey=survey, kind=Question.Kind.CSAT, text="Was the engineer on time?")
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Installation visit")
    for nps_score in [0, 3, 5, 7, 8, 9, 10, 10, 2, 9, 6, 10]:
        [response] = responses(workspace, [nps_score], survey=survey, touchpoint=touchpoint)
        AnswerFactory(response=response, question=question, number=1 + nps_score * 4 // 10)
    responses(workspace, mix(1, 0, 0))
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace))
    assertContains(response, "Was the engineer on time?")
    assertContains(response, "Installation visit")
    assertContains(response, "How these numbers are computed")
    assert response.context["report"].question_drivers[0].r > 0.9


def test_filters_narrow_the_report(client, workspace, alice):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    survey = SurveyFactory(workspace=workspace)
    responses(workspace, mix(1, 0, 0), touchpoint=touchpoint, channel="store")
    responses(workspace, mix(0, 0, 1), survey=survey, channel="web")
    rolled_up(workspace)
    client.force_login(alice)
    report = client.get(url(workspace, f"touchpoint={touchpoint.pk}")).context["report"]
    assert report.scores.nps == 100
    report = client.get(url(workspace, f"survey={survey.pk}")).context["report"]
    assert report.scores.nps == -100
    report = client.get(url(workspace, "channel=web")).context["report"]
    assert report.scores.nps_answers == 1


def test_another_workspaces_ids_filter_nothing_in(client, workspace, alice):
    other_touchpoint = TouchpointFactory()
    responses(other_touchpoint.workspace, mix(5, 0, 0), touchpoint=other_touchpoint)
    rolled_up(other_touchpoint.workspace)
    client.force_login(alice)
    response = client.get(url(workspace, f"touchpoint={other_touchpoint.pk}"))
    assert response.status_code == 200
    assert response.context["params"].filters.touchpoint_id is None  # not one of this workspace's choices
    assert response.context["report"].scores.nps_answers == 0


def test_custom_period(client, workspace, alice):
    responses(workspace, mix(2, 0, 0), days_ago=3)
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, "period=custom&start=2020-01-01&end=2020-01-31"))
    params = response.context["params"]
    assert params.period == "custom"
    assert (params.end - params.start).days == 31
    assertContains(response, 'value="2020-01-01"')
    assertContains(response, "No responses in this period")


@pytest.mark.parametrize("query", [
    "period=custom&start=2024-02-01&end=2024-01-01",
    "period=custom&start=2024-02-01",
    "period=custom&start=1990-01-01&end=2024-01-01",
])
def test_a_wrong_custom_period_says_so_and_shows_the_default(client, workspace, alice, query):
    client.force_login(alice)
    response = client.get(url(workspace, query))
    assert response.status_code == 200
    assert response.context["params"].period == "90"
    assert response.context["form"].non_field_errors()
    assertContains(response, 'class="field-error"')


@pytest.mark.parametrize("query", ["by=password", "grain=daily", "touchpoint=abc", "survey=-1", "period=7",
                                   "channel=%00", "start=yesterday", "period=custom&start=x&end=y"])
def test_nonsense_parameters_fall_back_to_defaults(client, workspace, alice, query):
    responses(workspace, mix(1, 0, 0))
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, query))
    assert response.status_code == 200
    assert response.context["report"].scores.nps_answers == 1


def test_trend_data_is_json_for_the_chart(client, workspace, alice):
    responses(workspace, mix(2, 1, 1), days_ago=3)
    rolled_up(workspace)
    client.force_login(alice)
    response = client.get(url(workspace, "period=365&grain=month"))
    html = response.content.decode()
    data = json.loads(re.search(r'<script id="nps-trend-data" type="application/json">(.*?)</script>', html).group(1))
    assert 12 <= len(data["labels"]) <= 13
    assert sum(data["n"]) == 4
    assert {"nps", "lower", "upper", "strings"} <= data.keys()


def test_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries):
    membership = MembershipFactory(role=Role.VIEWER, user=UserFactory())
    workspace = membership.workspace
    survey = SurveyFactory(workspace=workspace)
    questions = [QuestionFactory(survey=survey, kind=Question.Kind.CSAT) for _ in range(4)]
    for index in range(5):
        PersonaFactory(workspace=workspace, segment_rule={"segment": f"s{index}"})
    for index in range(30):
        touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
        customer = CustomerFactory(workspace=workspace, attributes={"segment": f"s{index % 5}"})
        for response in responses(workspace, mix(2, 1, 1), survey=survey, touchpoint=touchpoint, customer=customer,
                                  days_ago=1 + index):
            for question in questions:
                AnswerFactory(response=response, question=question, number=4)
    rolled_up(workspace)
    client.force_login(membership.user)
    for query in ("", "by=persona", "by=segment&grain=month", "period=365&by=stage", "by=survey&channel=web"):
        # Session, user, membership, navigation; the two filter lists; at most six for the report.
        with django_assert_max_num_queries(12):
            response = client.get(url(workspace, query))
        assert response.status_code == 200
    assert response.context is not None
