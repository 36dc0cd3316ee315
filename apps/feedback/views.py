from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.customers.forms import CustomerImportForm, csv_upload_max_bytes
from apps.outbox import selectors as outbox_selectors
from apps.touchpoints.models import Touchpoint
from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role
from cxm.uploads import size_limited_upload, upload_too_large

from . import adaptation, csv_feedback, selectors, services, text_services
from .forms import (
    AlertRuleForm,
    BulkTagForm,
    CaseAssignForm,
    CaseFilterForm,
    CaseNoteForm,
    CaseStatusForm,
    FeedbackFilterForm,
    TagForm,
    TagRuleForm,
    ThemeEditForm,
)
from .models import (
    Alert,
    AlertRule,
    FeedbackImport,
    FeedbackItem,
    FeedbackTag,
    FollowUpCase,
    Reanalysis,
    Tag,
    TagRule,
    Theme,
    WorkspaceTextModel,
)

ITEMS_PER_PAGE = 25
CASES_PER_PAGE = 25
ALERTS_PER_PAGE = 25
IMPORT_ERRORS_SHOWN = 100


def _fragment_or_page(request, fragment: str, page: str, context: dict):
    # A history restore comes from htmx but needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, fragment, context)
    else:
        response = render(request, page, context)
    # Same URL, two bodies: keep caches from serving the fragment as the page.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _full_page(request) -> bool:
    return not request.htmx or request.htmx.history_restore_request


def _query_without_page(query: QueryDict) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


# Inbox -----------------------------------------------------------------------------------------------

def _inbox_context(request, query: QueryDict, *, full_page: bool) -> dict:
    workspace = request.workspace
    facets = selectors.inbox_facets(workspace=workspace, selected_theme=query.get("theme", "")) if full_page else {}
    form = FeedbackFilterForm(query, facets=facets)
    filters = form.filters()
    items = selectors.feedback_inbox(workspace=workspace, filters=filters)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(query.get("page"))
    return {
        "form": form, "page": page, "filters": filters, "query": _query_without_page(query),
        "tags": facets["tags"] if full_page else list(Tag.objects.for_workspace(workspace).order_by("name")),
        "can_tag": request.membership.has_role(Role.ANALYST),
        "can_import": request.membership.has_role(Role.ANALYST),
        # Tell "no feedback yet" from "none matches".
        "workspace_is_empty": not page.object_list and not filters
        and not FeedbackItem.objects.for_workspace(workspace).exists(),
    }


@workspace_view
@require_GET
def inbox(request):
    context = _inbox_context(request, request.GET, full_page=_full_page(request))
    return _fragment_or_page(request, "feedback/partials/inbox_results.html", "feedback/inbox.html", context)


