from .models import OutboundEmail


def latest_email(*, workspace, topic: str) -> OutboundEmail | None:
    """The newest e-mail about one object (e.g. "follow_up_case:12"), for its page."""
    return (OutboundEmail.objects.for_workspace(workspace).filter(topic=topic).defer("body_text", "body_html")
            .order_by("-created_at", "-pk").first())
