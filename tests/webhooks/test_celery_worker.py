"""A real Celery worker on Redis and PostgreSQL sends the delivery a survey response wrote, after commit,
to a receiver on loopback. Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (CI's second pass)."""

import time

import pytest

from apps.webhooks import signing
from apps.webhooks.models import Event, WebhookDelivery

from .factories import WebhookEndpointFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_delivers_a_completed_response(worker, workspace, receiver, record):
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.RESPONSE_COMPLETED])
    response = record(9)
    deadline = time.monotonic() + 30
    while not receiver.requests:
        assert time.monotonic() < deadline, "the worker did not deliver within 30 s"
        time.sleep(0.2)
    [request] = receiver.requests
    assert signing.verify(endpoint.secret, request["headers"]["X-Cxm-Signature"], request["body"])
    assert f'"id":{response.pk}' in request["body"].decode()
    while WebhookDelivery.objects.get().status != "delivered":
        assert time.monotonic() < deadline
        time.sleep(0.2)