@workspace_view(role=Role.ANALYST)
@require_POST
def bulk_tag(request):
    """Add a tag to, or take it off, the selected items. Without JavaScript it redirects back to the
    inbox with the same filters; with htmx it answers the refreshed results."""
    query = QueryDict(request.POST.get("query", ""))
    form = BulkTagForm(request.POST, workspace=request.workspace)
    notice, error = "", ""
    if form.is_valid():
        add = form.cleaned_data["action"] == "add"
        changed = services.feedback_bulk_tag(workspace=request.workspace, item_ids=form.cleaned_data["items"],
                                             tag=form.cleaned_data["tag"], add=add)
        values = {"tag": form.cleaned_data["tag"].name, "count": changed}
        notice = (_("Tag “%(tag)s” added to %(count)s items.") if add
                  else _("Tag “%(tag)s” removed from %(count)s items.")) % values
    else:
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    if request.htmx:
        context = _inbox_context(request, query, full_page=False)
        context.update(notice=notice, error=error)
        response = render(request, "feedback/partials/inbox_results.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    if notice:
        messages.success(request, notice)
    else:
        messages.error(request, error)
    url = reverse("feedback:inbox", kwargs={"workspace_slug": request.workspace.slug})
    return redirect(f"{url}?{query.urlencode()}" if query else url)


@workspace_view
@require_GET
def themes(request):
    workspace = request.workspace
    period = request.GET.get("period") if request.GET.get("period") in selectors.PERIOD_DAYS else "90d"
    since = selectors.period_start(period)
    return render(request, "feedback/themes.html", {
        "period": period,
        "periods": [("30d", _("Last 30 days")), ("90d", _("Last 90 days")), ("365d", _("Last 12 months"))],
        "trend": selectors.theme_trend(workspace=workspace),
        "top_themes": selectors.top_themes(workspace=workspace, since=since),
        "negative_by_touchpoint": selectors.negative_themes_by_touchpoint(workspace=workspace, since=since),
    })


THEMES_PER_PAGE = 30
MERGE_CHOICES = 200


@workspace_view
@require_GET
def theme_manage(request):
    """Every theme with its mentions: analysts rename, hide, merge and split them here."""
    workspace = request.workspace
    themes = selectors.themes_with_mentions(workspace=workspace, search=request.GET.get("q", "").strip())
    return render(request, "feedback/theme_manage.html", {
        "page": Paginator(themes, THEMES_PER_PAGE).get_page(request.GET.get("page")),
        "search": request.GET.get("q", "").strip(),
        "merge_choices": selectors.themes_with_mentions(workspace=workspace, shown_only=True)[:MERGE_CHOICES],
        "can_edit": request.membership.has_role(Role.ANALYST),
    })


@workspace_view(role=Role.ANALYST)
@require_POST
def theme_edit(request, theme_id):
    themes = Theme.objects.for_workspace(request.workspace)
    theme = get_object_or_404(themes, pk=theme_id)
    form = ThemeEditForm(request.POST, themes=themes.exclude(pk=theme.pk))
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    else:
        action, name = form.cleaned_data["action"], theme.label
        if action == "rename":
            text_services.theme_rename(theme=theme, label_ko=form.cleaned_data["label_ko"] or theme.label_ko,
                                       label_en=form.cleaned_data["label_en"] or theme.label_en)
            messages.success(request, _("Theme renamed to “%(name)s”.") % {"name": theme.label})
        elif action in ("hide", "show"):
            text_services.theme_set_hidden(theme=theme, hidden=action == "hide")
            messages.success(request, (_("“%(name)s” is hidden from reports; it is still found.") if action == "hide"
                                       else _("“%(name)s” is shown again.")) % {"name": name})
        elif action == "merge":
            into = form.cleaned_data["into"]
            text_services.theme_merge(theme=theme, into=into)
            messages.success(request, _("“%(name)s” is now counted as “%(into)s”.")
                             % {"name": name, "into": into.label})
        else:
            text_services.theme_split(theme=theme, by=request.user)
            messages.success(request, _("“%(name)s” stands on its own again; the feedback is being re-analysed.")
                             % {"name": name})
    url = reverse("feedback:theme_manage", kwargs={"workspace_slug": request.workspace.slug})
    back = request.POST.get("next", "")
    return redirect(f"{url}?{back}" if back else url)


# Text analysis settings ----------------------------------------------------------------------------------

def _text_analysis_context(request) -> dict:
    workspace = request.workspace
    state = WorkspaceTextModel.objects.for_workspace(workspace).defer("weights").first()
    return {**adaptation.describe(state), "labelled": adaptation.labelled_count(workspace),
            "can_admin": request.membership.has_role(Role.ADMIN),
            "reanalysis": Reanalysis.objects.for_workspace(workspace).first(),
            "versions": selectors.analysis_versions(workspace=workspace)}


@workspace_view
@require_http_methods(["GET", "POST"])
def text_analysis(request):
    """The models that label this workspace's feedback, how well they do on its own held-out comments, and
    (for admins) learning its words on or off, a refit, and a re-analysis of everything."""
    workspace = request.workspace
    if request.method == "POST":
        if not request.membership.has_role(Role.ADMIN):
            raise PermissionDenied
        action = request.POST.get("action")
        if action in ("enable", "disable"):
            text_services.text_adaptation_set(workspace=workspace, enabled=action == "enable", by=request.user)
            messages.success(request, _("Learning this workspace's words is on.") if action == "enable"
                             else _("Learning this workspace's words is off: the base model labels its feedback."))
        elif action == "refit":
            text_services.text_model_refit_later(workspace=workspace)
            messages.success(request, _("The workspace's model is being fitted again; this page shows it when done."))
        elif action == "reanalyse":
            text_services.reanalysis_start(workspace=workspace, reason=Reanalysis.Reason.MANUAL,
                                           requested_by=request.user)
            messages.success(request, _("Re-analysing all feedback: progress is shown below."))
        else:
            messages.error(request, _("Unknown action."))
        return redirect("feedback:text_analysis", workspace_slug=workspace.slug)
    return render(request, "feedback/text_analysis.html", _text_analysis_context(request))


@workspace_view
@require_GET
def text_analysis_progress(request):
    """The re-analysis progress fragment, polled by htmx while a run is active."""
    run = Reanalysis.objects.for_workspace(request.workspace).first()
    return render(request, "feedback/partials/reanalysis_progress.html", {"reanalysis": run})


# CSV import --------------------------------------------------------------------------------------------

@workspace_view(role=Role.ANALYST)
@size_limited_upload(csv_upload_max_bytes)
@require_http_methods(["GET", "POST"])
def feedback_import(request):
    form = CustomerImportForm()
    if request.method == "POST":
        form = CustomerImportForm(request.POST, request.FILES, upload_too_large=upload_too_large(request))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            created = services.feedback_import_create(workspace=request.workspace, uploaded_by=request.user,
                                                      file_name=upload.name, content=upload.read())
            return redirect("feedback:import_detail", workspace_slug=request.workspace.slug,
                            feedback_import_id=created.pk)
    return render(request, "feedback/import.html", {
        "form": form,
        "imports": FeedbackImport.objects.for_workspace(request.workspace).defer("content")
        .select_related("uploaded_by")[:10],
        "field_aliases": csv_feedback.FIELD_ALIASES,
        "max_rows": csv_feedback.MAX_ROWS,
    }, status=400 if request.method == "POST" else 200)


@workspace_view
@require_GET
def import_detail(request, feedback_import_id):
    """The status page; htmx polls it every second for the progress fragment until the import finishes."""
    feedback_import = get_object_or_404(FeedbackImport.objects.for_workspace(request.workspace).defer("content")
                                        .select_related("uploaded_by"), pk=feedback_import_id)
    context = {"feedback_import": feedback_import,
               "import_errors": feedback_import.error_messages(limit=IMPORT_ERRORS_SHOWN),
               "errors_shown": IMPORT_ERRORS_SHOWN}
    return _fragment_or_page(request, "feedback/partials/import_progress.html", "feedback/import_detail.html",
                             context)


# Tags and rules -------------------------------------------------------------------------------------------

def _tag_page(request, *, tag_form=None, status=200):
    workspace = request.workspace
    counts = (FeedbackTag.objects.for_workspace(workspace).filter(tag=OuterRef("pk")).order_by()
              .values("tag").annotate(n=Count("pk")).values("n"))
    tags = list(Tag.objects.for_workspace(workspace).annotate(item_count=Coalesce(Subquery(counts), Value(0)))
                .order_by("name"))
    rules = {rule.tag_id: rule for rule in TagRule.objects.for_workspace(workspace)}
    rows = [{"tag": tag, "rule": rules.get(tag.pk),
             "rule_form": TagRuleForm(initial={"keywords": ", ".join(rules[tag.pk].keyword_list),
                                               "is_active": rules[tag.pk].is_active} if tag.pk in rules else None,
                                      prefix=f"tag{tag.pk}")} for tag in tags]
    return render(request, "feedback/tag_list.html", {"rows": rows, "tag_form": tag_form or TagForm()},
                  status=status)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def tag_list(request):
    if request.method == "POST":
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                tag = services.tag_create(workspace=request.workspace, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Tag “%(name)s” created.") % {"name": tag.name})
                return redirect("feedback:tag_list", workspace_slug=request.workspace.slug)
        return _tag_page(request, tag_form=form, status=400)
    return _tag_page(request)


@workspace_view(role=Role.ADMIN)
@require_POST
def tag_rule(request, tag_id):
    tag = get_object_or_404(Tag.objects.for_workspace(request.workspace), pk=tag_id)
    form = TagRuleForm(request.POST, prefix=f"tag{tag.pk}")
    if form.is_valid():
        services.tag_rule_set(tag=tag, **form.cleaned_data)
        messages.success(request, _("Rule for “%(name)s” saved; the feedback is being re-tagged.") % {"name": tag.name})
    else:
        messages.error(request, _("The keywords could not be saved."))
    return redirect("feedback:tag_list", workspace_slug=request.workspace.slug)


@workspace_view(role=Role.ADMIN)
@require_POST
def tag_delete(request, tag_id):
    tag = get_object_or_404(Tag.objects.for_workspace(request.workspace), pk=tag_id)
    services.tag_delete(tag=tag)
    messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag.name})
    return redirect("feedback:tag_list", workspace_slug=request.workspace.slug)


