import pytest
from django.core.exceptions import ValidationError
from pytest_django.asserts import assertContains, assertNotContains

from apps.touchpoints.forms import PersonaForm, parse_segment_rule
from apps.touchpoints.models import Journey, Persona
from tests.factories import JourneyFactory, PersonaFactory, SegmentFactory

from .conftest import url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "rule"), [
    ("tier=gold, region=서울", {"tier": "gold", "region": "서울"}),
    ("  tier = gold ,\nplan=5G 무제한 ", {"tier": "gold", "plan": "5G 무제한"}),
    ("등급=골드", {"등급": "골드"}),
    ("", {}),
    (" , ", {}),
])
def test_segment_rule_text_becomes_a_dict(text, rule):
    assert parse_segment_rule(text) == rule


@pytest.mark.parametrize(("text", "code"), [
    ("tier gold", "pair"),
    ("tier=", "pair"),
    ("=gold", "pair"),
    ("tier=gold, region", "pair"),
    ("1tier=gold", "key"),
    ("tier__contains=g", "key"),
    ("tier=gold, tier=silver", "duplicate"),
])
def test_segment_rule_errors_say_what_is_wrong(text, code):
    with pytest.raises(ValidationError) as error:
        parse_segment_rule(text)
    assert error.value.code == code


def test_form_shows_a_clear_message_for_a_bad_rule():
    form = PersonaForm({"name": "Gold", "segment_rule": "tier gold"})
    assert not form.is_valid()
    assert form.errors["segment_rule"] == ["“tier gold” is not an attribute=value pair. Write pairs separated by "
                                           "commas, for example: tier=gold, region=서울"]


def test_list_shows_personas_with_their_rules_to_viewers(client, workspace, vera):
    PersonaFactory(workspace=workspace, name="Gold family", segment_rule={"tier": "gold"})
    PersonaFactory(name="Someone else's")
    client.force_login(vera)
    response = client.get(url(workspace, "personas/"))
    assertContains(response, "Gold family")
    assertContains(response, "tier=gold")
    assertNotContains(response, "Someone else")
    assertNotContains(response, "New persona")


def test_empty_list_explains_personas(client, workspace, alice):
    client.force_login(alice)
    response = client.get(url(workspace, "personas/"))
    assertContains(response, "No personas yet")
    assertContains(response, "New persona")


def test_admin_creates_a_persona_from_rule_text(client, workspace, alice):
    client.force_login(alice)
    response = client.post(url(workspace, "personas/new/"),
                           {"name": "Gold family", "description": "3+ lines", "segment_rule": "tier=gold, region=서울"})
    assert response.status_code == 302
    persona = Persona.objects.get()
    assert (persona.workspace, persona.name, persona.segment_rule) == (
        workspace, "Gold family", {"tier": "gold", "region": "서울"})


def test_a_bad_rule_keeps_what_was_typed(client, workspace, alice):
    client.force_login(alice)
    response = client.post(url(workspace, "personas/new/"), {"name": "Gold family", "segment_rule": "tier: gold"})
    assert response.status_code == 400
    assertContains(response, "is not an attribute=value pair", status_code=400)
    assertContains(response, 'value="Gold family"', status_code=400)
    assertContains(response, 'value="tier: gold"', status_code=400)
    assert not Persona.objects.exists()


def test_admin_edits_a_persona_with_the_rule_prefilled(client, workspace, alice):
    persona = PersonaFactory(workspace=workspace, segment_rule={"tier": "gold", "region": "서울"})
    client.force_login(alice)
    form = client.get(url(workspace, f"personas/{persona.pk}/edit/"))
    assertContains(form, 'value="tier=gold, region=서울"')
    client.post(url(workspace, f"personas/{persona.pk}/edit/"), {"name": "Renamed", "segment_rule": ""})
    persona.refresh_from_db()
    assert (persona.name, persona.segment_rule) == ("Renamed", {})


def test_delete_confirms_and_leaves_journeys_without_persona(client, workspace, alice):
    persona = PersonaFactory(workspace=workspace)
    journey = JourneyFactory(workspace=workspace, persona=persona, name="Sign-up")
    client.force_login(alice)
    confirm = client.get(url(workspace, f"personas/{persona.pk}/delete/"))
    assertContains(confirm, "Sign-up")
    assert Persona.objects.exists()
    client.post(url(workspace, f"personas/{persona.pk}/delete/"))
    assert not Persona.objects.exists()
    assert Journey.objects.get(pk=journey.pk).persona is None


@pytest.mark.parametrize("username", ["bob", "vera"])
def test_analysts_and_viewers_may_not_change_personas(client, workspace, bob, vera, username):
    persona = PersonaFactory(workspace=workspace, name="Kept")
    client.force_login(bob if username == "bob" else vera)
    assert client.post(url(workspace, "personas/new/"), {"name": "New"}).status_code == 403
    assert client.get(url(workspace, f"personas/{persona.pk}/edit/")).status_code == 403
    assert client.post(url(workspace, f"personas/{persona.pk}/edit/"), {"name": "X"}).status_code == 403
    assert client.post(url(workspace, f"personas/{persona.pk}/delete/")).status_code == 403
    assert list(Persona.objects.values_list("name", flat=True)) == ["Kept"]


def test_personas_of_another_workspace_are_not_found(client, workspace, alice):
    foreign = PersonaFactory()
    client.force_login(alice)
    assert client.get(url(workspace, f"personas/{foreign.pk}/edit/")).status_code == 404
    assert client.post(url(workspace, f"personas/{foreign.pk}/delete/")).status_code == 404
    assert Persona.objects.filter(pk=foreign.pk).exists()


def test_a_persona_can_point_at_a_saved_segment(client, workspace, alice):
    segment = SegmentFactory(workspace=workspace, name="Gold families")
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/personas/new/", {"name": "Gold", "saved_segment": segment.pk})
    assert response.status_code == 302
    persona = Persona.objects.for_workspace(workspace).get(name="Gold")
    assert persona.saved_segment == segment and persona.segment_rule_text == "Gold families"
    response = client.post(f"/w/{workspace.slug}/personas/new/", {"name": "Both", "saved_segment": segment.pk,
                                                                  "segment_rule": "tier=gold"})
    assert "not both" in response.content.decode()


def test_a_persona_cannot_use_another_workspaces_segment(client, workspace, alice):
    client.force_login(alice)
    response = client.post(f"/w/{workspace.slug}/personas/new/", {"name": "X", "saved_segment": SegmentFactory().pk})
    assert response.status_code == 400
