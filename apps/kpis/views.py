import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from apps.workspaces.decorators import workspace_view
from cxm.routers import replica_reads

from .dashboard import DashboardData
from .forms import DashboardFilterForm
from .services import cache_version_key
from .tiles import TILES

BODY_CACHE_SECONDS = 300


def _body_cache_key(request, form) -> str:
    version = cache.get(cache_version_key(request.workspace.pk), 0)
    filters = hashlib.sha256(repr((form.period_value(), form.kpi_filters())).encode()).hexdigest()[:24]
    return f"kpis:dashboard:{request.workspace.pk}:{version}:{get_language()}:{filters}"


def _body(request, form) -> tuple[str, bool]:
    """The tiles and charts, rendered once per workspace, filter and language until rollups change, and
    whether the workspace has no responses at all. Nothing in it depends on who is looking."""
    key = _body_cache_key(request, form)
    cached = cache.get(key)
    if cached is None:
        stages = {pk: (name_en, name_ko) for pk, _j, name_en, name_ko in form.options["stages"]}
        # Rollups only, which trail the responses by seconds anyway: a read replica may serve them.
        with replica_reads():
            data = DashboardData(request.workspace, form.period_value(), form.kpi_filters())
            context = {
                "data": data,
                "tiles": [(tile, tile.compute(data)) for tile in TILES],
                "heat_map": data.heat_map(),
                "stages": stages,
                "weekly": data.weekly(),
                "query": request.GET.urlencode(),
            }
            # Rendered without the request: no context processor runs, nothing personal gets cached.
            cached = (render_to_string("kpis/partials/dashboard_body.html", context),
                      data.current.responses == 0 and data.previous.responses == 0)
        cache.set(key, cached, BODY_CACHE_SECONDS)
    return cached


@workspace_view
@require_GET
def dashboard(request):
    """The workspace's home: KPI tiles with their change and sparkline, the NPS trend, the stage ×
    channel heat map; latest feedback and open cases load as a second fragment."""
    form = DashboardFilterForm(request.GET or None, workspace=request.workspace)
    body, empty = _body(request, form)
    if request.htmx and not request.htmx.history_restore_request:
        response = HttpResponse(body)
    else:
        overview = None
        if empty and not request.GET:
            from apps.workspaces.selectors import workspace_overview

            overview = workspace_overview(request.workspace)
        response = render(request, "kpis/dashboard.html", {"form": form, "body": body, "overview": overview})
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view
@require_GET
def dashboard_activity(request):
    """Latest feedback and open follow-up cases: live lists, never cached."""
    from apps.feedback.models import FeedbackItem, FollowUpCase

    feedback = (FeedbackItem.objects.for_workspace(request.workspace).select_related("touchpoint")
                .order_by("-created_at")[:6])
    cases = (FollowUpCase.objects.for_workspace(request.workspace).open().select_related("assignee", "touchpoint")
             .order_by("due_at")[:6])
    return render(request, "kpis/partials/dashboard_activity.html",
                  {"feedback": feedback, "cases": cases, "now": timezone.now()})