# Follow-up cases --------------------------------------------------------------------------------------------

def _cases_page(request, *, mine: bool):
    workspace = request.workspace
    full_page = _full_page(request)
    workers = selectors.case_workers(workspace=workspace) if full_page else []
    touchpoints = (list(Touchpoint.objects.for_workspace(workspace).active().order_by("name")
                        .values_list("pk", "name")) if full_page else [])
    query = request.GET.copy()
    # The list opens on the open cases; "All statuses" is an explicit empty choice.
    query.setdefault("status", "open")
    form = CaseFilterForm(query, workers=workers, touchpoints=touchpoints)
    if not full_page:
        # The fragment needs no choices: any value is scoped to the workspace by the query.
        form.fields["assignee"].choices = [(query.get("assignee", ""), "")]
        form.fields["touchpoint"].choices = [(query.get("touchpoint", ""), "")]
    filters = form.filters()
    if mine:
        filters["assignee"] = request.user.pk
    cases = selectors.case_list(workspace=workspace, filters=filters)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filters": filters, "mine": mine, "query": _query_without_page(request.GET),
               "counts": selectors.case_counts(workspace=workspace, user=request.user) if full_page else {},
               "list_url": reverse("feedback:my_cases" if mine else "feedback:case_list",
                                   kwargs={"workspace_slug": workspace.slug})}
    return _fragment_or_page(request, "feedback/partials/case_table.html", "feedback/case_list.html", context)


