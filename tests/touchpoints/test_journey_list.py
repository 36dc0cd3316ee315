import pytest
from pytest_django.asserts import assertContains, assertNotContains

from apps.touchpoints.models import Journey, Stage, Touchpoint
from tests.factories import JourneyFactory, PersonaFactory, ResponseFactory, SurveyFactory, TouchpointFactory

from .conftest import url

pytestmark = pytest.mark.django_db


def test_empty_list_explains_journeys_and_offers_the_create_form(client, workspace, alice):
    client.force_login(alice)
    response = client.get(url(workspace, "journeys/"))
    assertContains(response, "No journeys yet")
    assertContains(response, "New journey")
    assertContains(response, 'value="acass"')
    assertContains(response, "From scratch")


def test_viewer_reads_the_list_without_the_create_form(client, workspace, vera, journey):
    client.force_login(vera)
    response = client.get(url(workspace, "journeys/"))
    assertContains(response, "Mobile sign-up")
    assertNotContains(response, "New journey")
    assertNotContains(response, "/delete/")


def test_list_counts_stages_and_active_touchpoints(client, workspace, alice, journey, stages,
                                                   django_assert_max_num_queries):
    TouchpointFactory.create_batch(3, stage=stages[0])
    archived = TouchpointFactory(stage=stages[1])
    archived.archive()
    archived.save()
    JourneyFactory.create_batch(5, workspace=workspace)
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(url(workspace, "journeys/"))
    counted = next(item for item in response.context["journeys"] if item.pk == journey.pk)
    assert (counted.stage_count, counted.touchpoint_count) == (5, 3)


def test_admin_creates_a_journey_from_a_template(client, workspace, alice):
    persona = PersonaFactory(workspace=workspace)
    client.force_login(alice)
    response = client.post(url(workspace, "journeys/new/"),
                           {"name": "Store visit", "persona": persona.pk, "template": "before_on_after"})
    journey = Journey.objects.get()
    assert response.status_code == 302
    assert response.url == url(workspace, f"journeys/{journey.pk}/")
    assert (journey.workspace, journey.persona, journey.template) == (workspace, persona, "before_on_after")
    assert Stage.objects.of_journey(journey).count() == 3


def test_create_needs_a_name_and_a_known_template(client, workspace, alice):
    client.force_login(alice)
    response = client.post(url(workspace, "journeys/new/"), {"name": "", "template": "made-up"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "template"}
    assert not Journey.objects.exists()


def test_persona_of_another_workspace_is_not_a_choice(client, workspace, alice, other_owner):
    foreign = PersonaFactory()
    client.force_login(alice)
    response = client.post(url(workspace, "journeys/new/"), {"name": "J", "template": "acass", "persona": foreign.pk})
    assert response.status_code == 400
    assert "persona" in response.context["form"].errors


@pytest.mark.parametrize("username", ["bob", "vera"])
def test_analysts_and_viewers_may_not_create_rename_or_delete(client, workspace, alice, bob, vera, journey, username):
    client.force_login(bob if username == "bob" else vera)
    assert client.post(url(workspace, "journeys/new/"), {"name": "J", "template": "acass"}).status_code == 403
    assert client.post(url(workspace, f"journeys/{journey.pk}/edit/"), {"name": "New"}).status_code == 403
    assert client.get(url(workspace, f"journeys/{journey.pk}/delete/")).status_code == 403
    assert client.post(url(workspace, f"journeys/{journey.pk}/delete/")).status_code == 403
    assert Journey.objects.get().name == "Mobile sign-up"


def test_admin_renames_a_journey(client, workspace, alice, journey):
    client.force_login(alice)
    response = client.post(url(workspace, f"journeys/{journey.pk}/edit/"),
                           {"name": "Mobile sign-up 2025", "description": "Prepaid and postpaid"})
    assert response.status_code == 302
    journey.refresh_from_db()
    assert (journey.name, journey.description, journey.persona) == ("Mobile sign-up 2025", "Prepaid and postpaid", None)


def test_delete_asks_for_confirmation_then_deletes_stages_and_touchpoints(client, workspace, alice, journey, stages):
    TouchpointFactory(stage=stages[0])
    client.force_login(alice)
    confirm = client.get(url(workspace, f"journeys/{journey.pk}/delete/"))
    assertContains(confirm, "Delete journey")
    assert Journey.objects.exists()
    response = client.post(url(workspace, f"journeys/{journey.pk}/delete/"))
    assert response.url == url(workspace, "journeys/")
    assert not Journey.objects.exists()
    assert not Stage.objects.exists()
    assert not Touchpoint.objects.exists()


def test_a_journey_whose_touchpoints_have_responses_cannot_be_deleted(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[2])
    ResponseFactory(survey=SurveyFactory(workspace=workspace), touchpoint=touchpoint)
    client.force_login(alice)
    confirm = client.get(url(workspace, f"journeys/{journey.pk}/delete/"))
    assertContains(confirm, "cannot be deleted")
    assertNotContains(confirm, 'type="submit">Delete journey')
    response = client.post(url(workspace, f"journeys/{journey.pk}/delete/"), follow=True)
    assertContains(response, "cannot be deleted")
    assert Journey.objects.filter(pk=journey.pk).exists()
    assert Touchpoint.objects.filter(pk=touchpoint.pk).exists()
