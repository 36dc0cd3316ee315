from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .models import Membership, Role

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def workspace_view(view=None, *, role: str | None = None, during_deletion: bool = False):
    """Resolve /w/<workspace_slug>/ to request.workspace and request.membership.

    Usable bare (@workspace_view: any member) or with a minimum role (@workspace_view(role=Role.ADMIN)).
    While the workspace waits for its deletion it is hidden from everyone but its owners, and read-only
    for them: only views marked during_deletion=True (restore, export) accept writes.
    """

    def decorator(view_func):
        @login_required
        @wraps(view_func)
        def wrapper(request, workspace_slug, *args, **kwargs):
            membership = (Membership.objects.select_related("workspace")
                          .filter(workspace__slug=workspace_slug, user=request.user).first())
            if membership is None:
                # Same 404 for "no such workspace" and "not a member": never confirm a slug exists.
                raise Http404
            workspace = membership.workspace
            if workspace.pending_deletion and membership.role != Role.OWNER:
                raise Http404
            request.workspace, request.membership = workspace, membership
            if request.user.last_workspace_id != membership.workspace_id and not workspace.pending_deletion:
                # "/" sends people back to the workspace they used last.
                get_user_model().objects.filter(pk=request.user.pk).update(last_workspace=membership.workspace)
            if role is not None and not membership.has_role(role):
                # The member already knows the workspace exists; only the action is refused.
                raise PermissionDenied
            if workspace.pending_deletion and request.method not in SAFE_METHODS and not during_deletion:
                return render(request, "workspaces/read_only.html", status=409)
            return view_func(request, *args, **kwargs)

        wrapper.workspace_role = role
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


class WorkspaceRequiredMixin:
    """The same check for class-based views; set `workspace_role` for a minimum role."""

    workspace_role: str | None = None

    @classmethod
    def as_view(cls, **initkwargs):
        return workspace_view(super().as_view(**initkwargs), role=cls.workspace_role)
