"""Relationship NPS wave schedules of a survey: list, create, edit, pause and resume. Admins configure
them; every member reads the wave-over-wave figures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role

from . import selectors, services
from .forms import WaveScheduleForm
from .models import Survey, WaveSchedule


def _survey(request, survey_id) -> Survey:
    return get_object_or_404(Survey.objects.for_workspace(request.workspace), pk=survey_id)


def _schedule(request, survey, schedule_id) -> WaveSchedule:
    return get_object_or_404(WaveSchedule.objects.for_workspace(request.workspace).select_related("segment"),
                             pk=schedule_id, survey=survey)


def _form_fields(form) -> dict:
    data = form.cleaned_data
    return {"segment": data["segment"], "name": data["name"], "every": data["every"], "unit": data["unit"]}


@workspace_view
@require_GET
def wave_schedule_list(request, survey_id):
    survey = _survey(request, survey_id)
    return render(request, "surveys/wave_schedule_list.html", {
        "survey": survey,
        "comparisons": selectors.wave_comparisons(request.workspace, survey=survey),
        "can_manage": request.membership.has_role(Role.ADMIN),
    })


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def wave_schedule_create(request, survey_id):
    survey = _survey(request, survey_id)
    form = WaveScheduleForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.wave_schedule_create(survey=survey, created_by=request.user,
                                                     first_wave_at=form.cleaned_data["next_wave_at"],
                                                     **_form_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Wave schedule “%(name)s” saved. The first wave goes out when it is due.")
                             % {"name": schedule.name})
            return redirect("surveys:wave_schedule_list", workspace_slug=request.workspace.slug, survey_id=survey.pk)
    return render(request, "surveys/wave_schedule_form.html", {"survey": survey, "form": form, "schedule": None},
                  status=400 if form.is_bound else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def wave_schedule_edit(request, survey_id, schedule_id):
    survey = _survey(request, survey_id)
    schedule = _schedule(request, survey, schedule_id)
    form = WaveScheduleForm(request.POST or None, workspace=request.workspace, initial={
        "name": schedule.name, "segment": schedule.segment, "every": schedule.every, "unit": schedule.unit,
        "next_wave_at": schedule.next_wave_at})
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_schedule_update(schedule=schedule, next_wave_at=form.cleaned_data["next_wave_at"],
                                          **_form_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Wave schedule “%(name)s” saved.") % {"name": schedule.name})
            return redirect("surveys:wave_schedule_list", workspace_slug=request.workspace.slug, survey_id=survey.pk)
    return render(request, "surveys/wave_schedule_form.html", {"survey": survey, "form": form, "schedule": schedule},
                  status=400 if form.is_bound else 200)


@workspace_view(role=Role.ADMIN)
@require_POST
def wave_schedule_status(request, survey_id, schedule_id):
    """Pause or resume (the button posts status=paused or status=active)."""
    survey = _survey(request, survey_id)
    schedule = _schedule(request, survey, schedule_id)
    status = request.POST.get("status")
    if status not in WaveSchedule.Status.values:
        messages.error(request, _("Choose to pause or to resume the schedule."))
    else:
        services.wave_schedule_set_status(schedule=schedule, status=status)
        message = (_("“%(name)s” is paused: no wave is sent until you resume it.")
                   if status == WaveSchedule.Status.PAUSED else
                   _("“%(name)s” is active again: the next wave is sent when it is due."))
        messages.success(request, message % {"name": schedule.name})
    return redirect("surveys:wave_schedule_list", workspace_slug=request.workspace.slug, survey_id=survey.pk)
