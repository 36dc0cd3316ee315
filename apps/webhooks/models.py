"""Webhook endpoints of a workspace, the deliveries of its events to them, and every attempt made."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import WorkspaceOwned, WorkspaceQuerySet


class Event(models.TextChoices):
    RESPONSE_COMPLETED = "response.completed", _("Response completed")
    FOLLOW_UP_CASE_OPENED = "follow_up_case.opened", _("Follow-up case opened")
    FOLLOW_UP_CASE_CLOSED = "follow_up_case.closed", _("Follow-up case closed")
    ALERT_FIRED = "alert.fired", _("Alert fired")
    # Sent only by the "send test event" button; no endpoint subscribes to it.
    TEST = "webhook.test", _("Test event")

    @classmethod
    def subscribable(cls) -> list[tuple[str, str]]:
        return [(value, label) for value, label in cls.choices if value != cls.TEST]


class Format(models.TextChoices):
    JSON = "json", _("JSON (signed event)")
    SLACK = "slack", _("Slack-compatible message")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpointQuerySet(WorkspaceQuerySet):
    def active(self):
        return self.filter(is_active=True)


class WebhookEndpoint(WorkspaceOwned):
    """A URL of the workspace's own systems that receives the events it subscribed to."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.JSON)
    # Kept in clear: signing needs it. Shown once when made or rotated, never in lists or the admin.
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    # After a rotation the old secret also signs for a while, so receivers can switch without losing events.
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_automatically = models.BooleanField(_("disabled after failures"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]
        # The submission path asks this on every response: "any active endpoint in this workspace?"
        indexes = [models.Index(fields=["workspace", "is_active"], name="webhook_endpoint_ws_active")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("webhooks:endpoint_detail", kwargs={"workspace_slug": self.workspace.slug,
                                                           "endpoint_id": self.pk})

    def signing_secrets(self, now=None) -> list[str]:
        """The current secret, then the previous one while its grace period lasts."""
        now = now or timezone.now()
        secrets_ = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets_.append(self.previous_secret)
        return secrets_

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(event, event)) for event in self.events]


class WebhookDeliveryQuerySet(WorkspaceQuerySet):
    def due(self, now=None):
        """Pending deliveries whose next attempt is due and that no worker holds, on active endpoints."""
        now = now or timezone.now()
        return (self.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now,
                            endpoint__is_active=True)
                .filter(models.Q(locked_until__isnull=True) | models.Q(locked_until__lt=now)))


class WebhookDelivery(WorkspaceOwned):
    """One event for one endpoint. Written in the event's own transaction, so a Redis outage only
    delays it; the task and the periodic job send it until it is delivered or out of attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE,
                                 related_name="+")
    # Shared by the deliveries of one event to several endpoints: receivers deduplicate on it.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=8)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, default=timezone.now)
    # Set while a worker sends it, so the periodic job and a duplicate message do not send it twice at once.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due",
                         condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @property
    def is_success_code(self) -> bool:
        return self.last_status_code is not None and 200 <= self.last_status_code < 300


class WebhookAttempt(WorkspaceOwned):
    """One HTTP request of a delivery: what came back, how fast, or why nothing did."""

    delivery = models.ForeignKey(WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE,
                                 related_name="attempt_rows")
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # The start of the receiver's answer, to debug with; receivers should not echo personal data.
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["workspace", "delivery", "number"],
                                               name="webhook_attempt_unique_number")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
