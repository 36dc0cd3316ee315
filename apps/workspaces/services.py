"""Writes on workspaces, memberships and invitations. Views call these; nothing else writes."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cxm.queue import enqueue_on_commit

from . import data_export, tasks
from .models import (
    AuditEntry,
    Invitation,
    Membership,
    Role,
    Workspace,
    WorkspaceExport,
    audit,
    invitation_expiry,
    new_token,
)

User = get_user_model()
logger = logging.getLogger(__name__)


def unique_workspace_slug(name: str) -> str:
    """A free slug from the name; a Korean-only name slugifies to nothing, so it starts from "brand"."""
    base = slugify(name)[:50] or "brand"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def workspace_create(*, user, name: str, slug: str = "", **fields) -> Workspace:
    workspace = Workspace(name=name, slug=slug or unique_workspace_slug(name), **fields)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    User.objects.filter(pk=user.pk).update(last_workspace=workspace)
    return workspace


def workspace_update(*, workspace: Workspace, **fields) -> Workspace:
    if fields.get("logo") is False:  # the form's "clear" box
        fields["logo"] = ""
    for name, value in fields.items():
        setattr(workspace, name, value)
    workspace.full_clean()
    # Only the fields the form changed: the row may have moved on since this object was loaded (the
    # webhook endpoints keep webhook_events up to date on it).
    workspace.save(update_fields=list(fields))
    return workspace


def _check_may_assign(actor: Membership, role: str) -> None:
    # Only an owner may create another owner; admins manage everyone below owner.
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied


def _check_may_manage(actor: Membership, target: Membership) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied


@transaction.atomic
def invitation_send(*, workspace: Workspace, invited_by, actor: Membership, email: str, role: str) -> Invitation:
    """Invite an address, or refresh and resend the pending invitation it already has."""
    _check_may_assign(actor, role)
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.for_workspace(workspace).filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this workspace.") % {"email": email}})
    invitation = Invitation.objects.for_workspace(workspace).pending().filter(email=email).first()
    if invitation is None:
        invitation = Invitation(workspace=workspace, email=email)
    else:
        invitation.token = new_token()
    invitation.role, invitation.invited_by, invitation.expires_at = role, invited_by, invitation_expiry()
    invitation.save()
    audit(workspace=workspace, actor=invited_by, action=AuditEntry.Action.MEMBER_INVITED, target=email, role=role)
    enqueue_on_commit(tasks.send_invitation_email, invitation.pk)
    return invitation


def invitation_resend(*, invitation: Invitation, actor: Membership) -> Invitation:
    return invitation_send(workspace=invitation.workspace, invited_by=actor.user, actor=actor,
                           email=invitation.email, role=invitation.role)


def invitation_revoke(*, invitation: Invitation, actor: Membership) -> None:
    _check_may_assign(actor, invitation.role)
    revoked = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit(workspace=invitation.workspace, actor=actor.user, action=AuditEntry.Action.INVITATION_REVOKED,
              target=invitation.email, role=invitation.role)


class InvitationUnusable(Exception):
    """The link is expired, revoked or used; the message says which, in the user's language."""


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    invitation = (Invitation.objects.select_for_update().select_related("workspace")
                  .filter(token=token).first())
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationUnusable(_("This invitation link is not valid any more. Ask for a new one."))
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("This invitation has already been accepted."))
    if invitation.is_expired:
        raise InvitationUnusable(_("This invitation has expired. Ask the person who invited you to send it again."))
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role})
    if not created and Role.rank(invitation.role) > Role.rank(membership.role):
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit(workspace=invitation.workspace, actor=user, action=AuditEntry.Action.MEMBER_JOINED, target=str(user),
          role=membership.role, invited_by=invitation.invited_by_id)
    User.objects.filter(pk=user.pk).update(last_workspace=invitation.workspace)
    return membership


