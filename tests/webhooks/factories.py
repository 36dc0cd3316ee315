"""Factories for the webhooks app's models (the shared ones live in tests/factories.py)."""

import factory

from apps.webhooks import services
from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from tests.factories import WorkspaceFactory


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An active endpoint; Workspace.webhook_events follows, as the services keep it."""

    class Meta:
        model = WebhookEndpoint
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Receiver {n}")
    # Loopback and a closed port: never the network, whatever a test forgets to set up.
    url = "http://127.0.0.1:9/cxm"
    events = factory.LazyFunction(lambda: [value for value, _label in Event.subscribable()])

    @factory.post_generation
    def synced(endpoint, create, extracted, **kwargs):
        if create:
            services.subscriptions_sync(workspace_id=endpoint.workspace_id)
            endpoint.workspace.refresh_from_db()


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    workspace = factory.SelfAttribute("endpoint.workspace")
    event = Event.RESPONSE_COMPLETED
    payload = factory.LazyAttribute(lambda delivery: {
        "id": str(delivery.event_id), "type": delivery.event, "created_at": "2025-06-01T00:00:00+00:00",
        "workspace": {"id": delivery.workspace.pk, "slug": delivery.workspace.slug, "name": delivery.workspace.name},
        "data": {"response": {"id": 1, "touchpoint": None, "nps_score": 9, "nps_group": "promoter",
                              "csat_score": None, "ces_score": None, "url": "https://cxm.example/"}}})
    event_id = factory.Faker("uuid4", cast_to=None)
