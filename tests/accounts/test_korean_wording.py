"""Words that English uses in two senses get their own Korean word in each place (gettext contexts): the e-mail
log's "To" is the recipient, not a date range's end; a case is "Opened" (접수), an e-mail "opened" (열람); a
distribution's "Delivery" is its sending, a webhook's "Delivery" one transfer, neither a parcel's (배송)."""

import pytest

from tests.feedback.factories import FollowUpCaseFactory
from tests.surveys.factories import DistributionFactory, SurveyFactory
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def korean(client, alice):
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    return client


def test_a_case_is_received_not_read(korean, workspace):
    case = FollowUpCaseFactory(workspace=workspace)
    page = korean.get(f"/w/{workspace.slug}/cases/{case.pk}/").content.decode()
    assert "<dt>접수</dt>" in page


def test_a_distribution_shows_its_sending_not_a_parcel(korean, workspace):
    distribution = DistributionFactory(survey=SurveyFactory(workspace=workspace, status="live"))
    page = korean.get(f"/w/{workspace.slug}/surveys/{distribution.survey_id}/distributions/"
                      f"{distribution.pk}/").content.decode()
    assert "<h2>발송 현황</h2>" in page and "<dt>열람</dt>" in page and "배송" not in page


def test_a_webhook_delivery_is_a_transfer(korean, workspace):
    endpoint = WebhookEndpointFactory(workspace=workspace)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    page = korean.get(f"/w/{workspace.slug}/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/")
    assert f"전송 <code>{delivery.pk}</code>" in page.content.decode()
