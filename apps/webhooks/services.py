"""Writes on webhook endpoints and deliveries. Other apps call event_emit() inside the transaction that
records the event; everything else here serves the settings pages, the Celery tasks and the admin."""

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.surveys import link_lookup
from apps.workspaces.models import Workspace
from cxm.queue import enqueue_on_commit
from cxm.retry import backoff

from . import addresses, sender, signing, tasks
from .models import Event, Format, WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_secret
from .slack import slack_body

logger = logging.getLogger(__name__)

USER_AGENT = "cxm-webhooks/1"


# Endpoints ---------------------------------------------------------------------------------------------

def subscriptions_sync(*, workspace_id: int) -> list[str]:
    """Recompute Workspace.webhook_events from the active endpoints, under a lock on the workspace row so
    two admins saving at once cannot leave it short of an event."""
    with transaction.atomic():
        Workspace.objects.select_for_update().filter(pk=workspace_id).values_list("pk", flat=True).first()
        events = sorted({event for events in WebhookEndpoint.objects.for_workspace(workspace_id).active()
                         .values_list("events", flat=True) for event in events})
        Workspace.objects.filter(pk=workspace_id).update(webhook_events=events)
        link_lookup.forget()  # the survey pages read webhook_events from the workspace they keep
    return events


def subscriptions_reconcile() -> int:
    """Nightly: re-derive webhook_events of every workspace that has endpoints or claims events, in case a
    stale Workspace instance was saved over it. Returns how many were checked."""
    workspace_ids = set(WebhookEndpoint.objects.values_list("workspace_id", flat=True).distinct()) | set(
        Workspace.objects.exclude(webhook_events=[]).values_list("pk", flat=True))
    for workspace_id in workspace_ids:
        subscriptions_sync(workspace_id=workspace_id)
    return len(workspace_ids)


def _clean(*, workspace: Workspace, name: str, url: str, events: Sequence[str], format: str) -> dict:
    errors = {}
    name, url = (name or "").strip(), (url or "").strip()
    if not name:
        errors["name"] = _("Give the endpoint a name.")
    try:
        addresses.check_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    allowed = {value for value, _label in Event.subscribable()}
    events = [event for event in dict.fromkeys(events) if event in allowed]
    if not events:
        errors["events"] = _("Choose at least one event.")
    if format not in Format.values:
        errors["format"] = _("Choose a format from the list.")
    if errors:
        raise ValidationError(errors)
    return {"name": name[:120], "url": url, "events": events, "format": format}


def endpoint_create(*, workspace: Workspace, name: str, url: str, events: Sequence[str], format: str = Format.JSON,
                    created_by=None) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret. Raises ValidationError for a refused URL or no event."""
    fields = _clean(workspace=workspace, name=name, url=url, events=events, format=format)
    endpoint = WebhookEndpoint.objects.create(workspace=workspace, created_by=created_by, **fields)
    subscriptions_sync(workspace_id=workspace.pk)
    return endpoint


def endpoint_update(*, endpoint: WebhookEndpoint, name: str, url: str, events: Sequence[str],
                    format: str) -> WebhookEndpoint:
    fields = _clean(workspace=endpoint.workspace, name=name, url=url, events=events, format=format)
    for key, value in fields.items():
        setattr(endpoint, key, value)
    endpoint.save(update_fields=[*fields])
    subscriptions_sync(workspace_id=endpoint.workspace_id)
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookEndpoint:
    """A new secret; the old one keeps signing (as a second v1) for WEBHOOK_SECRET_GRACE_HOURS, so the
    receiver can be switched over without refusing events in between."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = now
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at"])
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.is_active, endpoint.consecutive_failures = True, 0
    endpoint.disabled_at, endpoint.disabled_automatically = None, False
    endpoint.save(update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_automatically"])
    subscriptions_sync(workspace_id=endpoint.workspace_id)
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, automatically: bool = False,
                     now: datetime | None = None) -> bool:
    """Stop sending to the endpoint. Returns False when it was already disabled (two workers failing at
    once disable it, and e-mail the admins, only once). Its waiting deliveries are marked failed: they
    stay in the log, and can be resent one by one once the endpoint works again."""
    now = now or timezone.now()
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_automatically=automatically)
    if not changed:
        return False
    subscriptions_sync(workspace_id=endpoint.workspace_id)
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_automatically = False, now, automatically
    WebhookDelivery.objects.for_workspace(endpoint.workspace_id).filter(
        endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error=_("The endpoint was disabled."))
    if automatically:
        enqueue_on_commit(tasks.send_endpoint_disabled_email, endpoint.pk)
    return True


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
    subscriptions_sync(workspace_id=endpoint.workspace_id)


# Events ------------------------------------------------------------------------------------------------

def _envelope(*, workspace: Workspace, event: str, event_id: uuid.UUID, data: dict, now: datetime) -> dict:
    return {"id": str(event_id), "type": event, "created_at": now.isoformat(),
            "workspace": {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name}, "data": data}


def event_emit(*, workspace: Workspace, event: str, payload: dict | Callable[[], dict]) -> list[WebhookDelivery]:
    """Record one event for every active endpoint of the workspace subscribed to it, in the caller's
    transaction, and send each after commit. `payload` may be a function, so its data is only gathered
    when someone listens.

    The survey submission calls this on every response: with no endpoint listening it costs no query
    (Workspace.webhook_events says so); otherwise the endpoints are read, and the deliveries written in one
    insert."""
    if event not in workspace.webhook_events:
        return []
    wanted = [pk for pk, events in WebhookEndpoint.objects.for_workspace(workspace).active()
              .values_list("pk", "events") if event in events]
    if not wanted:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    envelope = _envelope(workspace=workspace, event=event, event_id=event_id,
                         data=payload() if callable(payload) else payload, now=now)
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(workspace=workspace, endpoint_id=pk, event_id=event_id, event=event, payload=envelope,
                        max_attempts=settings.WEBHOOK_MAX_ATTEMPTS, created_at=now, next_attempt_at=now)
        for pk in wanted])
    for delivery in deliveries:
        enqueue_on_commit(tasks.deliver_webhook, delivery.pk)
    return deliveries


