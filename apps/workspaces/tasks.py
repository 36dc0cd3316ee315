from celery import shared_task

from cxm import emails

from .models import Invitation


@shared_task(acks_late=True)
def send_invitation_email(invitation_id: int) -> bool:
    """Send the invitation link. Idempotent enough: a retry re-sends the same, still valid link."""
    invitation = (Invitation.objects.select_related("workspace", "invited_by")
                  .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True).first())
    if invitation is None:
        return False
    workspace = invitation.workspace
    language = workspace.default_language
    emails.send("invitation", [invitation.email], {
        "invitation": invitation,
        "workspace": workspace,
        "inviter": invitation.invited_by,
        "accept_url": invitation.get_accept_url(),
    }, workspace=workspace, language=language, topic=f"invitation:{invitation.pk}")
    return True