@workspace_view
@require_GET
def case_list(request):
    return _cases_page(request, mine=False)


@workspace_view
@require_GET
def my_cases(request):
    return _cases_page(request, mine=True)


def _case(request, case_id) -> FollowUpCase:
    return get_object_or_404(FollowUpCase.objects.for_workspace(request.workspace).select_related(
        "assignee", "customer", "touchpoint", "survey", "feedback_item", "response", "alert_rule"), pk=case_id)


def _case_context(request, case: FollowUpCase, **extra) -> dict:
    can_assign = request.membership.has_role(Role.ADMIN)
    workers = selectors.case_workers(workspace=request.workspace) if can_assign else []
    return {
        "case": case,
        "events": selectors.case_timeline(case=case),
        "can_work": request.membership.has_role(Role.ANALYST),
        "can_assign": can_assign,
        "note_form": extra.pop("note_form", None) or CaseNoteForm(),
        "assign_form": CaseAssignForm(workers=workers, initial={"assignee": case.assignee_id}),
        "transitions": [(status, FollowUpCase.Status(status).label) for status in case.next_statuses],
        "assignment_email": outbox_selectors.latest_email(workspace=request.workspace,
                                                          topic=f"follow_up_case:{case.pk}"),
        **extra,
    }


@workspace_view
@require_GET
def case_detail(request, case_id):
    case = _case(request, case_id)
    return render(request, "feedback/case_detail.html", _case_context(request, case))


def _case_answer(request, case: FollowUpCase, *, error: str = "", note_form=None, status: int = 200):
    """htmx gets the refreshed case panel; a plain form post goes back to the case page."""
    if request.htmx:
        context = _case_context(request, case, error=error, note_form=note_form)
        return render(request, "feedback/partials/case_panel.html", context, status=status)
    if error:
        messages.error(request, error)
    return redirect("feedback:case_detail", workspace_slug=request.workspace.slug, case_id=case.pk)


