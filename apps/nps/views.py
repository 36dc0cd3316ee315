from django.shortcuts import render
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
    # The names the filter lists read also label the breakdown rows.
    report = selectors.nps_report(workspace, params.start, params.end, params.filters, grain=params.grain,
                                  dimension=params.dimension, names=choices["names"])
    shown_start, shown_end = form.shown_dates(params)
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
        # Whole local days: what the rollups count.
        "first_day": report.period.first,
        "last_day": report.period.last,
        "previous_first_day": report.period.previous.first,
        "previous_last_day": report.period.previous.last,
        "min_driver_sample": selectors.MIN_DRIVER_SAMPLE,
    }
    # A history restore comes from htmx but needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "nps/partials/report.html", context)
    else:
        from apps.surveys.selectors import wave_comparisons

        # Relationship NPS waves are compared wave by wave, not by the period: only the whole page has them.
        context["wave_comparisons"] = (wave_comparisons(workspace, schedule_ids=choices["wave_schedules"])
                                       if choices["wave_schedules"] else [])
        response = render(request, "nps/report.html", context)
    # Same URL, two bodies: keep caches from serving the fragment as the page.
    patch_vary_headers(response, ["HX-Request"])
    return response
