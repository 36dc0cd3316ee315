"""Celery jobs of the outbound e-mail log. Each takes ids and wraps a service; running one twice sends once."""

from celery import shared_task


@shared_task(acks_late=True)
def deliver_email(email_id: int) -> str:
    from . import services

    email = services.email_deliver(email_id=email_id)
    return "skipped" if email is None else email.status


@shared_task
def send_due_emails() -> int:
    """Periodic: retries that are due, first attempts whose sender never ran, stale claims settled."""
    from . import services

    return services.emails_send_due()
