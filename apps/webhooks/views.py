import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role

from . import services, signing
from .forms import EndpointForm
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DELIVERIES_PER_PAGE = 25
# The secret waits here, in the admin's session, only until the page that shows it is opened.
SECRET_SESSION = "webhook_secret_shown_once:{}"  # noqa: S105 (a session key name)


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint.objects.for_workspace(request.workspace).select_related("workspace"),
                             pk=endpoint_id)


def _docs_context() -> dict:
    return {"receiver_snippet": signing.RECEIVER_SNIPPET, "replay_window": signing.REPLAY_WINDOW_SECONDS,
            "max_attempts": settings.WEBHOOK_MAX_ATTEMPTS,
            "disable_after": settings.WEBHOOK_DISABLE_AFTER_FAILURES,
            "grace_hours": settings.WEBHOOK_SECRET_GRACE_HOURS,
            "timeout": f"{settings.WEBHOOK_TIMEOUT_SECONDS:g}"}


@workspace_view(role=Role.ADMIN)
@require_GET
def endpoint_list(request):
    last = WebhookDelivery.objects.filter(workspace=request.workspace, endpoint=OuterRef("pk")).exclude(
        attempts=0).order_by("-created_at", "-pk")
    endpoints = (WebhookEndpoint.objects.for_workspace(request.workspace)
                 .annotate(last_status=Subquery(last.values("status")[:1]),
                           last_code=Subquery(last.values("last_status_code")[:1]),
                           last_at=Subquery(last.values("created_at")[:1])))
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints, **_docs_context()})


def _form_values(form) -> dict:
    data = form.cleaned_data
    return {"name": data["name"], "url": data["url"], "events": data["events"], "format": data["format"]}


def _copy_errors(form, error: ValidationError) -> None:
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(workspace=request.workspace, created_by=request.user,
                                                **_form_values(form))
        except ValidationError as error:
            _copy_errors(form, error)
        else:
            request.session[SECRET_SESSION.format(endpoint.pk)] = endpoint.secret
            messages.success(request, _("Endpoint “%(name)s” added.") % {"name": endpoint.name})
            return redirect("webhooks:endpoint_secret", workspace_slug=request.workspace.slug,
                            endpoint_id=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None},
                  status=400 if form.is_bound else 200)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    form = EndpointForm(request.POST or None, initial={"name": endpoint.name, "url": endpoint.url,
                                                       "events": endpoint.events, "format": endpoint.format})
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **_form_values(form))
        except ValidationError as error:
            _copy_errors(form, error)
            endpoint.refresh_from_db()
        else:
            messages.success(request, _("Endpoint “%(name)s” saved.") % {"name": endpoint.name})
            return redirect(endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint},
                  status=400 if form.is_bound else 200)


@workspace_view(role=Role.ADMIN)
@require_GET
def endpoint_detail(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    status = request.GET.get("status", "")
    deliveries = WebhookDelivery.objects.for_workspace(request.workspace).filter(endpoint=endpoint)
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    else:
        status = ""
    page = Paginator(deliveries.defer("payload"), DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"endpoint": endpoint, "page": page, "status": status, "statuses": WebhookDelivery.Status.choices,
               **_docs_context()}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "webhooks/partials/delivery_log.html", context)
    else:
        response = render(request, "webhooks/endpoint_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view(role=Role.ADMIN)
@require_GET
@never_cache
def endpoint_secret(request, endpoint_id):
    """Shows the secret once, after it was made or rotated: it leaves the session as the page is rendered."""
    endpoint = _endpoint(request, endpoint_id)
    secret = request.session.pop(SECRET_SESSION.format(endpoint.pk), None)
    if secret is None:
        messages.info(request, _("The signing secret is shown only once. Rotate it to get a new one."))
        return redirect(endpoint)
    return render(request, "webhooks/endpoint_secret.html", {"endpoint": endpoint, "secret": secret,
                                                             **_docs_context()})


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_rotate(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        services.endpoint_rotate_secret(endpoint=endpoint)
        request.session[SECRET_SESSION.format(endpoint.pk)] = endpoint.secret
        return redirect("webhooks:endpoint_secret", workspace_slug=request.workspace.slug, endpoint_id=endpoint.pk)
    return render(request, "webhooks/endpoint_rotate_confirm.html", {"endpoint": endpoint, **_docs_context()})


@workspace_view(role=Role.ADMIN)
@require_POST
def endpoint_test(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    delivery = services.test_event_send(endpoint=endpoint)
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        messages.success(request, _("Test event delivered: HTTP %(code)s in %(ms)s ms.") % {
            "code": delivery.last_status_code, "ms": delivery.last_response_ms})
    else:
        messages.error(request, _("The test event was not delivered: %(error)s") % {
            "error": delivery.last_error or _("HTTP %(code)s") % {"code": delivery.last_status_code}})
    return redirect(endpoint)


@workspace_view(role=Role.ADMIN)
@require_POST
def endpoint_status(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    if request.POST.get("active") == "1":
        services.endpoint_enable(endpoint=endpoint)
        messages.success(request, _("Endpoint “%(name)s” is active again.") % {"name": endpoint.name})
    else:
        services.endpoint_disable(endpoint=endpoint)
        messages.success(request, _("Endpoint “%(name)s” is disabled: no events are sent to it.")
                         % {"name": endpoint.name})
    return redirect(endpoint)


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint)
        messages.success(request, _("Endpoint “%(name)s” deleted, with its delivery log.") % {"name": endpoint.name})
        return redirect("webhooks:endpoint_list", workspace_slug=request.workspace.slug)
    return render(request, "webhooks/endpoint_delete_confirm.html", {"endpoint": endpoint})


def _delivery(request, endpoint_id, delivery_id) -> WebhookDelivery:
    return get_object_or_404(WebhookDelivery.objects.for_workspace(request.workspace)
                             .select_related("endpoint", "endpoint__workspace"),
                             pk=delivery_id, endpoint_id=endpoint_id)


@workspace_view(role=Role.ADMIN)
@require_GET
def delivery_detail(request, endpoint_id, delivery_id):
    delivery = _delivery(request, endpoint_id, delivery_id)
    context = {
        "delivery": delivery,
        "endpoint": delivery.endpoint,
        "attempts": WebhookAttempt.objects.for_workspace(request.workspace).filter(delivery=delivery),
        # Indented for reading; the request carried the same JSON on one line.
        "body": json.dumps(json.loads(services.request_body(delivery)), ensure_ascii=False, indent=2),
    }
    template = "webhooks/partials/delivery_detail.html" if request.htmx else "webhooks/delivery_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view(role=Role.ADMIN)
@require_POST
def delivery_redeliver(request, endpoint_id, delivery_id):
    delivery = _delivery(request, endpoint_id, delivery_id)
    try:
        delivery = services.delivery_redeliver(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if delivery.status == WebhookDelivery.Status.DELIVERED:
            messages.success(request, _("Delivered on the new attempt."))
        else:
            messages.error(request, _("The new attempt failed too: %(error)s") % {"error": delivery.last_error})
    return redirect(delivery.endpoint)
