"""Marketer pages under /w/<workspace_slug>/surveys/. The customer-facing pages are in public_views.py."""

import os
from bisect import bisect_right
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from apps.touchpoints.selectors import period_from
from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import AuditEntry, Role, audit

from . import exports, languages, logic, quotas, selectors, services
from .forms import (
    HONEYPOT_FIELD,
    ChoiceForm,
    DistributionForm,
    QuestionForm,
    QuotaForm,
    ResponseFilterForm,
    SurveyCreateForm,
    SurveyForm,
    SurveySettingsForm,
    SurveyStatusForm,
)
from .models import Choice, Distribution, PartialResponse, Question, Quota, Response, Survey, SurveyInvitation
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
        return redirect("surveys:survey_builder", workspace_slug=request.workspace.slug, survey_id=survey.pk)
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
    # The builder has the same buttons and sends the marketer back to it.
    page = "surveys:survey_builder" if request.POST.get("next") == "builder" else "surveys:survey_share"
    return redirect(page, workspace_slug=request.workspace.slug, survey_id=survey.pk)


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
    form = DistributionForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            distribution = services.distribution_create(survey=survey, created_by=request.user,
                                                        name=form.cleaned_data["name"], filters=form.filters(),
                                                        segment=form.cleaned_data["saved_segment"])
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


# Builder ---------------------------------------------------------------------------------------
# Every builder page works as plain forms and redirects; with htmx each change answers with the
# question list (or the settings card) and the event that makes the live preview reload.

PREVIEW_CHANGED = "survey-changed"


def _question(request, survey: Survey, question_id: int) -> Question:
    return get_object_or_404(Question.objects.for_workspace(request.workspace), pk=question_id, survey=survey)


def _choice(request, question: Question, choice_id: int) -> Choice:
    return get_object_or_404(Choice.objects.for_workspace(request.workspace), pk=choice_id, question=question)


def _builder_url(request, survey: Survey, **query) -> str:
    url = reverse("surveys:survey_builder", kwargs={"workspace_slug": request.workspace.slug, "survey_id": survey.pk})
    return url + ("?" + urlencode(query) if query else "")


def _questions_context(request, survey: Survey, *, editing: int | None = None, edit_form=None, add_form=None,
                       notice: str = "", notice_level: str = "success", choice_errors=None) -> dict:
    questions = selectors.builder_questions(survey)
    visible_questions = [question for question in questions if not question.is_hidden]
    has_nps = any(question.kind == Question.Kind.NPS for question in visible_questions)
    rows = []
    for question in questions:
        form = None
        if question.pk == editing:
            earlier = visible_questions[:visible_questions.index(question)] if question in visible_questions else []
            form = edit_form or QuestionForm(initial=QuestionForm.initial_for(question, survey),
                                             kind_locked=question.has_answers, auto_id=f"q{question.pk}-%s",
                                             earlier=earlier, question=question, survey=survey)
        rows.append({"question": question, "form": form, "condition": logic.describe_condition(question),
                     "end_rule": logic.describe_end_rule(question)})
    visible = [row for row in rows if not row["question"].is_hidden]
    page = 1
    for number, row in enumerate(visible, start=1):
        if number > 1 and row["question"].page_break:
            page += 1
            row["new_page"] = page
        row["number"], row["first"], row["last"] = number, number == 1, number == len(visible)
    return {
        "survey": survey,
        "rows": visible,
        "hidden_rows": [row for row in rows if row["question"].is_hidden],
        "editing": editing,
        "has_nps": has_nps,
        "page_count": page,
        "add_form": add_form or QuestionForm(auto_id="new-question-%s", earlier=visible_questions, survey=survey,
                                             initial={"kind": Question.Kind.SHORT_TEXT if has_nps else
                                                      Question.Kind.NPS}),
        "notice": notice,
        "notice_level": notice_level,
        "choice_errors": choice_errors or {},
    }


