"""Every e-mail cxm sends, as a row: what was sent to whom, its status, attempts and last error. The row
is claimed before the SMTP conversation and settled after it, so a retry never sends an e-mail twice and
a refused one is never lost silently."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.workspaces.models import WorkspaceOwned, WorkspaceQuerySet


class OutboundEmailQuerySet(WorkspaceQuerySet):
    def due(self, now=None):
        """Waiting for a first or a next attempt whose time has come."""
        return self.filter(status__in=(OutboundEmail.Status.QUEUED, OutboundEmail.Status.RETRYING),
                           next_attempt_at__lte=now or timezone.now())


class OutboundEmail(WorkspaceOwned):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        # The sender stopped (a killed worker) between claiming and settling: the mail server may or may
        # not have taken it, so it is not sent again by itself; an admin can resend it.
        UNCONFIRMED = "unconfirmed", _("Interrupted, not confirmed")

    # The template name under templates/emails/ (survey_invitation, follow_up_case_assigned …).
    kind = models.CharField(_("kind"), max_length=40)
    # What the e-mail is about, "<model>:<id>", so the page of that object can show its delivery.
    topic = models.CharField(_("about"), max_length=64, blank=True)
    # A context of its own: a case event's "to" (the status it moved to) is another word in Korean.
    to = models.CharField(pgettext_lazy("e-mail recipient", "to"), max_length=254)
    # Which sending made it, "task:<Celery task id>": a message delivered again (acks_late, after a worker died
    # mid-job) finds its e-mails already logged instead of logging, and sending, a second copy. Empty: not kept.
    send_key = models.CharField(_("send key"), max_length=64, blank=True, default="")
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="outbox_ws_created"),
            models.Index(fields=["workspace", "topic"], name="outbox_ws_topic"),
            # The periodic sender's scan; settled rows (almost all of them) are left out of the index.
            models.Index(fields=["next_attempt_at"], name="outbox_due",
                         condition=models.Q(status__in=["queued", "retrying"])),
            models.Index(fields=["claimed_at"], name="outbox_sending", condition=models.Q(status="sending")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "send_key", "to"], condition=~models.Q(send_key=""),
                                    name="outbox_unique_send"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to} ({self.status})"

    @property
    def can_resend(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.UNCONFIRMED)
