import pytest
from pytest_django.asserts import assertContains, assertTemplateUsed

from apps.touchpoints import services
from apps.touchpoints.models import Stage, Touchpoint
from tests.factories import ResponseFactory, SurveyFactory, TouchpointFactory

from .conftest import HTMX, url

pytestmark = pytest.mark.django_db


def names(journey):
    return [stage.name_en for stage in Stage.objects.of_journey(journey)]


def test_add_stage_form_comes_inline_for_htmx_and_as_a_page_otherwise(client, workspace, alice, journey):
    client.force_login(alice)
    inline = client.get(url(workspace, f"journeys/{journey.pk}/stages/new/"), headers=HTMX)
    assertTemplateUsed(inline, "touchpoints/partials/stage_form.html")
    assert b"<html" not in inline.content
    assert b'hx-post="' in inline.content
    page = client.get(url(workspace, f"journeys/{journey.pk}/stages/new/"))
    assertTemplateUsed(page, "touchpoints/stage_form.html")
    assert b"hx-post" not in page.content
    assert "HX-Request" in page["Vary"]


def test_admin_adds_a_stage_at_the_end_and_gets_the_refreshed_map(client, workspace, alice, journey):
    client.force_login(alice)
    response = client.post(url(workspace, f"journeys/{journey.pk}/stages/new/"),
                           {"name_en": "Renewal", "name_ko": "재약정"}, headers=HTMX)
    assertTemplateUsed(response, "touchpoints/partials/journey_map.html")
    assert response["HX-Retarget"] == "#journey-map"
    assert response["HX-Reswap"] == "outerHTML"
    assertContains(response, "Renewal")
    assert names(journey)[-1] == "Renewal"
    assert Stage.objects.of_journey(journey).last().position == 5


def test_without_htmx_adding_redirects_to_the_map(client, workspace, alice, journey):
    client.force_login(alice)
    response = client.post(url(workspace, f"journeys/{journey.pk}/stages/new/"), {"name_ko": "재약정"})
    assert response.status_code == 302
    assert response.url == url(workspace, f"journeys/{journey.pk}/")
    assert Stage.objects.of_journey(journey).last().name_ko == "재약정"


def test_a_stage_needs_a_name_in_at_least_one_language(client, workspace, alice, journey):
    client.force_login(alice)
    inline = client.post(url(workspace, f"journeys/{journey.pk}/stages/new/"), {"name_en": "", "name_ko": ""},
                         headers=HTMX)
    # htmx only swaps 2xx answers: the form with its error comes back as 200.
    assert inline.status_code == 200
    assertContains(inline, "Give the stage a name")
    page = client.post(url(workspace, f"journeys/{journey.pk}/stages/new/"), {"name_en": " ", "name_ko": ""})
    assert page.status_code == 400
    assert Stage.objects.of_journey(journey).count() == 5


def test_admin_renames_a_stage(client, workspace, alice, stages):
    client.force_login(alice)
    response = client.post(url(workspace, f"stages/{stages[1].pk}/edit/"),
                           {"name_en": "Comparison", "name_ko": "비교"}, headers=HTMX)
    assertContains(response, "Comparison")
    stages[1].refresh_from_db()
    assert (stages[1].name_en, stages[1].name_ko) == ("Comparison", "비교")


def test_rename_form_is_prefilled(client, workspace, alice, stages):
    client.force_login(alice)
    response = client.get(url(workspace, f"stages/{stages[0].pk}/edit/"), headers=HTMX)
    assertContains(response, 'value="Awareness"')
    assertContains(response, 'value="인지"')


def test_move_swaps_a_stage_with_its_neighbour(client, workspace, alice, journey, stages):
    client.force_login(alice)
    client.post(url(workspace, f"stages/{stages[2].pk}/move/"), {"direction": "up"}, headers=HTMX)
    assert names(journey) == ["Awareness", "Acquisition", "Consideration", "Service", "Social network"]
    response = client.post(url(workspace, f"stages/{stages[0].pk}/move/"), {"direction": "down"})
    assert response.status_code == 302
    assert names(journey) == ["Acquisition", "Awareness", "Consideration", "Service", "Social network"]
    assert [stage.position for stage in Stage.objects.of_journey(journey)] == [0, 1, 2, 3, 4]