def _builder_page(request, survey: Survey, *, settings_form=None, quota_form=None, status: int = 200,
                  **question_context):
    context = _questions_context(request, survey, **question_context)
    context.update({
        "settings_form": settings_form or SurveySettingsForm(initial=SurveySettingsForm.initial_for(survey),
                                                             workspace=request.workspace, survey=survey),
        "reason": selectors.survey_unavailable_reason(survey),
        "statuses": Survey.Status.choices,
        "missing_translations": _missing_translations(survey, [row["question"] for row in context["rows"]]),
        **_quota_context(request, survey, quota_form),
    })
    return render(request, "surveys/survey_builder.html", context, status=status)


def _missing_translations(survey: Survey, questions=None) -> list[str]:
    if not survey.bilingual:
        return []
    if questions is None:
        questions = [question for question in selectors.builder_questions(survey) if not question.is_hidden]
    return languages.missing_translations(survey, questions)


def _quota_context(request, survey: Survey, form=None) -> dict:
    return {"quotas": quotas.survey_quotas(survey),
            "quota_form": form or QuotaForm(), "quota_fields": ["channel", *survey.allowed_hidden_fields]}


def _questions_fragment(request, survey: Survey, *, changed: bool = True, **question_context):
    response = render(request, "surveys/partials/builder_questions.html",
                      _questions_context(request, survey, **question_context))
    retarget(response, "#builder-questions")
    reswap(response, "outerHTML")
    if changed:
        trigger_client_event(response, PREVIEW_CHANGED)
    return _vary(response)


def _after_question_change(request, survey: Survey, message: str, level: str = "success", **question_context):
    if request.htmx:
        return _questions_fragment(request, survey, notice=message, notice_level=level, **question_context)
    (messages.error if level == "error" else messages.success)(request, message)
    editing = question_context.get("editing")
    if editing:
        return redirect(_builder_url(request, survey, edit=editing) + f"#question-{editing}")
    return redirect(_builder_url(request, survey) + "#builder-questions")


