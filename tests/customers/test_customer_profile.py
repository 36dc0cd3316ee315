from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.customers.models import Customer
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def profile_url(customer, *parts):
    return f"/w/{customer.workspace.slug}/customers/{customer.pk}/" + "".join(f"{part}/" for part in parts)


def test_profile_shows_fields_and_attributes(client, workspace, vera):
    customer = CustomerFactory(workspace=workspace, name="김민지", email="minji@example.kr", phone="010-1234-5678",
                               language="ko", attributes={"tier": "gold", "plan": "5G 프리미엄"})
    client.force_login(vera)
    response = client.get(profile_url(customer))
    assertContains(response, "김민지")
    assertContains(response, "minji@example.kr")
    assertContains(response, "010-1234-5678")
    assertContains(response, "<dt>plan</dt><dd>5G 프리미엄</dd>", html=True)
    assertContains(response, "No survey responses yet")
    assertNotContains(response, "Erase")  # viewers do not manage profiles


def test_timeline_lists_this_customers_responses_newest_first(client, workspace, vera,
                                                               django_assert_max_num_queries):
    customer = CustomerFactory(workspace=workspace)
    survey = SurveyFactory(workspace=workspace, title="Delivery survey")
    now = timezone.now()
    ResponseFactory(survey=survey, customer=customer, nps_score=3, comment="Late again", csat_score=2,
                    submitted_at=now - timedelta(days=2))
    ResponseFactory(survey=survey, customer=customer, nps_score=10, ces_score=2, submitted_at=now,
                    channel="call_centre")
    ResponseFactory(survey=survey, customer=CustomerFactory(workspace=workspace), comment="Someone else")
    client.force_login(vera)
    with django_assert_max_num_queries(8):
        response = client.get(profile_url(customer))
    timeline = response.context["timeline"]
    assert [item.nps_score for item in timeline] == [10, 3]
    assertContains(response, "Late again")
    assertContains(response, "Call centre")
    assertContains(response, "Detractor")
    assertContains(response, "Promoter")
    assertNotContains(response, "Someone else")


def test_profile_of_another_workspace_is_not_found(client, workspace, vera):
    customer = CustomerFactory()
    client.force_login(vera)
    assert client.get(profile_url(customer)).status_code == 404


def test_admin_edits_consent_language_and_attributes(client, workspace, alice):
    customer = CustomerFactory(workspace=workspace, consent=True, attributes={"tier": "gold"})
    client.force_login(alice)
    response = client.get(profile_url(customer, "edit"))
    assertContains(response, "tier: gold")
    response = client.post(profile_url(customer, "edit"), {
        "language": "en", "attributes": "Segment: family\n\ntier: platinum\nempty:"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.consent, customer.language) == (False, "en")
    assert customer.attributes == {"segment": "family", "tier": "platinum"}


def test_bad_attribute_lines_are_explained(client, workspace, alice):
    customer = CustomerFactory(workspace=workspace, attributes={"tier": "gold"})
    client.force_login(alice)
    response = client.post(profile_url(customer, "edit"), {"consent": "on", "attributes": "tier gold"})
    assertContains(response, "Line 1: write the attribute as key: value.")
    assert Customer.objects.get(pk=customer.pk).attributes == {"tier": "gold"}


def test_analyst_may_not_edit(client, workspace, bob):
    customer = CustomerFactory(workspace=workspace)
    client.force_login(bob)
    assert client.get(profile_url(customer, "edit")).status_code == 403
    assert client.post(profile_url(customer, "edit"), {"language": "en"}).status_code == 403
