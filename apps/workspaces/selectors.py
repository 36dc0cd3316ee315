"""Reads that combine several models for the workspace pages."""

from django.db.models import Count, Q

from .models import Invitation, Membership, Role, Workspace


def workspace_overview(workspace: Workspace) -> dict:
    """Member counts per role and pending invitations, in two queries."""
    counts = Membership.objects.for_workspace(workspace).aggregate(
        total=Count("pk"),
        **{role.value: Count("pk", filter=Q(role=role)) for role in Role},
    )
    pending = Invitation.objects.for_workspace(workspace).pending().count()
    return {
        "member_total": counts.pop("total"),
        "members_by_role": [(Role(role).label, count) for role, count in counts.items()],
        "pending_invitations": pending,
    }
