"""Journey maps, stages, touchpoints and personas. Every page works without JavaScript; with htmx the
map's forms and buttons swap fragments instead of reloading the page. Reads are open to every member,
writes need an admin (or owner)."""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role

from . import selectors, services
from .forms import (
    JourneyCreateForm,
    JourneyForm,
    PersonaForm,
    StageForm,
    StageMoveForm,
    TouchpointEditForm,
    TouchpointForm,
    TouchpointMoveForm,
)
from .journey_templates import TEMPLATES
from .models import Journey, Persona, Stage, Touchpoint

MAP_TARGET = "#journey-map"


# Loading: objects in a URL come only through the workspace, so another brand's ids give 404.

def _journey(request, journey_id) -> Journey:
    return get_object_or_404(Journey.objects.for_workspace(request.workspace).select_related("persona"),
                             pk=journey_id)


def _stage(request, stage_id) -> Stage:
    return get_object_or_404(Stage.objects.for_workspace(request.workspace).select_related("journey"), pk=stage_id)


def _touchpoint(request, touchpoint_id) -> Touchpoint:
    return get_object_or_404(Touchpoint.objects.for_workspace(request.workspace).select_related("journey", "stage"),
                             pk=touchpoint_id)


def _persona(request, persona_id) -> Persona:
    return get_object_or_404(Persona.objects.for_workspace(request.workspace), pk=persona_id)


def _can_edit(request) -> bool:
    return request.membership.has_role(Role.ADMIN)


