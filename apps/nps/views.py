from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from apps.workspaces.decorators import workspace_view

from . import selectors
from .forms import ATTRIBUTE_DIMENSIONS, DIMENSION_LABELS, GRAIN_CHOICES, MAIN_DIMENSIONS, PERIOD_CHOICES, ReportForm


@workspace_view
@require_GET
def nps_report(request):
    """The NPS report: score with its margin, trend with its confidence band, breakdowns with the change
    against the previous equal period, and key drivers. One URL serves the page and the htmx fragment."""
    workspace = request.workspace
    choices = selectors.filter_choices(workspace)
    form = ReportForm(request.GET or None, workspace=workspace, choices=choices)
    params = form.params()
    report = selectors.nps_report(workspace, params.start, params.end, params.filters, grain=params.grain,
                                  dimension=params.dimension)
    shown_start, shown_end = form.shown_dates(params)
    zone = selectors.workspace_zone(workspace)

    def local_day(moment):
        return timezone.localtime(moment, zone).date()

    last_instant = timedelta(microseconds=1)
    context = {
        "form": form,
        "params": params,
        "report": report,
        "choices": choices,
        "period_choices": PERIOD_CHOICES,
        "grain_choices": GRAIN_CHOICES,
        "main_dimensions": MAIN_DIMENSIONS,
        "attribute_dimensions": ATTRIBUTE_DIMENSIONS,
        "dimension_label": DIMENSION_LABELS.get(params.dimension),
        "shown_start": shown_start,
        "shown_end": shown_end,
        "first_day": local_day(params.start),
        "last_day": local_day(params.end - last_instant),
        "previous_first_day": local_day(report.previous_start),
        "previous_last_day": local_day(params.start - last_instant),
        "min_driver_sample": selectors.MIN_DRIVER_SAMPLE,
    }
    # A history restore comes from htmx but needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "nps/partials/report.html", context)
    else:
        response = render(request, "nps/report.html", context)
    # Same URL, two bodies: keep caches from serving the fragment as the page.
    patch_vary_headers(response, ["HX-Request"])
    return response
