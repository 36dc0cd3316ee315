"""Sending: signed requests to a real HTTP server on loopback, retries with backoff, idempotence,
automatic disabling with an e-mail to the admins."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.webhooks import services, signing, tasks
from apps.webhooks.models import Format, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def receiver_verify(secret: str, header: str, body: bytes) -> bool:
    """The verification snippet from the settings page and the README, run as a receiver would."""
    namespace: dict = {}
    exec(signing.RECEIVER_SNIPPET, namespace)  # noqa: S102 - our own documented snippet
    return namespace["verify"](secret, header, body)


@pytest.fixture
def endpoint(workspace, receiver):
    return WebhookEndpointFactory(workspace=workspace, url=receiver.url)


def test_a_delivery_arrives_signed_and_verifies_with_the_documented_snippet(endpoint, receiver):
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    tasks.deliver_webhook(delivery.pk)

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/cxm"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Cxm-Event"] == "response.completed"
    assert headers["X-Cxm-Event-Id"] == str(delivery.event_id)
    assert headers["X-Cxm-Attempt"] == "1"
    assert json.loads(body) == delivery.payload
    assert receiver_verify(endpoint.secret, headers["X-Cxm-Signature"], body)
    assert not receiver_verify(endpoint.secret, headers["X-Cxm-Signature"], body + b" ")
    assert not receiver_verify("whsec_wrong", headers["X-Cxm-Signature"], body)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.last_status_code == 200 and delivery.last_response_ms is not None
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 200, '{"ok": true}')


def test_a_delivered_row_is_not_sent_again(endpoint, receiver):
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    for _ in range(3):
        tasks.deliver_webhook(delivery.pk)
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


def test_a_delivery_held_by_another_worker_is_left_alone(endpoint, receiver):
    delivery = WebhookDeliveryFactory(endpoint=endpoint, locked_until=timezone.now() + timedelta(seconds=30))
    assert tasks.deliver_webhook(delivery.pk) == "skipped"
    assert receiver.requests == []


def test_a_500_is_retried_with_exponential_backoff_until_it_succeeds(endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    receiver.statuses.extend([500, 503])
    delivery = WebhookDeliveryFactory(endpoint=endpoint)

    before = timezone.now()
    tasks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert "500" in delivery.last_error
    first_wait = delivery.next_attempt_at - before
    assert timedelta(seconds=60) <= first_wait <= timedelta(seconds=67)
    # Not due yet: the worker and the periodic job leave it alone.
    tasks.deliver_webhook(delivery.pk)
    assert services.deliveries_enqueue_due() == 0
    assert len(receiver.requests) == 1

    # The periodic job finds it once due (eager Celery runs the send at once).
    second_try = delivery.next_attempt_at + timedelta(seconds=1)
    assert services.deliveries_enqueue_due(now=second_try) == 1
    assert len(receiver.requests) == 1  # the task itself checks the clock: a due row at *its* now
    services.delivery_attempt(delivery_id=delivery.pk, now=second_try)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code, delivery.status) == (2, 503, "pending")
    second_wait = delivery.next_attempt_at - second_try
    assert timedelta(seconds=120) <= second_wait <= timedelta(seconds=133)

    services.delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [r["headers"]["X-Cxm-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
    # The same event id on every retry, so the receiver can drop duplicates.
    assert len({r["headers"]["X-Cxm-Event-Id"] for r in receiver.requests}) == 1
    assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("status_code", flat=True)) == \
        [500, 503, 200]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_the_backoff_doubles_and_is_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 60, 600
    delays = [services.retry_delay(n).total_seconds() for n in range(1, 7)]
    for delay, base in zip(delays, [60, 120, 240, 480, 600, 600], strict=True):
        assert base <= delay <= base * 1.1


def test_the_periodic_job_sends_a_delivery_whose_message_was_lost(endpoint, receiver):
    delivery = WebhookDeliveryFactory(endpoint=endpoint)  # written, but never enqueued (Redis was down)
    assert services.deliveries_enqueue_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.requests) == 1


def test_a_delivery_fails_for_good_after_its_last_attempt(endpoint, receiver):
    receiver.statuses.extend([500, 500])
    delivery = WebhookDeliveryFactory(endpoint=endpoint, max_attempts=2)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    services.delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert services.deliveries_enqueue_due(now=timezone.now() + timedelta(days=1)) == 0


def test_consecutive_failures_disable_the_endpoint_and_email_the_admins(
        workspace, endpoint, receiver, alice, admin_user, bob, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.statuses.extend([500] * 10)
    deliveries = [WebhookDeliveryFactory(endpoint=endpoint) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        for delivery in deliveries[:3]:
            tasks.deliver_webhook(delivery.pk)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_automatically and endpoint.disabled_at
    assert endpoint.consecutive_failures == 3
    # The waiting ones (the retries and the fourth) stay in the log as failed, and nothing more is sent.
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    assert tasks.deliver_webhook(deliveries[3].pk) == "skipped"
    assert len(receiver.requests) == 3
    workspace.refresh_from_db()
    assert workspace.webhook_events == []

    # Owner alice (English) and admin minji (Korean); analyst bob is not told.
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "minji@example.com"]
    by_address = {message.to[0]: message for message in mail.outbox}
    english, korean = by_address["alice@example.com"], by_address["minji@example.com"]
    assert english.subject == f"[Hanbit Telecom] Webhook “{endpoint.name}” disabled after repeated failures"
    assert "failed 3 times in a row" in english.body and endpoint.url in english.body
    assert "HTTP 500" in english.body
    assert f"/w/hanbit/settings/webhooks/{endpoint.pk}/" in english.body
    assert "비활성화" in korean.subject and "연속" in korean.body
    assert "<html>" in english.alternatives[0][0]


def test_a_success_resets_the_failure_count(endpoint, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.statuses.extend([500, 500, 200, 500, 500])
    for _ in range(5):
        tasks.deliver_webhook(WebhookDeliveryFactory(endpoint=endpoint).pk)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 2


def test_a_timeout_is_recorded_with_its_error(endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    tasks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "timed out" in delivery.last_error.lower()


def test_a_redirect_is_not_followed(endpoint, receiver):
    receiver.statuses.append(302)
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    tasks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302 and delivery.status == "pending"
    assert len(receiver.requests) == 1


def test_a_refused_connection_is_a_failure_with_its_reason(workspace):
    endpoint = WebhookEndpointFactory(workspace=workspace, url="http://127.0.0.1:9/closed")
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    tasks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()


def test_production_refuses_a_loopback_endpoint_at_send_time(endpoint, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    tasks.deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert "private network" in delivery.last_error


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(endpoint, receiver):
    old_secret = endpoint.secret
    services.endpoint_rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")
    tasks.deliver_webhook(WebhookDeliveryFactory(endpoint=endpoint).pk)
    header, body = receiver.requests[0]["headers"]["X-Cxm-Signature"], receiver.requests[0]["body"]
    assert header.count("v1=") == 2
    assert receiver_verify(endpoint.secret, header, body) and receiver_verify(old_secret, header, body)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    tasks.deliver_webhook(WebhookDeliveryFactory(endpoint=endpoint).pk)
    header, body = receiver.requests[1]["headers"]["X-Cxm-Signature"], receiver.requests[1]["body"]
    assert header.count("v1=") == 1
    assert receiver_verify(endpoint.secret, header, body) and not receiver_verify(old_secret, header, body)


def test_the_verifier_refuses_a_replayed_old_request():
    body = b'{"type":"webhook.test"}'
    header = signing.signature_header(["whsec_x"], 1_700_000_000, body)
    assert signing.verify("whsec_x", header, body, now=1_700_000_100)
    assert not signing.verify("whsec_x", header, body, now=1_700_000_000 + signing.REPLAY_WINDOW_SECONDS + 1)
    assert not receiver_verify("whsec_x", header, body)  # signed long ago
    assert not signing.verify("whsec_x", "v1=abc", body)


def test_the_slack_format_sends_a_text_summary(workspace, receiver):
    endpoint = WebhookEndpointFactory(workspace=workspace, url=receiver.url, format=Format.SLACK)
    tasks.deliver_webhook(WebhookDeliveryFactory(endpoint=endpoint).pk)
    body = json.loads(receiver.requests[0]["body"])
    assert list(body) == ["text"]
    assert body["text"].startswith("*Hanbit Telecom* · New response at no touchpoint: NPS 9 (promoter)")
    assert receiver_verify(endpoint.secret, receiver.requests[0]["headers"]["X-Cxm-Signature"],
                           receiver.requests[0]["body"])


def test_old_finished_deliveries_leave_the_log(endpoint):
    old = WebhookDeliveryFactory(endpoint=endpoint, status="delivered",
                                 created_at=timezone.now() - timedelta(days=40))
    waiting = WebhookDeliveryFactory(endpoint=endpoint, created_at=timezone.now() - timedelta(days=40))
    recent = WebhookDeliveryFactory(endpoint=endpoint, status="failed")
    tasks.purge_webhook_deliveries()
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not WebhookDelivery.objects.filter(pk=old.pk).exists()


def test_the_readme_documents_the_same_snippet():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert signing.RECEIVER_SNIPPET in readme and "X-Cxm-Signature" in readme
