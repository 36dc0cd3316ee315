from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import WorkspaceOwned, WorkspaceQuerySet

# A retried POST is recognised for this long; after it, the same Idempotency-Key starts afresh.
IDEMPOTENCY_TTL = timedelta(hours=24)


class IdempotencyRecordQuerySet(WorkspaceQuerySet):
    def expired(self, now=None):
        return self.filter(created_at__lt=(now or timezone.now()) - IDEMPOTENCY_TTL)


class IdempotencyRecord(WorkspaceOwned):
    """The answer to a POST sent with an Idempotency-Key header: a retry with the same key and body gets
    this stored answer instead of a second write; the same key with another body is refused (409)."""

    key = models.CharField(_("idempotency key"), max_length=255)
    endpoint = models.CharField(_("endpoint"), max_length=100)
    # SHA-256 of the endpoint and the raw request body.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.JSONField(_("response body"), default=dict)
    api_key = models.ForeignKey("workspaces.ApiKey", verbose_name=_("API key"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = IdempotencyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.endpoint} · {self.key}"

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - IDEMPOTENCY_TTL
