import pytest
from django.core.exceptions import ValidationError
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from apps.touchpoints import services
from apps.touchpoints.models import Channel, Touchpoint
from apps.workspaces.models import Role
from tests.factories import (
    JourneyFactory,
    MembershipFactory,
    ResponseFactory,
    StageFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)

from .conftest import HTMX, url

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {"name": "Store visit", "channel": Channel.STORE, "owner": "", "description": "", "is_active": "on",
            **overrides}


def test_add_form_comes_inline_for_htmx(client, workspace, alice, stages):
    client.force_login(alice)
    response = client.get(url(workspace, f"stages/{stages[0].pk}/touchpoints/new/"), headers=HTMX)
    assertTemplateUsed(response, "touchpoints/partials/touchpoint_form.html")
    assert b"<html" not in response.content
    assertContains(response, f'id="add-touchpoint-{stages[0].pk}"')
    assertContains(response, "New touchpoint in Awareness")


def test_add_form_is_a_page_without_htmx(client, workspace, alice, stages):
    client.force_login(alice)
    response = client.get(url(workspace, f"stages/{stages[0].pk}/touchpoints/new/"))
    assertTemplateUsed(response, "touchpoints/touchpoint_form.html")
    assert b"hx-post" not in response.content


def test_admin_adds_a_touchpoint_and_the_map_comes_back_with_its_card(client, workspace, alice, bob, journey, stages):
    client.force_login(alice)
    response = client.post(url(workspace, f"stages/{stages[3].pk}/touchpoints/new/"),
                           form_data(name="Call centre", channel=Channel.CALL_CENTRE, owner=bob.pk), headers=HTMX)
    touchpoint = Touchpoint.objects.get()
    assert (touchpoint.workspace, touchpoint.journey, touchpoint.stage) == (workspace, journey, stages[3])
    assert (touchpoint.channel, touchpoint.owner, touchpoint.is_active) == (Channel.CALL_CENTRE, bob, True)
    assertTemplateUsed(response, "touchpoints/partials/journey_map.html")
    assert response["HX-Retarget"] == "#journey-map"
    assertContains(response, f'id="touchpoint-{touchpoint.pk}"')
    assertContains(response, "Call centre")


def test_new_touchpoints_go_to_the_end_of_their_stage(stages):
    first = services.touchpoint_create(stage=stages[0], name="A", channel="web")
    second = services.touchpoint_create(stage=stages[0], name="B", channel="web")
    assert (first.position, second.position) == (0, 1)


def test_owner_must_be_a_member_of_the_workspace(client, workspace, alice, stages, other_owner):
    client.force_login(alice)
    outsider = UserFactory()
    response = client.post(url(workspace, f"stages/{stages[0].pk}/touchpoints/new/"),
                           form_data(owner=outsider.pk), headers=HTMX)
    assert response.status_code == 200
    assertTemplateUsed(response, "touchpoints/partials/touchpoint_form.html")
    assertContains(response, "Choose a member of this workspace as the owner.")
    page = client.post(url(workspace, f"stages/{stages[0].pk}/touchpoints/new/"), form_data(owner=other_owner.pk))
    assert page.status_code == 400
    assert "owner" in page.context["form"].errors
    assert not Touchpoint.objects.exists()


def test_owner_choices_are_the_members(client, workspace, alice, bob, stages):
    UserFactory(username="stranger", first_name="Stranger")
    client.force_login(alice)
    response = client.get(url(workspace, f"stages/{stages[0].pk}/touchpoints/new/"))
    owners = list(response.context["form"].fields["owner"].queryset)
    assert set(owners) == {alice, bob}


def test_service_refuses_an_owner_who_is_not_a_member(stages):
    with pytest.raises(ValidationError):
        services.touchpoint_create(stage=stages[0], name="A", channel="web", owner=UserFactory())


