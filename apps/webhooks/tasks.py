"""Celery jobs of the webhooks app. Each takes ids and wraps a service; running one twice sends once."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from cxm import emails


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery. A delivered, failed, not-yet-due or held delivery is left alone."""
    from . import services

    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return "skipped" if delivery is None else delivery.status


@shared_task
def send_due_webhooks() -> int:
    """Periodic: enqueue the retries that are due and the deliveries whose first message was lost."""
    from . import services

    return services.deliveries_enqueue_due()


@shared_task
def purge_webhook_deliveries() -> int:
    """Nightly: old finished deliveries leave the log; the workspaces' subscription lists are re-derived."""
    from . import services

    services.subscriptions_reconcile()
    return services.deliveries_purge()


@shared_task(bind=True, acks_late=True)
def send_endpoint_disabled_email(self, endpoint_id: int) -> int:
    """Tell the workspace's admins and owners, each in their language, that an endpoint was switched off."""
    from apps.feedback.services import alert_email_recipients

    from .models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.select_related("workspace").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.is_active:
        return 0
    workspace = endpoint.workspace
    last = (WebhookDelivery.objects.for_workspace(workspace).filter(endpoint=endpoint).exclude(attempts=0)
            .order_by("-pk").first())
    url = settings.SITE_URL + reverse("webhooks:endpoint_detail", kwargs={"workspace_slug": workspace.slug,
                                                                          "endpoint_id": endpoint.pk})
    recipients = alert_email_recipients(workspace)
    for address, language in recipients:
        emails.send("webhook_disabled", [address], {
            "endpoint": endpoint, "workspace": workspace, "last_delivery": last, "endpoint_url": url,
            "failures": endpoint.consecutive_failures}, workspace=workspace, language=language,
            topic=f"webhook_endpoint:{endpoint.pk}", job=self)
    return len(recipients)
