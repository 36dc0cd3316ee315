import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role
from cxm.spreadsheets import neutralise_formula
from cxm.uploads import size_limited_upload, upload_too_large

from . import csv_import, selectors, services
from .forms import CustomerEditForm, CustomerFilterForm, CustomerImportForm, SegmentForm, csv_upload_max_bytes
from .models import Customer, CustomerImport, Segment, segment_counts
from .segments import SegmentRules

CUSTOMERS_PER_PAGE = 50
IMPORT_FIELD_LABELS = [
    ("external_id", gettext_lazy("External id")), ("email", gettext_lazy("E-mail address")),
    ("phone", gettext_lazy("Phone")), ("name", gettext_lazy("Name")),
    ("language", gettext_lazy("Preferred language")), ("consent", gettext_lazy("Consent")),
]
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


def _permissions(request) -> dict:
    return {"can_import": request.membership.has_role(Role.ANALYST),
            "can_manage": request.membership.has_role(Role.ADMIN)}


@workspace_view
@require_GET
def customer_list(request):
    workspace = request.workspace
    full_page = not request.htmx or request.htmx.history_restore_request
    facets = selectors.customer_facets(workspace=workspace) if full_page else {}
    form = CustomerFilterForm(request.GET, facets=facets)
    filters = form.filters()
    customers = selectors.customer_list(workspace=workspace, filters=filters)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "filters": filters, **_permissions(request),
        # Tell "no customers yet" (import some) from "none match" (change the filters).
        "workspace_is_empty": not page.object_list and not filters
        and not Customer.objects.for_workspace(workspace).exists(),
    }
    return _fragment_or_page(request, "customers/partials/customer_table.html", "customers/customer_list.html",
                             context)


@workspace_view(role=Role.ANALYST)
@require_GET
def customer_export(request):
    workspace = request.workspace
    filters = CustomerFilterForm(request.GET).filters()
    customers = selectors.customer_list(workspace=workspace, filters=filters)
    stream = services.customer_export(workspace=workspace, actor=request.user, customers=customers, filters=filters)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="customers-{workspace.slug}-{stamp}.csv"'
    return response