def test_admin_edits_a_touchpoint_inline(client, workspace, alice, bob, stages):
    touchpoint = TouchpointFactory(stage=stages[0], name="Old name")
    client.force_login(alice)
    form = client.get(url(workspace, f"touchpoints/{touchpoint.pk}/edit/"), headers=HTMX)
    assertContains(form, 'value="Old name"')
    assertContains(form, f'id="touchpoint-{touchpoint.pk}"')
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/edit/"),
                           form_data(name="Flagship store", stage=stages[0].pk, owner=bob.pk, is_active=""),
                           headers=HTMX)
    assertContains(response, "Flagship store")
    assertContains(response, "Paused")
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.owner, touchpoint.is_active) == ("Flagship store", bob, False)


def test_editing_the_stage_moves_the_touchpoint(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    client.force_login(alice)
    client.post(url(workspace, f"touchpoints/{touchpoint.pk}/edit/"), form_data(stage=stages[2].pk))
    touchpoint.refresh_from_db()
    assert touchpoint.stage == stages[2]


def test_move_to_another_stage_of_the_journey(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    TouchpointFactory(stage=stages[1], position=4)
    client.force_login(alice)
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/move/"), {"stage": stages[1].pk},
                           headers=HTMX)
    assertContains(response, "moved to Consideration")
    touchpoint.refresh_from_db()
    assert (touchpoint.stage, touchpoint.position) == (stages[1], 5)


def test_move_form_page_works_without_javascript(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    client.force_login(alice)
    page = client.get(url(workspace, f"touchpoints/{touchpoint.pk}/move/"))
    assertTemplateUsed(page, "touchpoints/touchpoint_move.html")
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/move/"), {"stage": stages[4].pk})
    assert response.status_code == 302
    touchpoint.refresh_from_db()
    assert touchpoint.stage == stages[4]


def test_a_touchpoint_cannot_move_to_another_journey(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    elsewhere = StageFactory(journey=JourneyFactory(workspace=workspace))
    client.force_login(alice)
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/move/"), {"stage": elsewhere.pk})
    assert response.status_code == 400
    touchpoint.refresh_from_db()
    assert touchpoint.stage == stages[0]


def test_archive_asks_for_confirmation_then_hides_the_card(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[0], name="Flyer")
    client.force_login(alice)
    confirm = client.get(url(workspace, f"touchpoints/{touchpoint.pk}/archive/"))
    assertContains(confirm, "Archive “Flyer”?")
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/archive/"), headers=HTMX)
    touchpoint.refresh_from_db()
    assert touchpoint.is_archived and not touchpoint.is_active
    assertNotContains(response, f'id="touchpoint-{touchpoint.pk}"')
    assertContains(response, f'id="archived-touchpoint-{touchpoint.pk}"')
    assertContains(response, "Restore")


def test_restore_brings_an_archived_touchpoint_back(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0])
    services.touchpoint_archive(touchpoint=touchpoint)
    client.force_login(alice)
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/restore/"), headers=HTMX)
    assertContains(response, f'id="touchpoint-{touchpoint.pk}"')
    touchpoint.refresh_from_db()
    assert not touchpoint.is_archived and touchpoint.is_active


def test_delete_without_responses_really_deletes(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0], name="Flyer")
    client.force_login(alice)
    confirm = client.get(url(workspace, f"touchpoints/{touchpoint.pk}/delete/"))
    assertContains(confirm, "Delete “Flyer”?")
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/delete/"), headers=HTMX)
    assertContains(response, "“Flyer” deleted.")
    assert not Touchpoint.objects.exists()


def test_delete_of_a_touchpoint_with_responses_archives_it(client, workspace, alice, stages):
    touchpoint = TouchpointFactory(stage=stages[0], name="Checkout")
    response_row = ResponseFactory(survey=SurveyFactory(workspace=workspace), touchpoint=touchpoint)
    client.force_login(alice)
    confirm = client.get(url(workspace, f"touchpoints/{touchpoint.pk}/delete/"))
    assertContains(confirm, "It will be archived instead.")
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/delete/"), headers=HTMX)
    assertContains(response, "archived instead of deleted")
    touchpoint.refresh_from_db()
    assert touchpoint.is_archived
    response_row.refresh_from_db()
    assert response_row.touchpoint == touchpoint


def test_a_touchpoint_a_survey_points_at_is_archived_not_deleted(stages, workspace):
    touchpoint = TouchpointFactory(stage=stages[0])
    SurveyFactory(workspace=workspace, touchpoint=touchpoint)
    assert services.touchpoint_delete(touchpoint=touchpoint) is False
    touchpoint.refresh_from_db()
    assert touchpoint.is_archived


def test_map_offers_delete_only_for_touchpoints_without_responses(client, workspace, alice, journey, stages):
    answered = TouchpointFactory(stage=stages[0])
    ResponseFactory(survey=SurveyFactory(workspace=workspace), touchpoint=answered)
    unanswered = TouchpointFactory(stage=stages[0])
    client.force_login(alice)
    response = client.get(url(workspace, f"journeys/{journey.pk}/"))
    assertContains(response, f"/touchpoints/{unanswered.pk}/delete/")
    assertNotContains(response, f"/touchpoints/{answered.pk}/delete/")
    assertContains(response, f"/touchpoints/{answered.pk}/archive/")


def test_without_htmx_writes_redirect_to_the_map_with_a_message(client, workspace, alice, journey, stages):
    touchpoint = TouchpointFactory(stage=stages[0], name="Flyer")
    client.force_login(alice)
    response = client.post(url(workspace, f"touchpoints/{touchpoint.pk}/archive/"), follow=True)
    assert response.redirect_chain == [(url(workspace, f"journeys/{journey.pk}/"), 302)]
    assertContains(response, "“Flyer” archived.")


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_analysts_and_viewers_may_not_change_touchpoints(client, workspace, stages, role):
    touchpoint = TouchpointFactory(stage=stages[0], name="Kept")
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    for path in (f"stages/{stages[0].pk}/touchpoints/new/", f"touchpoints/{touchpoint.pk}/edit/",
                 f"touchpoints/{touchpoint.pk}/move/", f"touchpoints/{touchpoint.pk}/archive/",
                 f"touchpoints/{touchpoint.pk}/delete/"):
        assert client.get(url(workspace, path)).status_code == 403, path
    for path, data in ((f"stages/{stages[0].pk}/touchpoints/new/", form_data()),
                       (f"touchpoints/{touchpoint.pk}/edit/", form_data(stage=stages[0].pk)),
                       (f"touchpoints/{touchpoint.pk}/move/", {"stage": stages[1].pk}),
                       (f"touchpoints/{touchpoint.pk}/archive/", {}),
                       (f"touchpoints/{touchpoint.pk}/restore/", {}),
                       (f"touchpoints/{touchpoint.pk}/delete/", {})):
        assert client.post(url(workspace, path), data, headers=HTMX).status_code == 403, path
    assert list(Touchpoint.objects.values_list("name", "stage", "archived_at")) == [("Kept", stages[0].pk, None)]


def test_an_admin_member_may_edit(client, workspace, stages):
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    client.force_login(admin)
    response = client.post(url(workspace, f"stages/{stages[0].pk}/touchpoints/new/"), form_data())
    assert response.status_code == 302
    assert Touchpoint.objects.exists()


def test_ids_of_another_workspace_are_not_found_even_in_your_own(client, workspace, alice, stages):
    foreign = TouchpointFactory()
    client.force_login(alice)
    for path in (f"stages/{foreign.stage_id}/touchpoints/new/", f"touchpoints/{foreign.pk}/edit/",
                 f"touchpoints/{foreign.pk}/archive/", f"touchpoints/{foreign.pk}/delete/",
                 f"stages/{foreign.stage_id}/delete/"):
        assert client.get(url(workspace, path)).status_code == 404, path
        assert client.post(url(workspace, path)).status_code == 404, path
    assert client.get(url(workspace, f"journeys/{foreign.journey_id}/")).status_code == 404
    mine = TouchpointFactory(stage=stages[0])
    response = client.post(url(workspace, f"touchpoints/{mine.pk}/move/"), {"stage": foreign.stage_id})
    assert response.status_code == 400
    assert Touchpoint.objects.filter(pk=foreign.pk, archived_at=None).exists()
