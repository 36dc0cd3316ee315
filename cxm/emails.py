"""One way to send an e-mail: templates/emails/<name>_subject.txt, _body.txt and _body.html, rendered in
the recipient's language, written to the outbound e-mail log (apps/outbox) and sent from there, so a
refusing or silent mail server delays an e-mail (retried with backoff) instead of losing it."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render(name: str, context: dict, *, language: str) -> tuple[str, str, str]:
    """(subject, text, html) of templates/emails/<name>_*."""
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    return subject, text, html


def send(name: str, to: list[str], context: dict, *, workspace, language: str | None = None, topic: str = "",
         job=None):
    """Log one e-mail per address and make its first attempt now. Returns what email_deliver returns for each
    (None for one already sent); a failed first attempt is not an error here (the periodic job retries it, the
    log shows it). `job` is the Celery task sending it (bind=True): a message of that task delivered again
    (acks_late, after its worker died) sends none of the e-mails the first delivery sent."""
    from apps.outbox import services

    language = language or settings.LANGUAGE_CODE
    task_id = getattr(getattr(job, "request", None), "id", None)
    send_key = f"task:{task_id}" if task_id else ""
    queued = [services.email_queue(workspace=workspace, kind=name, to=address, context=context, language=language,
                                   topic=topic, send_key=send_key) for address in to]
    return [services.email_deliver(email_id=email.pk) for email in queued]
