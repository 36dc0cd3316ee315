"""The customer's profile timeline shows the responses and the cases they opened."""

import pytest

from apps.feedback.models import FollowUpCase
from tests.factories import CustomerFactory
from tests.surveys.factories import SurveyInvitationFactory

pytestmark = pytest.mark.django_db


def test_the_profile_shows_the_case_of_a_response(client, workspace, survey, submit, alice):
    customer = CustomerFactory(workspace=workspace)
    invitation = SurveyInvitationFactory(distribution__survey=survey, customer=customer)
    submit(nps=2, comment="배송이 늦었어요", invitation=invitation)
    case = FollowUpCase.objects.get()
    client.force_login(alice)
    page = client.get(f"/w/{workspace.slug}/customers/{customer.pk}/").content.decode()
    assert "배송이 늦었어요" in page
    assert f"/w/{workspace.slug}/cases/{case.pk}/" in page and f"Follow-up case #{case.pk}" in page
