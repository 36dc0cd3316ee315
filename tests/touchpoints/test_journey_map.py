import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from apps.kpis.services import rollups_rebuild
from apps.workspaces.models import Role
from tests.factories import MembershipFactory, ResponseFactory, SurveyFactory, TouchpointFactory

from .conftest import HTMX, url

pytestmark = pytest.mark.django_db


def map_url(workspace, journey):
    return url(workspace, f"journeys/{journey.pk}/")


def chart_data(response) -> dict:
    content = response.content.decode()
    start = content.index('<script id="emotion-curve-data" type="application/json">') + 56
    return json.loads(content[start:content.index("</script>", start)])


def test_map_page_shows_stages_as_columns_and_touchpoints_as_cards(client, workspace, alice, journey, stages):
    TouchpointFactory(stage=stages[2], name="Online checkout")
    client.force_login(alice)
    response = client.get(map_url(workspace, journey))
    assertTemplateUsed(response, "touchpoints/journey_map.html")
    for name in ("Awareness", "Consideration", "Acquisition", "Service", "Social network", "Online checkout"):
        assertContains(response, name)
    assertContains(response, "인지")  # the other language under each stage name
    assertContains(response, "css/touchpoints.css")
    assertContains(response, "vendor/chart.js/chart.umd.min.js")
    assert "HX-Request" in response["Vary"]


def test_htmx_request_gets_only_the_map_fragment(client, workspace, alice, journey):
    client.force_login(alice)
    response = client.get(map_url(workspace, journey), headers=HTMX)
    assertTemplateUsed(response, "touchpoints/partials/journey_map.html")
    assert b"<html" not in response.content
    assert response.content.lstrip().startswith(b'<div id="journey-map"')
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(client, workspace, alice, journey):
    client.force_login(alice)
    response = client.get(map_url(workspace, journey), headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content


def test_before_any_survey_the_map_explains_where_scores_come_from(client, workspace, alice, journey, stages):
    client.force_login(alice)
    response = client.get(map_url(workspace, journey))
    assertContains(response, "Scores appear once surveys collect responses")
    assertNotContains(response, 'id="emotion-curve"')
    # The map stays editable meanwhile.
    assertContains(response, "Add a touchpoint")
    assertContains(response, "Add a stage")


def test_with_a_survey_but_no_responses_the_period_is_said_to_be_empty(client, workspace, alice, journey):
    SurveyFactory(workspace=workspace)
    client.force_login(alice)
    response = client.get(map_url(workspace, journey))
    assertNotContains(response, "Scores appear once surveys collect responses")
    assertContains(response, "No responses in this period.")


def test_cards_show_nps_with_its_sample_size_coloured_by_score(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    survey = SurveyFactory(workspace=workspace)
    for score in (9, 10, 9, 7, 3):
        ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=score, csat_score=5)
    rollups_rebuild(workspace=workspace)  # what the on-commit job does after each response
    client.force_login(alice)
    response = client.get(map_url(workspace, journey))
    card = response.content.decode().split(f'id="touchpoint-{touchpoint.pk}"')[1].split("</article>")[0]
    assert "+40" in card
    assert "n = 5" in card
    assert "--hue: 91" in card  # (40 + 100) * 130 / 200
    assert "CSAT" in card and "100%" in card
    assert chart_data(response)["nps"] == [40.0, None, None, None, None]
    assert chart_data(response)["labels"][0] == "Awareness"


def test_period_filter_excludes_old_responses(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    survey = SurveyFactory(workspace=workspace)
    for score, days_ago in ((10, 5), (0, 60), (0, 200)):
        ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=score,
                        submitted_at=timezone.now() - timedelta(days=days_ago))
    rollups_rebuild(workspace=workspace)
    client.force_login(alice)
    by_period = {}
    for period in ("30", "90", "365", "all", ""):
        response = client.get(map_url(workspace, journey), {"period": period} if period else {}, headers=HTMX)
        by_period[period] = chart_data(response)["n"][0], chart_data(response)["nps"][0]
    assert by_period == {"30": (1, 100.0), "90": (2, 0.0), "365": (3, -33.3), "all": (3, -33.3), "": (2, 0.0)}


def test_edits_keep_the_period_of_the_map_they_came_from(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    client.force_login(alice)
    current = f"http://testserver{map_url(workspace, journey)}?period=30"
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/archive/"),
                           headers={**HTMX, "HX-Current-URL": current})
    assert response.context["period"].key == "30"


def test_viewer_reads_the_map_without_edit_controls(client, workspace, alice, vera, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    client.force_login(vera)
    response = client.get(map_url(workspace, journey))
    assert response.status_code == 200
    assertContains(response, touchpoint.name)
    for control in ("Add a touchpoint", "Add a stage", "/edit/", "/archive/", "/move/", "Edit journey"):
        assertNotContains(response, control)


def test_map_of_another_workspace_is_not_found(client, journey, other_owner):
    client.force_login(other_owner)
    assert client.get(map_url(journey.workspace, journey)).status_code == 404


def test_map_query_count_does_not_grow_with_touchpoints_or_responses(client, workspace, alice, journey, stages,
                                                                      django_assert_max_num_queries):
    survey = SurveyFactory(workspace=workspace)
    owners = [MembershipFactory(workspace=workspace, role=Role.ANALYST).user for _ in range(3)]
    for index, stage in enumerate(stages):
        for touchpoint in TouchpointFactory.create_batch(8, stage=stage, owner=owners[index % 3]):
            for score in (10, 9, 7, 4):
                ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=score, csat_score=4)
    archived = TouchpointFactory(stage=stages[0])
    archived.archive()
    archived.save()
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        page = client.get(map_url(workspace, journey))
    with django_assert_max_num_queries(12):
        fragment = client.get(map_url(workspace, journey), {"period": "all"}, headers=HTMX)
    assert page.status_code == fragment.status_code == 200
    assert page.content.count(b'class="tp-card') == 40