@workspace_view(role=Role.ANALYST)
@require_POST
def case_status(request, case_id):
    case = _case(request, case_id)
    form = CaseStatusForm(request.POST)
    if not form.is_valid():
        return _case_answer(request, case, error=_("Choose a status."), status=400)
    try:
        services.follow_up_case_set_status(case=case, status=form.cleaned_data["status"], actor=request.membership,
                                           note=form.cleaned_data["note"])
    except ValidationError as error:
        return _case_answer(request, case, error=" ".join(error.messages), status=400)
    return _case_answer(request, case)


@workspace_view(role=Role.ANALYST)
@require_POST
def case_note(request, case_id):
    case = _case(request, case_id)
    form = CaseNoteForm(request.POST)
    if not form.is_valid():
        return _case_answer(request, case, error=_("Write a note first."), note_form=form, status=400)
    services.follow_up_case_add_note(case=case, actor=request.membership, text=form.cleaned_data["text"])
    return _case_answer(request, case)


@workspace_view(role=Role.ADMIN)
@require_POST
def case_assign(request, case_id):
    case = _case(request, case_id)
    form = CaseAssignForm(request.POST, workers=selectors.case_workers(workspace=request.workspace))
    if not form.is_valid():
        return _case_answer(request, case, error=_("Choose a member who works cases."), status=400)
    try:
        services.follow_up_case_reassign(case=case, actor=request.membership,
                                         assignee_id=form.cleaned_data["assignee"])
    except ValidationError as error:
        return _case_answer(request, case, error=" ".join(error.messages), status=400)
    case = _case(request, case.pk)
    return _case_answer(request, case)


# Alerts ------------------------------------------------------------------------------------------------------

@workspace_view
@require_GET
def alert_list(request):
    workspace = request.workspace
    page = Paginator(selectors.alert_list(workspace=workspace), ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "feedback/alert_list.html", {
        "page": page,
        "rules": list(selectors.alert_rules(workspace=workspace)),
        "can_work": request.membership.has_role(Role.ANALYST),
        "can_manage": request.membership.has_role(Role.ADMIN),
    })


@workspace_view(role=Role.ANALYST)
@require_POST
def alert_acknowledge(request, alert_id):
    alert = get_object_or_404(Alert.objects.for_workspace(request.workspace), pk=alert_id)
    services.alert_acknowledge(alert=alert, actor=request.membership)
    return redirect("feedback:alert_list", workspace_slug=request.workspace.slug)


def _save_rule(request, form: AlertRuleForm) -> bool:
    if not form.is_valid():
        return False
    rule = form.save(commit=False)
    rule.workspace = request.workspace
    if rule.created_by_id is None:
        rule.created_by = request.user
    try:
        services.alert_rule_save(rule=rule)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return False
    return True


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def alert_rule_create(request):
    form = AlertRuleForm(request.POST or None, workspace=request.workspace,
                         initial={"threshold": 0, "min_responses": 10})
    if request.method == "POST" and _save_rule(request, form):
        messages.success(request, _("Alert rule saved."))
        return redirect("feedback:alert_list", workspace_slug=request.workspace.slug)
    return render(request, "feedback/alert_rule_form.html", {"form": form, "rule": None},
                  status=400 if request.method == "POST" else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def alert_rule_edit(request, rule_id):
    rule = get_object_or_404(AlertRule.objects.for_workspace(request.workspace), pk=rule_id)
    form = AlertRuleForm(request.POST or None, instance=rule, workspace=request.workspace)
    if request.method == "POST" and _save_rule(request, form):
        messages.success(request, _("Alert rule saved."))
        return redirect("feedback:alert_list", workspace_slug=request.workspace.slug)
    return render(request, "feedback/alert_rule_form.html", {"form": form, "rule": rule},
                  status=400 if request.method == "POST" else 200)


@workspace_view(role=Role.ADMIN)
@require_POST
def alert_rule_delete(request, rule_id):
    rule = get_object_or_404(AlertRule.objects.for_workspace(request.workspace), pk=rule_id)
    rule.delete()
    messages.success(request, _("Alert rule deleted."))
    return redirect("feedback:alert_list", workspace_slug=request.workspace.slug)