def _inline(request) -> bool:
    """An htmx request for a piece of the map, not a history restore that needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _vary(response):
    # Same URL, two bodies: keep caches from serving the fragment as the page.
    patch_vary_headers(response, ["HX-Request"])
    return response


# The journey map and the fragment every map edit answers with.

def _period(request) -> selectors.Period:
    """The period of the page: ?period=…, or for an htmx edit the period of the map it came from."""
    value = request.GET.get("period")
    if value is None and request.htmx and request.htmx.current_url:
        value = parse_qs(urlsplit(request.htmx.current_url).query).get("period", [None])[0]
    return selectors.period_from(value)


def _map_url(request, journey: Journey, period: selectors.Period | None = None) -> str:
    url = reverse("touchpoints:journey_map", kwargs={"workspace_slug": request.workspace.slug,
                                                      "journey_id": journey.pk})
    if period is not None and period != selectors.DEFAULT_PERIOD:
        url += f"?period={period.key}"
    return url


def _map_context(request, journey: Journey, **extra) -> dict:
    period = _period(request)
    return {
        "journey": journey,
        "map": selectors.journey_map(journey, period),
        "period": period,
        "periods": selectors.PERIODS,
        "can_edit": _can_edit(request),
        "map_url": _map_url(request, journey, period),
        **extra,
    }


def _map_fragment(request, journey: Journey, notice: str = "", level: str = "success"):
    response = render(request, "touchpoints/partials/journey_map.html",
                      _map_context(request, journey, notice=notice, notice_level=level))
    # The forms swap themselves while being filled in; once saved, the whole map is redrawn, because
    # stage scores, the curve and the archived list may all have changed.
    retarget(response, MAP_TARGET)
    reswap(response, "outerHTML")
    return response


def _after_write(request, journey: Journey, message: str, level: str = "success"):
    """The refreshed map for htmx; a redirect to the map page (with a message) otherwise."""
    if request.htmx:
        return _map_fragment(request, journey, notice=message, level=level)
    (messages.error if level == "error" else messages.success)(request, message)
    return redirect(_map_url(request, journey, _period(request)))


def _form_response(request, template: str, partial: str, context: dict, *, invalid: bool = False):
    """A form inline in the map (htmx) or on its own page. htmx swaps only 2xx answers, so an invalid
    inline form comes back as 200; the plain page says 400."""
    if _inline(request):
        return _vary(render(request, partial, {**context, "inline": True}))
    return _vary(render(request, template, {**context, "inline": False}, status=400 if invalid else 200))


@workspace_view
@require_GET
def journey_map(request, journey_id):
    journey = _journey(request, journey_id)
    context = _map_context(request, journey)
    if _inline(request):
        return _vary(render(request, "touchpoints/partials/journey_map.html", context))
    return _vary(render(request, "touchpoints/journey_map.html", context))


# Journeys

def _journey_list_context(request, form=None) -> dict:
    workspace = request.workspace
    return {
        "journeys": Journey.objects.for_workspace(workspace).with_counts().select_related("persona"),
        "form": form or JourneyCreateForm(workspace=workspace),
        "journey_templates": TEMPLATES,
        "can_edit": _can_edit(request),
    }


@workspace_view
@require_GET
def journey_list(request):
    return render(request, "touchpoints/journey_list.html", _journey_list_context(request))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def journey_create(request):
    if request.method == "GET":
        return redirect(reverse("touchpoints:journey_list", kwargs={"workspace_slug": request.workspace.slug})
                        + "#new-journey")
    form = JourneyCreateForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            journey = services.journey_create_from_template(workspace=request.workspace, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Journey “%(name)s” created. Add touchpoints to its stages.")
                             % {"name": journey.name})
            return redirect(_map_url(request, journey))
    return render(request, "touchpoints/journey_list.html", _journey_list_context(request, form), status=400)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def journey_edit(request, journey_id):
    journey = _journey(request, journey_id)
    initial = {"name": journey.name, "persona": journey.persona, "description": journey.description}
    form = JourneyForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.journey_update(journey=journey, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Journey saved."))
            return redirect(_map_url(request, journey))
    return render(request, "touchpoints/journey_edit.html", {"journey": journey, "form": form},
                  status=400 if form.errors else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def journey_delete(request, journey_id):
    """GET asks for confirmation (or explains why the journey must stay), POST deletes."""
    journey = _journey(request, journey_id)
    if request.method == "POST":
        try:
            services.journey_delete(journey=journey)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(_map_url(request, journey))
        messages.success(request, _("Journey “%(name)s” deleted.") % {"name": journey.name})
        return redirect("touchpoints:journey_list", workspace_slug=request.workspace.slug)
    return render(request, "touchpoints/journey_delete_confirm.html", {
        "journey": journey, "blocker": services.journey_delete_blocker(journey=journey)})


# Stages

@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def stage_create(request, journey_id):
    journey = _journey(request, journey_id)
    # Several inline forms can be open on the map at once: their ids must not collide.
    form = StageForm(request.POST or None, auto_id="new-stage-%s")
    if request.method == "POST" and form.is_valid():
        stage = services.stage_create(journey=journey, **form.cleaned_data)
        return _after_write(request, journey, _("Stage “%(name)s” added.") % {"name": stage.name})
    context = {"form": form, "journey": journey, "map_url": _map_url(request, journey, _period(request)),
               "action": reverse("touchpoints:stage_create", kwargs={"workspace_slug": request.workspace.slug,
                                                                     "journey_id": journey.pk})}
    return _form_response(request, "touchpoints/stage_form.html", "touchpoints/partials/stage_form.html", context,
                          invalid=bool(form.errors))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def stage_edit(request, stage_id):
    stage = _stage(request, stage_id)
    form = StageForm(request.POST or None, initial={"name_en": stage.name_en, "name_ko": stage.name_ko},
                     auto_id=f"stage{stage.pk}-%s")
    if request.method == "POST" and form.is_valid():
        services.stage_update(stage=stage, **form.cleaned_data)
        return _after_write(request, stage.journey, _("Stage renamed to “%(name)s”.") % {"name": stage.name})
    context = {"form": form, "journey": stage.journey, "stage": stage,
               "map_url": _map_url(request, stage.journey, _period(request)),
               "action": reverse("touchpoints:stage_edit", kwargs={"workspace_slug": request.workspace.slug,
                                                                   "stage_id": stage.pk})}
    return _form_response(request, "touchpoints/stage_form.html", "touchpoints/partials/stage_form.html", context,
                          invalid=bool(form.errors))


@workspace_view(role=Role.ADMIN)
@require_POST
def stage_move(request, stage_id):
    stage = _stage(request, stage_id)
    form = StageMoveForm(request.POST)
    if not form.is_valid():
        return _after_write(request, stage.journey, _("Choose whether to move the stage earlier or later."),
                            level="error")
    services.stage_move(stage=stage, direction=form.cleaned_data["direction"])
    return _after_write(request, stage.journey, _("Stage “%(name)s” moved.") % {"name": stage.name})


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def stage_delete(request, stage_id):
    """GET asks for confirmation (or explains the refusal), POST removes the stage and its touchpoints."""
    stage = _stage(request, stage_id)
    if request.method == "POST":
        try:
            services.stage_delete(stage=stage)
        except ValidationError as error:
            return _after_write(request, stage.journey, error.messages[0], level="error")
        return _after_write(request, stage.journey, _("Stage “%(name)s” removed.") % {"name": stage.name})
    touchpoint_count = Touchpoint.objects.for_workspace(request.workspace).filter(stage=stage).count()
    return render(request, "touchpoints/stage_delete_confirm.html", {
        "stage": stage, "journey": stage.journey, "touchpoint_count": touchpoint_count,
        "blocker": services.stage_delete_blocker(stage=stage), "map_url": _map_url(request, stage.journey)})


# Touchpoints

@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def touchpoint_create(request, stage_id):
    stage = _stage(request, stage_id)
    form = TouchpointForm(request.POST or None, workspace=request.workspace, auto_id=f"new-in-stage{stage.pk}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            touchpoint = services.touchpoint_create(stage=stage, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_write(request, stage.journey, _("Touchpoint “%(name)s” added to %(stage)s.")
                                % {"name": touchpoint.name, "stage": stage.name})
    context = {"form": form, "journey": stage.journey, "stage": stage,
               "map_url": _map_url(request, stage.journey, _period(request)),
               "action": reverse("touchpoints:touchpoint_create",
                                 kwargs={"workspace_slug": request.workspace.slug, "stage_id": stage.pk})}
    return _form_response(request, "touchpoints/touchpoint_form.html", "touchpoints/partials/touchpoint_form.html",
                          context, invalid=bool(form.errors))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def touchpoint_edit(request, touchpoint_id):
    touchpoint = _touchpoint(request, touchpoint_id)
    initial = {"name": touchpoint.name, "stage": touchpoint.stage, "channel": touchpoint.channel,
               "owner": touchpoint.owner_id, "description": touchpoint.description, "is_active": touchpoint.is_active}
    form = TouchpointEditForm(request.POST or None, workspace=request.workspace, journey=touchpoint.journey,
                              initial=initial, auto_id=f"touchpoint{touchpoint.pk}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.touchpoint_update(touchpoint=touchpoint, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_write(request, touchpoint.journey, _("Touchpoint “%(name)s” saved.")
                                % {"name": touchpoint.name})
    context = {"form": form, "journey": touchpoint.journey, "stage": touchpoint.stage, "touchpoint": touchpoint,
               "map_url": _map_url(request, touchpoint.journey, _period(request)),
               "action": reverse("touchpoints:touchpoint_edit",
                                 kwargs={"workspace_slug": request.workspace.slug, "touchpoint_id": touchpoint.pk})}
    return _form_response(request, "touchpoints/touchpoint_form.html", "touchpoints/partials/touchpoint_form.html",
                          context, invalid=bool(form.errors))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def touchpoint_move(request, touchpoint_id):
    touchpoint = _touchpoint(request, touchpoint_id)
    form = TouchpointMoveForm(request.POST or None, journey=touchpoint.journey, initial={"stage": touchpoint.stage},
                              auto_id=f"move{touchpoint.pk}-%s")
    if request.method == "POST" and form.is_valid():
        services.touchpoint_move(touchpoint=touchpoint, stage=form.cleaned_data["stage"])
        return _after_write(request, touchpoint.journey, _("“%(name)s” moved to %(stage)s.")
                            % {"name": touchpoint.name, "stage": touchpoint.stage.name})
    context = {"form": form, "journey": touchpoint.journey, "touchpoint": touchpoint,
               "map_url": _map_url(request, touchpoint.journey, _period(request)),
               "action": reverse("touchpoints:touchpoint_move",
                                 kwargs={"workspace_slug": request.workspace.slug, "touchpoint_id": touchpoint.pk})}
    return _form_response(request, "touchpoints/touchpoint_move.html", "touchpoints/partials/touchpoint_move_form.html",
                          context, invalid=bool(form.errors))


def _touchpoint_confirm(request, touchpoint: Touchpoint, action: str):
    return render(request, "touchpoints/touchpoint_remove_confirm.html", {
        "touchpoint": touchpoint, "journey": touchpoint.journey, "action": action,
        "has_responses": services.touchpoint_has_responses(touchpoint=touchpoint),
        "map_url": _map_url(request, touchpoint.journey)})


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def touchpoint_archive(request, touchpoint_id):
    """GET asks for confirmation, POST archives: hidden from the map, responses kept, restorable."""
    touchpoint = _touchpoint(request, touchpoint_id)
    if request.method == "GET":
        return _touchpoint_confirm(request, touchpoint, "archive")
    services.touchpoint_archive(touchpoint=touchpoint)
    return _after_write(request, touchpoint.journey, _("“%(name)s” archived. Restore it from the archived list.")
                        % {"name": touchpoint.name})


@workspace_view(role=Role.ADMIN)
@require_POST
def touchpoint_restore(request, touchpoint_id):
    touchpoint = _touchpoint(request, touchpoint_id)
    services.touchpoint_restore(touchpoint=touchpoint)
    return _after_write(request, touchpoint.journey, _("“%(name)s” restored to %(stage)s.")
                        % {"name": touchpoint.name, "stage": touchpoint.stage.name})


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def touchpoint_delete(request, touchpoint_id):
    """GET asks for confirmation, POST deletes, or archives a touchpoint that responses point at."""
    touchpoint = _touchpoint(request, touchpoint_id)
    if request.method == "GET":
        return _touchpoint_confirm(request, touchpoint, "delete")
    if services.touchpoint_delete(touchpoint=touchpoint):
        message = _("“%(name)s” deleted.") % {"name": touchpoint.name}
    else:
        message = _("“%(name)s” has survey responses or surveys, so it was archived instead of deleted.") % {
            "name": touchpoint.name}
    return _after_write(request, touchpoint.journey, message)


# Personas

def _persona_list_context(request, form=None) -> dict:
    return {
        "personas": Persona.objects.for_workspace(request.workspace).with_journey_count()
        .select_related("saved_segment"),
        "form": form or PersonaForm(workspace=request.workspace),
        "can_edit": _can_edit(request),
    }


@workspace_view
@require_GET
def persona_list(request):
    return render(request, "touchpoints/persona_list.html", _persona_list_context(request))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def persona_create(request):
    if request.method == "GET":
        return redirect(reverse("touchpoints:persona_list", kwargs={"workspace_slug": request.workspace.slug})
                        + "#new-persona")
    form = PersonaForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        persona = services.persona_create(workspace=request.workspace, **form.cleaned_data)
        messages.success(request, _("Persona “%(name)s” created.") % {"name": persona.name})
        return redirect("touchpoints:persona_list", workspace_slug=request.workspace.slug)
    return render(request, "touchpoints/persona_list.html", _persona_list_context(request, form), status=400)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def persona_edit(request, persona_id):
    persona = _persona(request, persona_id)
    initial = {"name": persona.name, "description": persona.description, "segment_rule": persona.segment_rule,
               "saved_segment": persona.saved_segment_id}
    form = PersonaForm(request.POST or None, initial=initial, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        services.persona_update(persona=persona, **form.cleaned_data)
        messages.success(request, _("Persona “%(name)s” saved.") % {"name": persona.name})
        return redirect("touchpoints:persona_list", workspace_slug=request.workspace.slug)
    return render(request, "touchpoints/persona_edit.html", {"persona": persona, "form": form},
                  status=400 if form.errors else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def persona_delete(request, persona_id):
    persona = _persona(request, persona_id)
    if request.method == "POST":
        services.persona_delete(persona=persona)
        messages.success(request, _("Persona “%(name)s” deleted.") % {"name": persona.name})
        return redirect("touchpoints:persona_list", workspace_slug=request.workspace.slug)
    journeys = Journey.objects.for_workspace(request.workspace).filter(persona=persona)
    return render(request, "touchpoints/persona_delete_confirm.html", {"persona": persona, "journeys": journeys})
