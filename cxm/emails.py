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


def send(name: str, to: list[str], context: dict, *, workspace, language: str | None = None, topic: str = ""):
    """Log one e-mail per address and make its first attempt now. Returns the OutboundEmail rows; a
    failed first attempt is not an error here (the periodic job retries it, the log shows it)."""
    from apps.outbox import services

    language = language or settings.LANGUAGE_CODE
    queued = [services.email_queue(workspace=workspace, kind=name, to=address, context=context, language=language,
                                   topic=topic) for address in to]
    return [services.email_deliver(email_id=email.pk) for email in queued]