def _vary(response):
    # Same URL, two bodies: keep caches from serving the fragment as the page.
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def survey_builder(request, survey_id):
    """The builder: settings, questions (add, edit, reorder, hide) and the live preview. POST saves the settings."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    editing = request.GET.get("edit")
    editing = int(editing) if editing and editing.isdigit() else None
    if request.method == "GET":
        if request.htmx and request.GET.get("fragment") == "questions":
            return _questions_fragment(request, survey, changed=False)
        return _vary(_builder_page(request, survey, editing=editing))
    form = SurveySettingsForm(request.POST, workspace=request.workspace, survey=survey)
    if form.is_valid():
        try:
            services.survey_update(survey=survey, **form.cleaned_data)
        except ValidationError as error:
            survey.refresh_from_db()
            form.add_error(None, error)
        else:
            if request.htmx:
                response = render(request, "surveys/partials/builder_settings.html", {
                    "survey": survey, "settings_form": SurveySettingsForm(
                        initial=SurveySettingsForm.initial_for(survey), workspace=request.workspace, survey=survey),
                    "reason": selectors.survey_unavailable_reason(survey), "saved": True, "oob": True,
                    "missing_translations": _missing_translations(survey)})
                trigger_client_event(response, PREVIEW_CHANGED)
                return _vary(response)
            messages.success(request, _("Settings saved."))
            return redirect(_builder_url(request, survey))
    else:
        survey.refresh_from_db()
    if request.htmx:
        # htmx swaps only 2xx answers: the form with its errors comes back as 200.
        return _vary(render(request, "surveys/partials/builder_settings.html", {
            "survey": survey, "settings_form": form, "reason": selectors.survey_unavailable_reason(survey),
            "missing_translations": _missing_translations(survey)}))
    return _vary(_builder_page(request, survey, settings_form=form, status=400))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def question_create(request, survey_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    if request.method == "GET":
        return redirect(_builder_url(request, survey) + "#add-question")
    earlier = [question for question in selectors.builder_questions(survey) if not question.is_hidden]
    form = QuestionForm(request.POST, auto_id="new-question-%s", earlier=earlier, survey=survey)
    if form.is_valid():
        try:
            question = services.question_add(survey=survey, **form.question_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            editing = question.pk if question.is_choice else None
            return _after_question_change(request, survey, _("Question added."), editing=editing)
    if request.htmx:
        return _questions_fragment(request, survey, changed=False, add_form=form)
    return _vary(_builder_page(request, survey, add_form=form, status=400))


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def question_edit(request, survey_id, question_id):
    """GET opens the question's form in the list (htmx) or on the builder page; POST saves it."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    if request.method == "GET":
        if request.htmx:
            return _questions_fragment(request, survey, changed=False, editing=question.pk)
        return redirect(_builder_url(request, survey, edit=question.pk) + f"#question-{question.pk}")
    rows = selectors.builder_questions(survey)
    # The builder's row of the question says whether it has answers: no query of its own.
    question = next(each for each in rows if each.pk == question.pk)
    visible = [each for each in rows if not each.is_hidden]
    earlier = next((visible[:index] for index, each in enumerate(visible) if each.pk == question.pk), visible)
    form = QuestionForm(request.POST, initial=QuestionForm.initial_for(question, survey),
                        kind_locked=question.has_answers,
                        auto_id=f"q{question.pk}-%s", earlier=earlier, question=question, survey=survey)
    if form.is_valid():
        try:
            services.question_update(question=question, **form.question_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_question_change(request, survey, _("Question saved."))
    if request.htmx:
        return _questions_fragment(request, survey, changed=False, editing=question.pk, edit_form=form)
    return _vary(_builder_page(request, survey, editing=question.pk, edit_form=form, status=400))


@workspace_view(role=Role.ADMIN)
@require_POST
def question_move(request, survey_id, question_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    offset = -1 if request.POST.get("offset") == "-1" else 1
    try:
        services.question_move(question=question, offset=offset)
    except services.RuleBroken as error:
        return _after_question_change(request, survey, error.messages[0], "error")
    return _after_question_change(request, survey, _("Question moved."))


@workspace_view(role=Role.ADMIN)
@require_POST
def question_delete(request, survey_id, question_id):
    """Delete an unanswered question; hide an answered one (its answers stay valid and in the results)."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    try:
        outcome = services.question_remove(question=question)
    except services.RuleBroken as error:
        return _after_question_change(request, survey, error.messages[0], "error")
    if outcome == "hidden":
        message = _("“%(text)s” has answers, so it is hidden instead of deleted: customers no longer see it, and "
                    "its answers stay in the results and exports.") % {"text": question.text}
    else:
        message = _("Question deleted.")
    return _after_question_change(request, survey, message)


@workspace_view(role=Role.ADMIN)
@require_POST
def question_restore(request, survey_id, question_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    services.question_restore(question=question)
    return _after_question_change(request, survey, _("“%(text)s” is shown again, at the end of the survey.")
                                  % {"text": question.text})


@workspace_view(role=Role.ADMIN)
@require_POST
def choice_create(request, survey_id, question_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return _after_question_change(request, survey, _("Write the option first."), "error", editing=question.pk)
    try:
        services.choice_add(question=question, text=form.cleaned_data["text"])
    except ValidationError as error:
        return _after_question_change(request, survey, error.messages[0], "error", editing=question.pk)
    return _after_question_change(request, survey, _("Option added."), editing=question.pk)


@workspace_view(role=Role.ADMIN)
@require_POST
def choice_edit(request, survey_id, question_id, choice_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    choice = _choice(request, question, choice_id)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return _after_question_change(request, survey, _("An option needs some text."), "error", editing=question.pk)
    services.choice_update(choice=choice, text=form.cleaned_data["text"], text_alt=form.cleaned_data["text_alt"],
                           survey=survey)
    return _after_question_change(request, survey, _("Option saved."), editing=question.pk)


@workspace_view(role=Role.ADMIN)
@require_POST
def choice_delete(request, survey_id, question_id, choice_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    question = _question(request, survey, question_id)
    choice = _choice(request, question, choice_id)
    try:
        services.choice_remove(choice=choice)
    except ValidationError as error:
        return _after_question_change(request, survey, error.messages[0], "error", editing=question.pk)
    return _after_question_change(request, survey, _("Option removed."), editing=question.pk)


@workspace_view(role=Role.ADMIN)
@require_POST
def survey_duplicate(request, survey_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    copy = services.survey_duplicate(survey=survey, created_by=request.user)
    messages.success(request, _("“%(title)s” is a draft copy with its own link. Edit it, then take it live.")
                     % {"title": copy.title})
    return redirect("surveys:survey_builder", workspace_slug=request.workspace.slug, survey_id=copy.pk)


@workspace_view
@require_GET
@xframe_options_sameorigin
def survey_preview(request, survey_id):
    """The public page as customers will see it, nothing saved. The builder shows it in a frame and, after
    each change, htmx asks for a fresh frame (this URL, as a fragment)."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    if request.htmx and not request.htmx.history_restore_request:
        return _vary(render(request, "surveys/partials/builder_preview.html", {
            "survey": survey, "stamp": timezone.now().strftime("%H%M%S%f")}))
    questions = selectors.survey_questions(survey)
    # A bilingual survey previews in either language (?lang=en); the rest in its own.
    language = request.GET.get("lang") if request.GET.get("lang") in survey.languages else survey.language
    with translation.override(language):
        response = render(request, "surveys/public/preview.html", {
            "survey": survey,
            "texts": languages.survey_texts(survey, language),
            "questions": SurveyForm(questions=questions, language=language,
                                    survey_language=survey.language).questions_for_display(),
            "form_token": "",
            "hidden_fields": [],
            "honeypot": HONEYPOT_FIELD,
            "preview_languages": survey.languages if survey.bilingual else [],
            "language": language,
        })
    response["Content-Language"] = language
    return _vary(response)


# Quotas ----------------------------------------------------------------------------------------

def _quotas_answer(request, survey: Survey, message: str, level: str = "success", form=None, status: int = 200):
    if request.htmx:
        context = {"survey": survey, "notice": message, "notice_level": level, **_quota_context(request, survey, form)}
        return _vary(render(request, "surveys/partials/builder_quotas.html", context))
    (messages.error if level == "error" else messages.success)(request, message)
    return redirect(_builder_url(request, survey) + "#builder-quotas")


@workspace_view(role=Role.ADMIN)
@require_POST
def quota_create(request, survey_id):
    """Stop the survey, or a cell of it, at a number of complete responses."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            quotas.quota_create(survey=survey, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _quotas_answer(request, survey, _("Quota added."))
    if request.htmx:
        return _quotas_answer(request, survey, _("Please check the quota."), "error", form=form)
    return _vary(_builder_page(request, survey, quota_form=form, status=400))


@workspace_view(role=Role.ADMIN)
@require_POST
def quota_delete(request, survey_id, quota_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    quota = get_object_or_404(Quota.objects.for_workspace(request.workspace), pk=quota_id, survey=survey)
    quotas.quota_delete(quota=quota)
    return _quotas_answer(request, survey, _("Quota removed."))


# Drop-off --------------------------------------------------------------------------------------

@workspace_view
@require_GET
def survey_dropoff(request, survey_id):
    """How many customers reached each question, as a funnel, and the completion rate (SQL aggregates)."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    funnel = selectors.survey_funnel(survey)
    return render(request, "surveys/survey_dropoff.html", {
        "survey": survey,
        "funnel": funnel,
        "funnel_chart": {"labels": [row["label"] for row in funnel.rows],
                         "counts": [row["reached"] for row in funnel.rows],
                         "label": _("Customers who reached the question")},
    })


UNFINISHED_PER_PAGE = 25


@workspace_view
@require_GET
def unfinished_list(request, survey_id):
    """Partial responses, apart from the responses: in progress or expired, with how far they got."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    status = request.GET.get("status", "")
    page = Paginator(selectors.survey_unfinished(survey, status), UNFINISHED_PER_PAGE).get_page(request.GET.get("page"))
    positions = sorted(question.position for question in selectors.survey_questions(survey))
    for partial in page.object_list:
        # The furthest question shown, as the number the customer saw it under.
        partial.reached_number = bisect_right(positions, partial.reached_position)
    context = {"survey": survey, "page": page, "selected_status": status, "statuses": [
        (PartialResponse.Status.IN_PROGRESS, _("Can still resume")), (PartialResponse.Status.EXPIRED, _("Expired"))]}
    if request.htmx and not request.htmx.history_restore_request:
        return _vary(render(request, "surveys/partials/unfinished_table.html", context))
    return _vary(render(request, "surveys/unfinished_list.html", context))


# Results ---------------------------------------------------------------------------------------

RESPONSES_PER_PAGE = 25


def _filters(request) -> tuple[ResponseFilterForm, dict[str, str]]:
    form = ResponseFilterForm(request.GET or None)
    return form, form.filters()


def _filter_query(filters: dict[str, str]) -> str:
    return urlencode(filters)


@workspace_view
@require_GET
def survey_results(request, survey_id):
    """Scores with their margin of error, responses over time and each question's answers, all aggregated in
    SQL. The filters swap the results with htmx and stay in the address."""
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    form, filters = _filters(request)
    period = period_from(filters.get("period"))
    questions = selectors.survey_all_questions(survey)
    responses = selectors.survey_responses(survey, filters)
    results = selectors.survey_results(survey, questions, responses, start=period.start())
    context = {
        "survey": survey,
        "form": form,
        "filters": filters,
        "query": _filter_query(filters),
        "period": period,
        "results": results,
        "summary": results.summary,
        "timeline_chart": {**results.timeline, "granularity": results.granularity,
                           "responses_label": _("Responses"), "nps_label": "NPS"},
        "can_export": request.membership.has_role(Role.ANALYST),
        "can_edit": request.membership.has_role(Role.ADMIN),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "surveys/partials/results_body.html", context)
    else:
        # Waves do not follow the response filters: only the whole page shows them.
        context["wave_comparisons"] = selectors.wave_comparisons(request.workspace, survey=survey)
        response = render(request, "surveys/survey_results.html", context)
    return _vary(response)


@workspace_view
@require_GET
def response_list(request, survey_id):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    form, filters = _filters(request)
    # A response recorded from unfinished answers when they expired is marked as such.
    responses = (selectors.survey_responses(survey, filters).select_related("customer", "touchpoint")
                 .with_expiry_mark().order_by("-submitted_at", "-pk"))
    context = {
        "survey": survey,
        "form": form,
        "filters": filters,
        "query": _filter_query(filters),
        "page": Paginator(responses, RESPONSES_PER_PAGE).get_page(request.GET.get("page")),
        "can_export": request.membership.has_role(Role.ANALYST),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "surveys/partials/response_table.html", context)
    else:
        response = render(request, "surveys/response_list.html", context)
    return _vary(response)


@workspace_view
@require_GET
def response_detail(request, survey_id, response_id):
    response = get_object_or_404(Response.objects.for_workspace(request.workspace)
                                 .select_related("survey", "customer", "touchpoint", "invitation"), pk=response_id)
    if response.survey_id != survey_id:
        return redirect("surveys:response_detail", workspace_slug=request.workspace.slug,
                        survey_id=response.survey_id, response_id=response.pk)
    return render(request, "surveys/response_detail.html", {
        "survey": response.survey,
        "response": response,
        "answers": selectors.response_answers(response),
    })


def _export(request, survey_id, kind: str):
    survey = _survey(request, survey_id)
    survey.workspace = request.workspace
    _form, filters = _filters(request)
    responses = selectors.survey_responses(survey, filters)
    columns = exports.ExportColumns.for_survey(survey)
    audit(workspace=request.workspace, actor=request.user, action=AuditEntry.Action.RESPONSES_EXPORTED,
          target=survey.title, survey_id=survey.pk, format=kind, filters=filters)
    name = f"survey-{survey.pk}-responses-{timezone.localdate():%Y%m%d}.{kind}"
    rows = exports.export_rows(survey, responses, columns)
    if kind == "csv":
        response = StreamingHttpResponse(exports.csv_stream(columns.header(), rows),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        path = exports.write_xlsx(columns.header(), rows)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it once sent
        # The open handle keeps the data readable; the name is gone at once, so no file is left behind.
        os.unlink(path)
        response = FileResponse(handle, as_attachment=True, filename=name,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "private, no-store"
    return response


@workspace_view(role=Role.ANALYST)
@require_GET
def responses_export_csv(request, survey_id):
    return _export(request, survey_id, "csv")


@workspace_view(role=Role.ANALYST)
@require_GET
def responses_export_xlsx(request, survey_id):
    return _export(request, survey_id, "xlsx")
