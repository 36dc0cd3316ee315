def workspace_navigation(request):
    """The workspace switcher: the signed-in person's workspaces, in one query, only when a page
    asks for them (the template iterates lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Membership

    return {
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": getattr(request, "membership", None),
        "my_memberships": Membership.objects.filter(user=user).select_related("workspace")
        .order_by("workspace__name"),
    }