@workspace_view
@require_GET
def customer_detail(request, customer_id):
    customer = get_object_or_404(Customer.objects.for_workspace(request.workspace), pk=customer_id)
    return render(request, "customers/customer_detail.html", {
        "customer": customer,
        "attributes": sorted(customer.attributes.items()) if isinstance(customer.attributes, dict) else [],
        "timeline": selectors.customer_timeline(customer=customer),
        "timeline_limit": selectors.TIMELINE_LENGTH,
        **_permissions(request),
    })


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_id):
    customer = get_object_or_404(Customer.objects.for_workspace(request.workspace), pk=customer_id)
    form = CustomerEditForm(request.POST or None, initial={
        "consent": customer.consent, "language": customer.language,
        "attributes": CustomerEditForm.attributes_as_text(customer.attributes or {})})
    if request.method == "POST" and form.is_valid():
        services.customer_update(customer=customer, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("customers:customer_detail", workspace_slug=request.workspace.slug, customer_id=customer.pk)
    return render(request, "customers/customer_edit.html", {"customer": customer, "form": form})


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def customer_erase(request, customer_id):
    """GET asks for confirmation (works without JavaScript), POST erases."""
    customer = get_object_or_404(Customer.objects.for_workspace(request.workspace), pk=customer_id)
    if request.method == "POST":
        services.customer_erase(customer=customer, actor=request.user)
        messages.success(request, _("The profile was erased. The survey answers stay, without a name."))
        return redirect("customers:customer_list", workspace_slug=request.workspace.slug)
    return render(request, "customers/customer_erase_confirm.html", {"customer": customer})


@workspace_view(role=Role.ANALYST)
@size_limited_upload(csv_upload_max_bytes)
@require_http_methods(["GET", "POST"])
def customer_import(request):
    form = CustomerImportForm()
    if request.method == "POST":
        form = CustomerImportForm(request.POST, request.FILES, upload_too_large=upload_too_large(request))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            customer_import = services.customer_import_create(
                workspace=request.workspace, uploaded_by=request.user, file_name=upload.name, content=upload.read())
            return redirect("customers:import_detail", workspace_slug=request.workspace.slug,
                            import_id=customer_import.pk)
    return render(request, "customers/customer_import.html", {
        "form": form,
        "imports": selectors.recent_imports(workspace=request.workspace),
        "field_aliases": [(label, csv_import.FIELD_ALIASES[name]) for name, label in IMPORT_FIELD_LABELS],
        "max_columns": csv_import.MAX_COLUMNS,
        "max_rows": csv_import.MAX_ROWS,
    }, status=400 if request.method == "POST" else 200)


def _import(request, import_id) -> CustomerImport:
    return get_object_or_404(CustomerImport.objects.for_workspace(request.workspace).defer("content")
                             .select_related("uploaded_by"), pk=import_id)


@workspace_view
@require_GET
def import_detail(request, import_id):
    """The status page; htmx polls it every second for the progress fragment until the import finishes."""
    customer_import = _import(request, import_id)
    context = {
        "customer_import": customer_import,
        "import_errors": customer_import.error_messages(limit=IMPORT_ERRORS_SHOWN),
        "errors_shown": IMPORT_ERRORS_SHOWN,
        **_permissions(request),
    }
    return _fragment_or_page(request, "customers/partials/import_progress.html", "customers/import_detail.html",
                             context)


@workspace_view(role=Role.ANALYST)
@require_POST
def import_retry(request, import_id):
    customer_import = _import(request, import_id)
    if customer_import.status == CustomerImport.Status.RUNNING:
        messages.error(request, _("This import is still running."))
    else:
        services.customer_import_retry(customer_import=customer_import)
    return redirect("customers:import_detail", workspace_slug=request.workspace.slug, import_id=customer_import.pk)


@workspace_view(role=Role.ANALYST)
@require_GET
def import_error_rows(request, import_id):
    """The rejected rows as CSV (UTF-8 with BOM), with their line numbers and reasons, to fix and re-import."""
    customer_import = get_object_or_404(CustomerImport.objects.for_workspace(request.workspace), pk=import_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in services.customer_import_error_rows(customer_import=customer_import):
        writer.writerow([neutralise_formula(cell) for cell in row])
    response["Content-Disposition"] = f'attachment; filename="import-{customer_import.pk}-errors.csv"'
    return response


# Saved segments ---------------------------------------------------------------------------------

SEGMENTS_PER_PAGE = 25


def _segment(request, segment_id) -> Segment:
    return get_object_or_404(Segment.objects.for_workspace(request.workspace), pk=segment_id)


def _segment_form_context(request, form, segment=None) -> dict:
    # Before anything is typed the count is the stored rules' (everyone for a new segment).
    rules = form.rules() if form.is_bound else segment.rules_object if segment else SegmentRules()
    return {"form": form, "segment": segment, "facets": selectors.customer_facets(workspace=request.workspace),
            "size": selectors.segment_size(workspace=request.workspace, rules=rules),
            "rules_text": " · ".join(rules.describe()),
            "fatigue_days": request.workspace.contact_fatigue_days}


@workspace_view
@require_GET
def segment_list(request):
    page = Paginator(selectors.segment_list(workspace=request.workspace), SEGMENTS_PER_PAGE).get_page(
        request.GET.get("page"))
    # One aggregate counts every segment of the page.
    segments = segment_counts(list(page.object_list), request.workspace)
    return render(request, "customers/segment_list.html", {
        "page": page, "segments": segments, "can_manage": request.membership.has_role(Role.ADMIN)})


@workspace_view
@require_GET
def segment_count(request):
    """The live count beside the segment form: htmx sends the form's fields on every change."""
    form = SegmentForm(request.GET)
    form.is_valid()
    return render(request, "customers/partials/segment_count.html", {
        "size": selectors.segment_size(workspace=request.workspace, rules=form.rules()),
        "rules_text": " · ".join(form.rules().describe()), "fatigue_days": request.workspace.contact_fatigue_days})


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def segment_create(request):
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment = services.segment_create(workspace=request.workspace, created_by=request.user,
                                              name=form.cleaned_data["name"],
                                              description=form.cleaned_data["description"], rules=form.rules())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
            return redirect("customers:segment_list", workspace_slug=request.workspace.slug)
    return render(request, "customers/segment_form.html", _segment_form_context(request, form),
                  status=400 if form.is_bound else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def segment_edit(request, segment_id):
    segment = _segment(request, segment_id)
    form = SegmentForm(request.POST or None, initial=SegmentForm.initial_for(segment))
    if request.method == "POST" and form.is_valid():
        try:
            services.segment_update(segment=segment, name=form.cleaned_data["name"],
                                    description=form.cleaned_data["description"], rules=form.rules())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
            return redirect("customers:segment_list", workspace_slug=request.workspace.slug)
    return render(request, "customers/segment_form.html", _segment_form_context(request, form, segment),
                  status=400 if form.is_bound else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def segment_delete(request, segment_id):
    """GET asks for confirmation (and names what uses the segment), POST deletes."""
    segment = _segment(request, segment_id)
    uses = services.segment_uses(segment)
    if request.method == "POST":
        try:
            services.segment_delete(segment=segment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("customers:segment_delete", workspace_slug=request.workspace.slug, segment_id=segment.pk)
        messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
        return redirect("customers:segment_list", workspace_slug=request.workspace.slug)
    return render(request, "customers/segment_delete_confirm.html", {"segment": segment, "uses": uses})