@transaction.atomic
def invitation_accept_as_new_user(*, token: str, first_name: str, last_name: str, password: str,
                                  language: str) -> Membership:
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None:
        raise InvitationUnusable(_("This invitation link is not valid any more. Ask for a new one."))
    user = User.objects.create_user(username=invitation.email, email=invitation.email, password=password,
                                    first_name=first_name, last_name=last_name, language=language)
    return invitation_accept(token=token, user=user)


def _lock_owners(workspace: Workspace) -> list[Membership]:
    # Two owners demoting each other at once must not leave the workspace ownerless.
    return list(Membership.objects.for_workspace(workspace).owners().select_for_update())


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: Membership, role: str) -> Membership:
    _check_may_manage(actor, membership)
    _check_may_assign(actor, role)
    owners = _lock_owners(membership.workspace)
    if membership.role == Role.OWNER and role != Role.OWNER and len(owners) <= 1:
        raise ValidationError(_("A workspace needs at least one owner. Make someone else owner first."))
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(workspace=membership.workspace, actor=actor.user, action=AuditEntry.Action.MEMBER_ROLE_CHANGED,
          target=str(membership.user), previous=previous, role=role)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Membership) -> None:
    if membership.pk != actor.pk:
        _check_may_manage(actor, membership)
    owners = _lock_owners(membership.workspace)
    if membership.role == Role.OWNER and len(owners) <= 1:
        raise ValidationError(_("The last owner cannot be removed. Make someone else owner first."))
    User.objects.filter(pk=membership.user_id, last_workspace=membership.workspace).update(last_workspace=None)
    audit(workspace=membership.workspace, actor=actor.user, action=AuditEntry.Action.MEMBER_REMOVED,
          target=str(membership.user), role=membership.role, left=membership.pk == actor.pk)
    membership.delete()


def _check_owner(actor: Membership) -> None:
    if actor.role != Role.OWNER:
        raise PermissionDenied


@transaction.atomic
def workspace_export_request(*, workspace: Workspace, actor: Membership) -> WorkspaceExport:
    """Queue an export of everything in the workspace; the job writes the ZIP and reports progress."""
    _check_owner(actor)
    export = WorkspaceExport.objects.create(workspace=workspace, requested_by=actor.user,
                                            total_tables=len(data_export.tenant_models()))
    audit(workspace=workspace, actor=actor.user, action=AuditEntry.Action.WORKSPACE_EXPORTED,
          target=_("Export #%(number)s") % {"number": export.pk}, export_id=export.pk)
    enqueue_on_commit(tasks.export_workspace, export.pk)
    return export


def workspace_export_run(*, export_id: int) -> WorkspaceExport | None:
    """Write the export's ZIP. Runs again from the start after a crash (the file is only renamed into
    place when complete); a finished export is left alone."""
    export = WorkspaceExport.objects.select_related("workspace").filter(pk=export_id).first()
    if export is None or export.is_finished:
        return export
    file_name = export.file_name or f"cxm-{export.workspace.slug}-{export.pk}-{secrets.token_urlsafe(12)}.zip"
    WorkspaceExport.objects.filter(pk=export.pk).update(status=WorkspaceExport.Status.RUNNING, file_name=file_name,
                                                        done_tables=0, rows=0)

    def progress(done: int, rows: int) -> None:
        WorkspaceExport.objects.filter(pk=export.pk).update(done_tables=done, rows=rows)

    try:
        rows, size = data_export.write_to_export_root(export.workspace, file_name, progress=progress)
    except Exception as error:
        WorkspaceExport.objects.filter(pk=export.pk).update(status=WorkspaceExport.Status.FAILED,
                                                            failure=str(error)[:2000], finished_at=timezone.now())
        raise
    now = timezone.now()
    WorkspaceExport.objects.filter(pk=export.pk).update(
        status=WorkspaceExport.Status.DONE, rows=rows, size_bytes=size, finished_at=now,
        done_tables=export.total_tables, expires_at=now + timedelta(hours=settings.WORKSPACE_EXPORT_RETENTION_HOURS))
    export.refresh_from_db()
    return export


