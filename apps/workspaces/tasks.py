from celery import shared_task
from django.conf import settings

from cxm import emails

from .models import Invitation


@shared_task(bind=True, acks_late=True)
def send_invitation_email(self, invitation_id: int) -> bool:
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
    }, workspace=workspace, language=language, topic=f"invitation:{invitation.pk}", job=self)
    return True


@shared_task(acks_late=True)
def export_workspace(export_id: int) -> None:
    from . import services

    services.workspace_export_run(export_id=export_id)


@shared_task(bind=True, acks_late=True)
def send_workspace_deletion_emails(self, workspace_id: int) -> int:
    """Tell every member, in their own language, when the workspace will be deleted and that an owner can
    still restore it. Nothing is sent once the deletion was cancelled."""
    from django.urls import reverse

    from .models import Membership, Workspace

    workspace = Workspace.objects.filter(pk=workspace_id, deletion_due_at__isnull=False).first()
    if workspace is None:
        return 0
    data_url = settings.SITE_URL + reverse("workspaces:data", kwargs={"workspace_slug": workspace.slug})
    members = Membership.objects.for_workspace(workspace).select_related("user").exclude(user__email="")
    for membership in members:
        emails.send("workspace_deletion", [membership.user.email], {
            "workspace": workspace, "membership": membership, "data_url": data_url,
            "requested_by": workspace.deletion_requested_by,
        }, workspace=workspace, language=membership.user.language or workspace.default_language,
            topic=f"workspace_deletion:{workspace.pk}", job=self)
    return len(members)


@shared_task(acks_late=True)
def purge_deleted_workspaces() -> int:
    """Beat, hourly: delete the workspaces whose grace period is over, one transaction each."""
    from django.utils import timezone

    from . import services
    from .models import Workspace

    due = list(Workspace.objects.filter(deletion_due_at__lte=timezone.now()).values_list("pk", flat=True))
    for workspace_id in due:
        services.workspace_purge(workspace_id=workspace_id)
    return len(due)


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    from . import services

    return services.workspace_exports_purge()
