"""Writes on workspaces, memberships and invitations. Views call these; nothing else writes."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cxm.queue import enqueue_on_commit

from . import tasks
from .models import AuditEntry, Invitation, Membership, Role, Workspace, audit, invitation_expiry, new_token

User = get_user_model()


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
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())


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