def workspace_exports_purge() -> int:
    """Delete the files of expired exports; the rows stay as a record that an export happened."""
    expired = WorkspaceExport.objects.filter(expires_at__lte=timezone.now()).exclude(
        status=WorkspaceExport.Status.EXPIRED)
    count = 0
    for export in expired.only("pk", "file_name", "workspace_id"):
        if export.file_name:
            export.path.unlink(missing_ok=True)
        count += 1
    expired.update(status=WorkspaceExport.Status.EXPIRED)
    return count


@transaction.atomic
def workspace_deletion_request(*, workspace: Workspace, actor: Membership) -> Workspace:
    """Mark the workspace for deletion after the grace period: it is hidden from everyone but its owners,
    read-only, and its members are e-mailed. An owner can restore it until then."""
    _check_owner(actor)
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if workspace.pending_deletion:
        return workspace
    now = timezone.now()
    workspace.deletion_requested_at, workspace.deletion_requested_by = now, actor.user
    workspace.deletion_due_at = now + timedelta(days=settings.WORKSPACE_DELETION_GRACE_DAYS)
    workspace.save(update_fields=["deletion_requested_at", "deletion_requested_by", "deletion_due_at"])
    audit(workspace=workspace, actor=actor.user, action=AuditEntry.Action.WORKSPACE_DELETION, target=workspace.name,
          due=workspace.deletion_due_at.isoformat())
    enqueue_on_commit(tasks.send_workspace_deletion_emails, workspace.pk)
    return workspace


@transaction.atomic
def workspace_deletion_cancel(*, workspace: Workspace, actor: Membership) -> Workspace:
    _check_owner(actor)
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if not workspace.pending_deletion:
        return workspace
    workspace.deletion_requested_at = workspace.deletion_requested_by = workspace.deletion_due_at = None
    workspace.save(update_fields=["deletion_requested_at", "deletion_requested_by", "deletion_due_at"])
    audit(workspace=workspace, actor=actor.user, action=AuditEntry.Action.WORKSPACE_RESTORED, target=workspace.name)
    return workspace


def workspace_purge(*, workspace_id: int) -> dict[str, int]:
    """Delete every row of a workspace whose grace period is over: one DELETE … WHERE workspace_id = …
    per tenant table, in one transaction. The foreign keys are checked at commit (Django declares them
    DEFERRABLE INITIALLY DEFERRED), so the order of the tables does not matter; a row of another
    workspace pointing here would make the commit fail rather than leave it dangling.
    Returns the rows deleted per table; nothing when the workspace is gone or was restored."""
    with transaction.atomic():
        workspace = (Workspace.objects.select_for_update()
                     .filter(pk=workspace_id, deletion_due_at__lte=timezone.now()).first())
        if workspace is None:
            return {}
        exports = list(WorkspaceExport.objects.for_workspace(workspace).exclude(file_name="")
                       .values_list("file_name", flat=True))
        logo = workspace.logo.name
        User.objects.filter(last_workspace_id=workspace_id).update(last_workspace=None)
        deleted = {}
        for model in data_export.tenant_models():
            # _raw_delete: a single set-based DELETE, without loading rows to cascade or send signals
            # (every tenant table is in this loop, so there is nothing left to cascade to).
            deleted[model._meta.label_lower] = model.objects.filter(workspace_id=workspace_id)._raw_delete(
                model.objects.db)
        Workspace.objects.filter(pk=workspace_id)._raw_delete(Workspace.objects.db)
    for file_name in exports:
        (settings.WORKSPACE_EXPORT_ROOT / file_name).unlink(missing_ok=True)
    if logo:
        default_storage.delete(logo)
    logger.info("workspace %s purged: %s rows", workspace_id, sum(deleted.values()))
    return deleted
