"""seed_webhooks: a disabled example endpoint per brand with a delivery log, written without any request."""

from unittest import mock

import pytest

from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from cxm.demo_journeys import seed_journeys
from cxm.demo_surveys import seed_surveys
from cxm.demo_webhooks import seed_webhooks
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.feedback.factories import FollowUpCaseFactory

pytestmark = pytest.mark.django_db


def test_the_demo_endpoint_has_a_delivery_log_and_sends_nothing(client):
    workspace = WorkspaceFactory(slug="hanbit-telecom", default_language="ko")
    owner = MembershipFactory(workspace=workspace, role="owner").user
    seed_journeys(workspace)
    seed_surveys(workspace, responses=300)
    FollowUpCaseFactory.create_batch(3, workspace=workspace)
    with mock.patch("apps.webhooks.sender.post") as post:
        endpoint = seed_webhooks(workspace)
        assert seed_webhooks(workspace) == endpoint  # idempotent
    post.assert_not_called()

    assert not endpoint.is_active and endpoint.url.startswith("https://hooks.example.com/")
    workspace.refresh_from_db()
    assert workspace.webhook_events == []  # real submissions in the demo reach no endpoint
    deliveries = WebhookDelivery.objects.for_workspace(workspace)
    assert deliveries.count() == 36 and not deliveries.filter(status="pending").exists()
    assert set(deliveries.values_list("event", flat=True)) >= {"response.completed", "follow_up_case.opened"}
    assert deliveries.filter(status="delivered", attempts=1, last_status_code=200).count() > 20
    assert deliveries.filter(status="delivered", attempts__gt=1).exists()
    assert deliveries.filter(status="failed", attempts=8).count() == 1
    assert WebhookAttempt.objects.for_workspace(workspace).count() == sum(deliveries.values_list("attempts",
                                                                                                 flat=True))
    assert WebhookEndpoint.objects.count() == 1

    client.force_login(owner)
    page = client.get(f"/w/hanbit-telecom/settings/webhooks/{endpoint.pk}/")
    assert page.status_code == 200 and "Page 1 of 2" in page.content.decode()
