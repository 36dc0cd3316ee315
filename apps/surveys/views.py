"""Marketer pages under /w/<workspace_slug>/surveys/. The customer-facing pages are in public_views.py."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role

from . import selectors, services
from .forms import DistributionForm, SurveyCreateForm, SurveyStatusForm
from .models import Distribution, Survey, SurveyInvitation
from .qr import qr_code

INVITATIONS_PER_PAGE = 50


def _survey(request, survey_id: int) -> Survey:
    return get_object_or_404(Survey.objects.for_workspace(request.workspace).select_related("touchpoint"),
                             pk=survey_id)


@workspace_view
@require_GET
def survey_list(request):
    return render(request, "surveys/survey_list.html", {
        "surveys": selectors.survey_list(request.workspace),
        "create_form": SurveyCreateForm(workspace=request.workspace,
                                        initial={"language": request.workspace.default_language}),
        "can_edit": request.membership.has_role(Role.ADMIN),
        "can_send": request.membership.has_role(Role.ANALYST),
    })


@workspace_view(role=Role.ADMIN)
@require_POST
def survey_create(request):
    form = SurveyCreateForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        survey = services.survey_create(workspace=request.workspace, created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Survey “%(title)s” created as a draft.") % {"title": survey.title})
        return redirect("surveys:survey_share", workspace_slug=request.workspace.slug, survey_id=survey.pk)
    return render(request, "surveys/survey_list.html", {
        "surveys": selectors.survey_list(request.workspace), "create_form": form, "can_edit": True,
        "can_send": True,
    }, status=400)


@workspace_view(role=Role.ADMIN)
@require_POST
def survey_change_status(request, survey_id):
    survey = _survey(request, survey_id)
    form = SurveyStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    else:
        try:
            services.survey_set_status(survey=survey, status=form.cleaned_data["status"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("“%(title)s” is now %(status)s.") % {
                "title": survey.title, "status": survey.get_status_display().lower()})
    return redirect("surveys:survey_share", workspace_slug=request.workspace.slug, survey_id=survey.pk)


def _iframe_snippet(survey: Survey, public_url: str) -> str:
    return (f'<iframe src="{escape(public_url)}" title="{escape(survey.title)}" '
            'style="width:100%;max-width:560px;height:720px;border:0" loading="lazy"></iframe>')


def _script_snippet(workspace, public_url: str) -> str:
    return (f'<script src="{escape(settings.SITE_URL + static("js/embed.js"))}" data-survey="{escape(public_url)}" '
            f'data-label="{escape(_("Give feedback"))}" data-close-label="{escape(_("Close"))}" '
            f'data-color="{escape(workspace.brand_color)}" async></script>')


@workspace_view
@require_GET
def survey_share(request, survey_id):
    """The public link, the iframe and script snippets, and the QR code."""
    survey = _survey(request, survey_id)
    public_url = survey.get_public_url()
    return render(request, "surveys/survey_share.html", {
        "survey": survey,
        "public_url": public_url,
        "iframe_snippet": _iframe_snippet(survey, public_url),
        "script_snippet": _script_snippet(request.workspace, public_url),
        "reason": selectors.survey_unavailable_reason(survey),
        "embed_origins": request.workspace.embed_origins,
        "statuses": Survey.Status.choices,
        "can_edit": request.membership.has_role(Role.ADMIN),
        "can_send": request.membership.has_role(Role.ANALYST),
    })


def _qr(request, survey_id, kind: str, content_type: str) -> HttpResponse:
    survey = _survey(request, survey_id)
    response = HttpResponse(qr_code(survey.get_public_url(), kind=kind), content_type=content_type)
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="survey-{survey.pk}-qr.{kind}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@workspace_view
@require_GET
def survey_qr_svg(request, survey_id):
    return _qr(request, survey_id, "svg", "image/svg+xml")


@workspace_view
@require_GET
def survey_qr_png(request, survey_id):
    return _qr(request, survey_id, "png", "image/png")


@workspace_view
@require_GET
def distribution_list(request, survey_id):
    survey = _survey(request, survey_id)
    return render(request, "surveys/distribution_list.html", {
        "survey": survey,
        "distributions": selectors.distribution_list(survey),
        "can_send": request.membership.has_role(Role.ANALYST),
    })


@workspace_view(role=Role.ANALYST)
@require_http_methods(["GET", "POST"])
def distribution_create(request, survey_id):
    """Send the survey to a selection of customers; the job does the work after the page returns."""
    survey = _survey(request, survey_id)
    form = DistributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            distribution = services.distribution_create(survey=survey, created_by=request.user,
                                                        name=form.cleaned_data["name"], filters=form.filters())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sending “%(name)s”. The counts below fill in as the e-mails go out.")
                             % {"name": distribution.name})
            return redirect("surveys:distribution_detail", workspace_slug=request.workspace.slug,
                            survey_id=survey.pk, distribution_id=distribution.pk)
    return render(request, "surveys/distribution_create.html", {
        "survey": survey,
        "form": form,
        "suggestions": selectors.distribution_filter_values(request.workspace),
        "fatigue_days": request.workspace.contact_fatigue_days,
    }, status=400 if form.is_bound else 200)


@workspace_view
@require_GET
def distribution_detail(request, survey_id, distribution_id):
    """The send log: sent, opened, answered, skipped by reason, the response rate, and the invitations."""
    distribution = get_object_or_404(
        Distribution.objects.for_workspace(request.workspace).select_related("survey", "created_by"),
        pk=distribution_id)
    if distribution.survey_id != survey_id:
        # The distribution is the workspace's, the address is stale: send to the right one.
        return redirect("surveys:distribution_detail", workspace_slug=request.workspace.slug,
                        survey_id=distribution.survey_id, distribution_id=distribution.pk)
    status = request.GET.get("status", "")
    invitations = selectors.distribution_invitations(distribution, status)
    context = {
        "survey": distribution.survey,
        "distribution": distribution,
        "log": selectors.distribution_log(distribution),
        "page": Paginator(invitations, INVITATIONS_PER_PAGE).get_page(request.GET.get("page")),
        "statuses": SurveyInvitation.Status.choices,
        "selected_status": status,
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "surveys/partials/invitation_table.html", context)
    else:
        response = render(request, "surveys/distribution_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