def test_event_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event now, once, and return its delivery with the outcome. Works on a disabled endpoint
    (to check it before enabling it again) and leaves the failure count alone."""
    from .payloads import test_event

    now = timezone.now()
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        workspace_id=endpoint.workspace_id, endpoint=endpoint, event_id=event_id, event=Event.TEST,
        payload=_envelope(workspace=endpoint.workspace, event=Event.TEST, event_id=event_id,
                          data=test_event(endpoint), now=now),
        max_attempts=1, created_at=now, next_attempt_at=now)
    return delivery_attempt(delivery_id=delivery.pk) or delivery


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Try a failed delivery once more, now, from the admin's request (its endpoint must be active again).
    Returns it with the outcome."""
    if delivery.status != WebhookDelivery.Status.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    if not delivery.endpoint.is_active:
        raise ValidationError(_("Enable the endpoint first."))
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.PENDING, max_attempts=F("attempts") + 1, next_attempt_at=now)
    delivery_attempt(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    return delivery


# Sending -----------------------------------------------------------------------------------------------

def retry_delay(attempt: int) -> timedelta:
    return backoff(attempt, base_seconds=settings.WEBHOOK_RETRY_BASE_SECONDS,
                   max_seconds=settings.WEBHOOK_RETRY_MAX_SECONDS)


def request_body(delivery: WebhookDelivery) -> bytes:
    payload = delivery.payload
    if delivery.endpoint.format == Format.SLACK:
        payload = slack_body(payload, language=delivery.endpoint.workspace.default_language)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def request_headers(delivery: WebhookDelivery, body: bytes, *, attempt: int, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Cxm-Event": delivery.event,
        "X-Cxm-Event-Id": str(delivery.event_id),
        "X-Cxm-Delivery": str(delivery.pk),
        "X-Cxm-Attempt": str(attempt),
        signing.HEADER: signing.signature_header(delivery.endpoint.signing_secrets(), timestamp, body),
    }


def _claim(delivery_id: int, now: datetime) -> bool:
    """Hold the delivery for this worker, if it is still pending, due and free. A conditional UPDATE, so a
    duplicate message, the periodic job and a redelivered task cannot send it at the same time."""
    hold = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    return bool(WebhookDelivery.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now,
    ).update(locked_until=now + hold))


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make the delivery's next attempt. Returns the delivery, or None when there was nothing to do (already
    delivered, out of attempts, not due yet, or held by another worker): running it twice sends once."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "endpoint__workspace").get(pk=delivery_id)
    endpoint = delivery.endpoint
    attempt = delivery.attempts + 1
    if not endpoint.is_active and delivery.event != Event.TEST:
        outcome = sender.Outcome(None, 0, error=_("The endpoint was disabled."))
    else:
        try:
            addresses.check_url(endpoint.url)
        except ValidationError as error:
            outcome = sender.Outcome(None, 0, error=" ".join(error.messages)[:300])
        else:
            body = request_body(delivery)
            headers = request_headers(delivery, body, attempt=attempt, timestamp=int(time.time()))
            outcome = sender.post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    _record(delivery, attempt=attempt, outcome=outcome, started=now)
    return delivery


@transaction.atomic
def _record(delivery: WebhookDelivery, *, attempt: int, outcome: sender.Outcome, started: datetime) -> None:
    # From the attempt's own clock, so a caller passing `now` (the tests, a replay) gets consistent times.
    finished = started + timedelta(milliseconds=outcome.response_ms)
    WebhookAttempt.objects.create(
        workspace_id=delivery.workspace_id, delivery=delivery, number=attempt, attempted_at=started,
        status_code=outcome.status_code, response_ms=outcome.response_ms, error=outcome.error,
        response_excerpt=outcome.excerpt)
    delivery.attempts = attempt
    delivery.last_status_code, delivery.last_response_ms = outcome.status_code, outcome.response_ms
    delivery.last_error = "" if outcome.succeeded else outcome.error
    delivery.locked_until = None
    if outcome.succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = \
            WebhookDelivery.Status.DELIVERED, finished, None
    elif attempt >= delivery.max_attempts or not delivery.endpoint.is_active:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delivery.next_attempt_at = finished + retry_delay(attempt)
    delivery.save(update_fields=["attempts", "last_status_code", "last_response_ms", "last_error", "locked_until",
                                 "status", "delivered_at", "next_attempt_at"])
    if delivery.event == Event.TEST or not delivery.endpoint.is_active:
        return
    endpoints = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if outcome.succeeded:
        endpoints.exclude(consecutive_failures=0).update(consecutive_failures=0)
        return
    endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
    failures = endpoints.values_list("consecutive_failures", flat=True).first() or 0
    if failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        endpoint_disable(endpoint=delivery.endpoint, automatically=True, now=finished)


def deliveries_enqueue_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Periodic: send the retries that are due, and first attempts whose message was lost (Redis or the
    worker away when the event happened). Oldest first; a long backlog drains over several runs."""
    ids = list(WebhookDelivery.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for delivery_id in ids:
        tasks.deliver_webhook.delay(delivery_id)
    return len(ids)


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Nightly: finished deliveries older than WEBHOOK_LOG_RETENTION_DAYS leave the log."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS)
    deleted, _rows = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(
        status=WebhookDelivery.Status.PENDING).delete()
    return deleted
