"""Demo webhook endpoint: one per brand, with a week of delivery log built from the brand's own latest
responses, cases and alerts: most delivered at once, some after retries, one that never got through.

Nothing is sent: the endpoint points to a reserved example domain (RFC 2606) and is disabled, and the
log rows are written directly. To watch a real delivery, edit its URL to a receiver of yours, enable it
and press "Send test event"."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.feedback.models import Alert, FollowUpCase
from apps.surveys.models import Response
from apps.webhooks import payloads, services
from apps.webhooks.models import Event, Format, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.workspaces.models import Membership, Role

NAME = "CRM (example)"
DELIVERIES = 36

# The attempts of a delivery that did not get through at once: (status code or None, error).
RETRIED = [[(503, "HTTP 503 Service Unavailable"), (200, "")],
           [(None, "TimeoutError: timed out"), (500, "HTTP 500 Internal Server Error"), (200, "")]]
GAVE_UP = [(502, "HTTP 502 Bad Gateway")] * 3 + [(None, "ConnectionRefusedError: [Errno 111] Connection refused")] * 5


def _events(workspace) -> list[tuple[str, dict, object]]:
    """(event, data, when) from the brand's newest rows, newest first."""
    cases = (FollowUpCase.objects.for_workspace(workspace).select_related("workspace", "touchpoint", "customer")
             .order_by("-created_at")[:6])
    alerts = Alert.objects.for_workspace(workspace).select_related("workspace", "rule", "touchpoint")[:4]
    rows = []
    for case in cases:
        rows.append((Event.FOLLOW_UP_CASE_OPENED, payloads.follow_up_case(case), case.created_at))
        if case.closed_at:
            rows.append((Event.FOLLOW_UP_CASE_CLOSED, payloads.follow_up_case(case), case.closed_at))
    rows += [(Event.ALERT_FIRED, payloads.alert_fired(alert), alert.fired_at) for alert in alerts]
    responses = (Response.objects.for_workspace(workspace).select_related("workspace", "survey", "touchpoint",
                                                                          "customer")
                 .order_by("-submitted_at")[:max(DELIVERIES - len(rows), 0)])
    rows += [(Event.RESPONSE_COMPLETED, payloads.response_completed(r), r.submitted_at) for r in responses]
    return sorted(rows, key=lambda row: row[2], reverse=True)


@transaction.atomic
def seed_webhooks(workspace) -> WebhookEndpoint | None:
    """Create the brand's demo endpoint and its log (idempotent by name); returns it."""
    endpoint = WebhookEndpoint.objects.for_workspace(workspace).filter(name=NAME).first()
    if endpoint is not None:
        return endpoint
    owner = Membership.objects.for_workspace(workspace).filter(role=Role.OWNER).order_by("pk").first()
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace, name=NAME, url=f"https://hooks.example.com/cxm/{workspace.slug}",
        events=[value for value, _label in Event.subscribable()], format=Format.JSON,
        created_by=owner.user if owner else None, is_active=False, disabled_at=now)
    services.subscriptions_sync(workspace_id=workspace.pk)
    rng = random.Random(workspace.slug)
    deliveries, attempt_plans = [], []
    for n, (event, data, _when) in enumerate(_events(workspace)):
        # Spread over the last week, whatever the age of the demo rows, so the log reads as recent.
        created = now - timedelta(hours=2 + n * 4, minutes=rng.randint(0, 59))
        plan = GAVE_UP if n == 5 else RETRIED[n % 2] if n % 7 == 3 else [(200, "")]
        event_id = uuid.uuid4()
        envelope = {"id": str(event_id), "type": event, "created_at": created.isoformat(),
                    "workspace": {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name}, "data": data}
        times, moment = [], created
        for number in range(1, len(plan) + 1):
            times.append(moment)
            moment += services.retry_delay(number)
        delivered = plan[-1][0] == 200
        last_code, last_error = plan[-1]
        deliveries.append(WebhookDelivery(
            workspace=workspace, endpoint=endpoint, event_id=event_id, event=event, payload=envelope,
            status=WebhookDelivery.Status.DELIVERED if delivered else WebhookDelivery.Status.FAILED,
            attempts=len(plan), max_attempts=max(len(plan), 8) if delivered else len(plan), next_attempt_at=None,
            last_status_code=last_code, last_response_ms=rng.randint(60, 420) if last_code else 5000,
            last_error=last_error, created_at=created, delivered_at=times[-1] if delivered else None))
        attempt_plans.append(list(zip(plan, times, strict=True)))
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    WebhookAttempt.objects.bulk_create([
        WebhookAttempt(workspace=workspace, delivery=delivery, number=number, attempted_at=at, status_code=code,
                       response_ms=rng.randint(60, 420) if code else 5000, error=error,
                       response_excerpt='{"received": true}' if code == 200 else "")
        for delivery, plan in zip(deliveries, attempt_plans, strict=True)
        for number, ((code, error), at) in enumerate(plan, start=1)])
    return endpoint
