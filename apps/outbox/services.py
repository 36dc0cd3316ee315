"""Writes of the outbound e-mail log. An e-mail is claimed (a conditional UPDATE, committed) before the
SMTP conversation and settled after it: a second worker, a redelivered Celery message or the periodic
job finds it claimed and leaves it alone, so nothing is sent twice. A sender killed in between leaves the
claim behind; after EMAIL_SENDING_LEASE_SECONDS it is marked unconfirmed (the server may have taken it)
rather than sent again."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm import emails
from cxm.queue import enqueue_on_commit
from cxm.retry import backoff

from . import tasks
from .models import OutboundEmail

logger = logging.getLogger(__name__)
Status = OutboundEmail.Status

# kind → called with the e-mail once it is settled (sent, failed or unconfirmed); apps register theirs in
# AppConfig.ready (the survey invitations copy the outcome onto the invitation).
_settled_hooks: dict[str, Callable[[OutboundEmail], None]] = {}


def settled_hook_register(kind: str, hook: Callable[[OutboundEmail], None]) -> None:
    _settled_hooks[kind] = hook


def email_build(*, workspace, kind: str, to: str, context: dict, language: str, topic: str = "",
                now: datetime | None = None) -> OutboundEmail:
    """An unsaved, rendered e-mail, due now (for bulk_create by batch senders)."""
    now = now or timezone.now()
    subject, text, html = emails.render(kind, context, language=language)
    return OutboundEmail(workspace=workspace, kind=kind, topic=topic, to=to, language=language,
                         subject=subject[:255], body_text=text, body_html=html, created_at=now, next_attempt_at=now)


def email_queue(*, workspace, kind: str, to: str, context: dict, language: str, topic: str = "",
                send_key: str = "") -> OutboundEmail:
    """Log one e-mail. With a send_key, the one this sending already logged for that address, if any (a job run
    again): email_deliver then finds it sent, or claimed, and does not send it twice."""
    email = email_build(workspace=workspace, kind=kind, to=to, context=context, language=language, topic=topic)
    email.send_key = send_key
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        if not send_key:
            raise
        return OutboundEmail.objects.for_workspace(workspace).get(send_key=send_key, to=to)
    return email


def _claim(email_id: int, now: datetime) -> bool:
    return bool(OutboundEmail.objects.filter(pk=email_id, status__in=(Status.QUEUED, Status.RETRYING),
                                             next_attempt_at__lte=now)
                .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def _smtp_send(email: OutboundEmail) -> None:
    message = EmailMultiAlternatives(email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to],
                                     connection=get_connection(timeout=settings.EMAIL_TIMEOUT))
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()


def _settle(email: OutboundEmail) -> None:
    hook = _settled_hooks.get(email.kind)
    if hook is not None:
        hook(email)


def email_deliver(*, email_id: int, now: datetime | None = None) -> OutboundEmail | None:
    """One attempt at one e-mail, if it is waiting and due. Returns the e-mail, or None when there was
    nothing to do (sent, claimed by another sender, not due): running it twice sends once."""
    now = now or timezone.now()
    if not _claim(email_id, now):
        return None
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        _smtp_send(email)
    except (SMTPException, OSError) as error:  # refused, timed out, unreachable: retried with backoff
        logger.warning("e-mail %s (%s) not sent, attempt %s: %s", email.pk, email.kind, email.attempts, error)
        email.last_error = f"{type(error).__name__}: {error}"[:300]
        if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            email.status, email.next_attempt_at = Status.FAILED, None
        else:
            email.status = Status.RETRYING
            email.next_attempt_at = timezone.now() + backoff(
                email.attempts, base_seconds=settings.EMAIL_RETRY_BASE_SECONDS,
                max_seconds=settings.EMAIL_RETRY_MAX_SECONDS)
    else:
        email.status, email.sent_at, email.next_attempt_at, email.last_error = Status.SENT, timezone.now(), None, ""
    email.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    if email.status != Status.RETRYING:
        _settle(email)
    return email


def emails_mark_unconfirmed(*, now: datetime | None = None) -> int:
    """Claims older than the lease belong to a sender that died mid-conversation: say so, do not resend."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.EMAIL_SENDING_LEASE_SECONDS)
    stale = list(OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff))
    for email in stale:
        if OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
                status=Status.UNCONFIRMED, next_attempt_at=None,
                last_error=_("The sender stopped before the mail server confirmed this e-mail.")[:300]):
            email.status = Status.UNCONFIRMED
            _settle(email)
    return len(stale)


def emails_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Periodic: settle stale claims, then make the attempts that are due (first attempts whose sender never
    ran, and retries), oldest first; a long backlog drains over several runs."""
    now = now or timezone.now()
    emails_mark_unconfirmed(now=now)
    ids = list(OutboundEmail.objects.due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for email_id in ids:
        email_deliver(email_id=email_id, now=now)
    return len(ids)


def email_resend(*, email: OutboundEmail) -> OutboundEmail:
    """An admin sends a failed or unconfirmed e-mail again (knowingly, for an unconfirmed one)."""
    if not email.can_resend:
        raise ValidationError(_("Only a failed or unconfirmed e-mail can be sent again."))
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.QUEUED, next_attempt_at=now, last_error="",
                                                     attempts=0)
    enqueue_on_commit(tasks.deliver_email, email.pk)
    email.refresh_from_db()
    return email