def test_moving_past_either_end_changes_nothing(journey, stages):
    services.stage_move(stage=stages[0], direction="up")
    services.stage_move(stage=stages[4], direction="down")
    assert names(journey) == ["Awareness", "Consideration", "Acquisition", "Service", "Social network"]


def test_move_needs_a_direction(client, workspace, alice, journey, stages):
    client.force_login(alice)
    response = client.post(url(workspace, f"stages/{stages[0].pk}/move/"), {"direction": "sideways"}, headers=HTMX)
    assertContains(response, "earlier or later")
    assert names(journey)[0] == "Awareness"


def test_remove_asks_for_confirmation_then_deletes_the_stage_and_its_touchpoints(client, workspace, alice, journey,
                                                                                 stages):
    TouchpointFactory.create_batch(2, stage=stages[1])
    kept = TouchpointFactory(stage=stages[2])
    client.force_login(alice)
    confirm = client.get(url(workspace, f"stages/{stages[1].pk}/delete/"))
    assertContains(confirm, "Its 2 touchpoints are deleted with it")
    response = client.post(url(workspace, f"stages/{stages[1].pk}/delete/"), headers=HTMX)
    assertContains(response, "removed")
    assert names(journey) == ["Awareness", "Acquisition", "Service", "Social network"]
    assert [stage.position for stage in Stage.objects.of_journey(journey)] == [0, 1, 2, 3]
    assert list(Touchpoint.objects.all()) == [kept]


def test_remove_is_refused_while_a_touchpoint_of_the_stage_has_responses(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[3])
    services.touchpoint_archive(touchpoint=touchpoint)  # even an archived one keeps its stage
    ResponseFactory(survey=SurveyFactory(workspace=workspace), touchpoint=touchpoint)
    client.force_login(alice)
    confirm = client.get(url(workspace, f"stages/{stages[3].pk}/delete/"))
    assertContains(confirm, "cannot be removed")
    response = client.post(url(workspace, f"stages/{stages[3].pk}/delete/"), headers=HTMX)
    assertContains(response, "“Service” cannot be removed: its touchpoints have survey responses")
    assertContains(response, 'role="alert"')
    plain = client.post(url(workspace, f"stages/{stages[3].pk}/delete/"), follow=True)
    assertContains(plain, "cannot be removed")
    assert Stage.objects.filter(pk=stages[3].pk).exists()
    assert Touchpoint.objects.filter(pk=touchpoint.pk).exists()


def test_moving_the_answered_touchpoints_away_allows_removal(journey, stages, workspace):
    touchpoint = TouchpointFactory(stage=stages[3])
    ResponseFactory(survey=SurveyFactory(workspace=workspace), touchpoint=touchpoint)
    services.touchpoint_move(touchpoint=touchpoint, stage=stages[2])
    services.stage_delete(stage=stages[3])
    assert "Service" not in names(journey)


@pytest.mark.parametrize("username", ["bob", "vera"])
def test_analysts_and_viewers_may_not_change_stages(client, workspace, bob, vera, journey, stages, username):
    client.force_login(bob if username == "bob" else vera)
    assert client.get(url(workspace, f"journeys/{journey.pk}/stages/new/")).status_code == 403
    assert client.post(url(workspace, f"journeys/{journey.pk}/stages/new/"), {"name_en": "X"}).status_code == 403
    assert client.post(url(workspace, f"stages/{stages[0].pk}/edit/"), {"name_en": "X"}).status_code == 403
    assert client.post(url(workspace, f"stages/{stages[0].pk}/move/"), {"direction": "down"}).status_code == 403
    assert client.post(url(workspace, f"stages/{stages[0].pk}/delete/")).status_code == 403
    assert names(journey) == ["Awareness", "Consideration", "Acquisition", "Service", "Social network"]
