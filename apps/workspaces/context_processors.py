from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def workspace_navigation(request):
    """The workspace switcher and the sidebar, in one query: the person's memberships with each
    workspace's open alert count. Pages outside a workspace (profile, new workspace) keep the
    navigation of the workspace the person last used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from apps.feedback.models import Alert

    from .models import Membership

    open_alerts = (Alert.objects.open().filter(workspace=OuterRef("workspace")).order_by()
                   .values("workspace").annotate(count=Count("pk")).values("count"))
    memberships = list(Membership.objects.filter(user=user).select_related("workspace")
                       .annotate(open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), 0))
                       .order_by("workspace__name"))
    # A workspace waiting for its deletion is hidden from everyone but its owners.
    memberships = [m for m in memberships if not m.workspace.pending_deletion or m.role == "owner"]
    current = getattr(request, "membership", None)
    if current is None:
        current = next((m for m in memberships if m.workspace_id == user.last_workspace_id), None)
    else:
        current = next((m for m in memberships if m.pk == current.pk), current)
    return {
        "current_workspace": current.workspace if current else None,
        "current_membership": current,
        "my_memberships": memberships,
        "open_alert_count": getattr(current, "open_alerts", 0),
    }
