"""Saved segments: what each rule selects, the live count, the pages and who may change them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from apps.customers import services
from apps.customers.models import Customer, Segment
from apps.customers.segments import SegmentRules
from tests.factories import CustomerFactory, PersonaFactory, ResponseFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def selected(workspace, **rules) -> set[str]:
    queryset = Customer.objects.for_workspace(workspace).in_segment(SegmentRules.from_json(rules))
    return set(queryset.values_list("external_id", flat=True))


def test_attribute_rules_must_all_match(workspace):
    CustomerFactory(workspace=workspace, external_id="gold-seoul", attributes={"tier": "gold", "region": "서울"})
    CustomerFactory(workspace=workspace, external_id="gold-busan", attributes={"tier": "gold", "region": "부산"})
    CustomerFactory(workspace=workspace, external_id="silver", attributes={"tier": "silver", "region": "서울"})
    assert selected(workspace, attributes={"tier": "gold"}) == {"gold-seoul", "gold-busan"}
    assert selected(workspace, attributes={"tier": "gold", "region": "서울"}) == {"gold-seoul"}


@pytest.mark.parametrize(("group", "expected"), [
    ("promoter", {"p"}), ("passive", {"q"}), ("detractor", {"d"}), ("none", {"n"}), ("", {"p", "q", "d", "n"})])
def test_last_nps_group(workspace, group, expected):
    for external_id, score in (("p", 9), ("q", 7), ("d", 6), ("n", None)):
        CustomerFactory(workspace=workspace, external_id=external_id, last_nps_score=score)
    assert selected(workspace, nps_group=group) == expected


def test_last_surveyed_within_more_than_and_never(workspace):
    now = timezone.now()
    CustomerFactory(workspace=workspace, external_id="recent", last_surveyed_at=now - timedelta(days=5))
    CustomerFactory(workspace=workspace, external_id="old", last_surveyed_at=now - timedelta(days=200))
    CustomerFactory(workspace=workspace, external_id="never", last_surveyed_at=None)
    assert selected(workspace, surveyed="within", surveyed_days=30) == {"recent"}
    assert selected(workspace, surveyed="not_within", surveyed_days=30) == {"old"}
    assert selected(workspace, surveyed="never") == {"never"}


def test_consent_and_language(workspace):
    CustomerFactory(workspace=workspace, external_id="ko-yes", language="ko", consent=True)
    CustomerFactory(workspace=workspace, external_id="en-no", language="en", consent=False)
    CustomerFactory(workspace=workspace, external_id="unknown", language="", consent=True)
    assert selected(workspace, consent="yes") == {"ko-yes", "unknown"}
    assert selected(workspace, consent="no") == {"en-no"}
    assert selected(workspace, language="en") == {"en-no"}
    assert selected(workspace, language="unknown") == {"unknown"}


def test_a_segment_is_counted_in_one_query(workspace, django_assert_num_queries):
    CustomerFactory.create_batch(3, workspace=workspace, attributes={"tier": "gold"}, last_nps_score=3)
    rules = SegmentRules.from_json({"attributes": {"tier": "gold"}, "nps_group": "detractor", "consent": "yes"})
    with django_assert_num_queries(1):
        assert Customer.objects.for_workspace(workspace).in_segment(rules).count() == 3


def test_rules_from_storage_drop_what_they_cannot_use():
    rules = SegmentRules.from_json({"attributes": {"a__b": "x", "tier": "gold", "empty": ""}, "nps_group": "fan",
                                    "surveyed": "within", "consent": "maybe"})
    # "within" without a number of days means nothing.
    assert rules == SegmentRules(attributes=(("tier", "gold"),))


def test_segments_of_another_workspace_count_only_their_own_customers(workspace, other_owner):
    CustomerFactory(workspace=workspace, attributes={"tier": "gold"})
    other = other_owner.memberships.get().workspace
    CustomerFactory(workspace=other, attributes={"tier": "gold"})
    assert SegmentFactory(workspace=workspace).customers().count() == 1


def test_last_nps_refresh_copies_the_latest_answer(workspace):
    customer = CustomerFactory(workspace=workspace)
    ResponseFactory(survey__workspace=workspace, customer=customer, nps_score=10,
                    submitted_at=timezone.now() - timedelta(days=3))
    ResponseFactory(survey__workspace=workspace, customer=customer, nps_score=2,
                    submitted_at=timezone.now() - timedelta(days=1))
    ResponseFactory(survey__workspace=workspace, customer=customer, nps_score=None, submitted_at=timezone.now())
    for _ in range(2):
        services.customer_last_nps_refresh(workspace=workspace)
    customer.refresh_from_db()
    assert customer.last_nps_score == 2


def test_a_response_reaches_the_profile_through_the_rollup_job(workspace):
    from apps.kpis.services import local_day, rollup_slice_recompute

    customer = CustomerFactory(workspace=workspace)
    response = ResponseFactory(survey__workspace=workspace, customer=customer, nps_score=4)
    rollup_slice_recompute(workspace_id=workspace.pk, day=local_day(workspace, response.submitted_at))
    assert selected(workspace, nps_group="detractor") == {customer.external_id}


# Pages -------------------------------------------------------------------------------------------

def url(workspace, suffix: str = "") -> str:
    return f"/w/{workspace.slug}/customers/segments/{suffix}"


def test_the_live_count_answers_with_the_fragment(client, workspace, vera):
    CustomerFactory(workspace=workspace, attributes={"tier": "gold"}, consent=True)
    CustomerFactory(workspace=workspace, attributes={"tier": "gold"}, consent=False)
    CustomerFactory(workspace=workspace, attributes={"tier": "silver"}, consent=True)
    client.force_login(vera)
    response = client.get(url(workspace, "count/"), {"tier": "gold"}, headers={"HX-Request": "true"})
    assertTemplateUsed(response, "customers/partials/segment_count.html")
    assert response.context["size"] == {"customers": 2, "reachable": 1}
    assert "tier = gold" in response.content.decode()


def test_the_list_counts_every_segment_in_one_aggregate(client, workspace, alice, django_assert_max_num_queries):
    CustomerFactory.create_batch(2, workspace=workspace, attributes={"tier": "gold"})
    CustomerFactory(workspace=workspace, attributes={"tier": "silver"})
    for tier in ("gold", "silver", "bronze"):
        SegmentFactory.create_batch(4, workspace=workspace, rules={"attributes": {"tier": tier}})
    client.force_login(alice)
    # Session, user, membership, last workspace, page count, segments, one aggregate for all counts.
    with django_assert_max_num_queries(8):
        response = client.get(url(workspace))
    counts = sorted(segment.customer_count for segment in response.context["segments"])
    assert counts == [0] * 4 + [1] * 4 + [2] * 4


def test_an_admin_creates_a_segment(client, workspace, alice):
    client.force_login(alice)
    response = client.post(url(workspace, "new/"), {
        "name": "Unhappy gold", "tier": "gold", "other_attributes": "plan: 5G", "nps_group": "detractor",
        "surveyed": "not_within", "surveyed_days": "90", "consent": "yes", "language": ""})
    assert response.status_code == 302
    segment = Segment.objects.for_workspace(workspace).get()
    assert segment.rules_object == SegmentRules(attributes=(("plan", "5G"), ("tier", "gold")), nps_group="detractor",
                                                surveyed="not_within", surveyed_days=90, consent="yes")


def test_bad_input_is_explained_and_nothing_is_saved(client, workspace, alice):
    SegmentFactory(workspace=workspace, name="Taken")
    client.force_login(alice)
    response = client.post(url(workspace, "new/"), {"name": "New", "surveyed": "within", "other_attributes": "x"})
    assert response.status_code == 400
    assert "Say how many days." in response.content.decode()
    assert "write the attribute as key: value" in response.content.decode()
    response = client.post(url(workspace, "new/"), {"name": "Taken"})
    assert "A segment with this name already exists." in response.content.decode()
    assert Segment.objects.for_workspace(workspace).count() == 1


def test_viewers_and_analysts_cannot_change_segments(client, workspace, vera, bob):
    segment = SegmentFactory(workspace=workspace)
    for user in (vera, bob):
        client.force_login(user)
        assert client.get(url(workspace, "new/")).status_code == 403
        assert client.post(url(workspace, f"{segment.pk}/"), {"name": "x"}).status_code == 403
        assert client.post(url(workspace, f"{segment.pk}/delete/")).status_code == 403
        assert client.get(url(workspace)).status_code == 200


def test_editing_keeps_the_rules_shown(client, workspace, alice):
    segment = SegmentFactory(workspace=workspace, rules={"attributes": {"tier": "gold", "plan": "x"}, "consent": "no"})
    client.force_login(alice)
    response = client.get(url(workspace, f"{segment.pk}/"))
    form = response.context["form"]
    assert form.initial["tier"] == "gold" and form.initial["other_attributes"] == "plan: x"
    response = client.post(url(workspace, f"{segment.pk}/"), {"name": "Renamed", "tier": "silver"})
    segment.refresh_from_db()
    assert (segment.name, segment.rules_object.attributes) == ("Renamed", (("tier", "silver"),))


def test_a_segment_used_by_a_persona_is_not_deleted(client, workspace, alice):
    segment = SegmentFactory(workspace=workspace)
    PersonaFactory(workspace=workspace, name="Gold family", saved_segment=segment)
    client.force_login(alice)
    assert "Gold family" in client.get(url(workspace, f"{segment.pk}/delete/")).content.decode()
    client.post(url(workspace, f"{segment.pk}/delete/"))
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_an_unused_segment_is_deleted(client, workspace, alice):
    segment = SegmentFactory(workspace=workspace)
    client.force_login(alice)
    assert client.post(url(workspace, f"{segment.pk}/delete/")).status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_the_pages_speak_korean(client, workspace, alice):
    alice.language = "ko"
    alice.save()
    SegmentFactory(workspace=workspace, rules={"nps_group": "detractor"})
    client.force_login(alice)
    body = client.get(url(workspace)).content.decode()
    assert "저장된 세그먼트" in body
    assert "비추천" in body
