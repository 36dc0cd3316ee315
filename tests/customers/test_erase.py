import pytest
from pytest_django.asserts import assertContains

from apps.customers import services
from apps.customers.models import Customer
from apps.surveys.models import Response
from apps.workspaces.models import AuditEntry
from tests.factories import CustomerFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def erase_url(customer):
    return f"/w/{customer.workspace.slug}/customers/{customer.pk}/erase/"


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace, external_id="CRM-42", name="김민지", email="minji@example.kr",
                           phone="010-1234-5678")


def test_get_asks_for_confirmation_without_javascript(client, customer, alice):
    client.force_login(alice)
    response = client.get(erase_url(customer))
    assertContains(response, "Erase 김민지?")
    assertContains(response, '<form method="post"')
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_erasing_keeps_the_responses_and_their_scores_without_the_link(client, workspace, customer, alice):
    survey = SurveyFactory(workspace=workspace)
    kept = [ResponseFactory(survey=survey, customer=customer, nps_score=2, csat_score=1, ces_score=6,
                            comment="The technician was late"),
            ResponseFactory(survey=survey, customer=customer, nps_score=9)]
    client.force_login(alice)
    response = client.post(erase_url(customer))
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/customers/"
    assert not Customer.objects.filter(pk=customer.pk).exists()
    survived = Response.objects.filter(pk__in=[item.pk for item in kept]).order_by("nps_score")
    assert [(item.customer_id, item.nps_score, item.csat_score, item.ces_score) for item in survived] == [
        (None, 2, 1, 6), (None, 9, None, None)]
    assert survived[0].comment == "The technician was late"


def test_the_audit_entry_holds_no_personal_data(workspace, customer, alice):
    pk = customer.pk
    services.customer_erase(customer=customer, actor=alice)
    entry = AuditEntry.objects.for_workspace(workspace).get(action=AuditEntry.Action.CUSTOMER_ERASED)
    assert entry.target == f"customer #{pk}"
    assert entry.actor == alice
    stored = f"{entry.target} {entry.details}"
    for personal in ("김민지", "minji@example.kr", "010-1234-5678", "CRM-42"):
        assert personal not in stored
    assert entry.details["external_id_sha256"] == services.external_id_fingerprint(workspace=workspace,
                                                                                  external_id="CRM-42")
    assert entry.details["responses_kept"] == 0


@pytest.mark.parametrize("member", ["bob", "vera"])
def test_analysts_and_viewers_may_not_erase(client, customer, member, request):
    client.force_login(request.getfixturevalue(member))
    assert client.get(erase_url(customer)).status_code == 403
    assert client.post(erase_url(customer)).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_of_another_workspace_cannot_be_erased(client, alice):
    other = CustomerFactory()
    client.force_login(alice)
    assert client.post(f"/w/hanbit/customers/{other.pk}/erase/").status_code == 404
    assert Customer.objects.filter(pk=other.pk).exists()
