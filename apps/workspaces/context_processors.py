def workspace_navigation(request):
    """The workspace switcher and the sidebar. Pages outside a workspace (profile, new workspace)
    keep the navigation of the workspace the person last used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Membership

    memberships = list(Membership.objects.filter(user=user).select_related("workspace")
                       .order_by("workspace__name"))
    current = getattr(request, "membership", None)
    if current is None:
        current = next((m for m in memberships if m.workspace_id == user.last_workspace_id), None)
    return {
        "current_workspace": current.workspace if current else None,
        "current_membership": current,
        "my_memberships": memberships,
    }
