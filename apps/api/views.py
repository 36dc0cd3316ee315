from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import ApiKey, Role

from . import services
from .forms import ApiKeyForm

# The raw key waits here, in the creator's session, only until the page that shows it is opened.
RAW_KEY_SESSION = "api_key_shown_once:{}"


def _keys(workspace):
    return ApiKey.objects.for_workspace(workspace).select_related("created_by").order_by("revoked_at", "-created_at")


def _list_page(request, form, status=200):
    return render(request, "api/key_list.html", {
        "keys": _keys(request.workspace),
        "form": form,
        "api_base": request.build_absolute_uri(reverse("api_v1:api-root")),
    }, status=status)


@workspace_view(role=Role.ADMIN)
@require_GET
def key_list(request):
    return _list_page(request, ApiKeyForm())


@workspace_view(role=Role.ADMIN)
@require_POST
def key_create(request):
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    api_key, raw_key = services.api_key_create(workspace=request.workspace, name=form.cleaned_data["name"],
                                               created_by=request.user)
    request.session[RAW_KEY_SESSION.format(api_key.pk)] = raw_key
    return redirect("api:key_created", workspace_slug=request.workspace.slug, api_key_id=api_key.pk)


@workspace_view(role=Role.ADMIN)
@require_GET
@never_cache
def key_created(request, api_key_id):
    """Shows the raw key once: it leaves the session as the page is rendered, and only its hash is stored."""
    api_key = get_object_or_404(ApiKey.objects.for_workspace(request.workspace), pk=api_key_id)
    raw_key = request.session.pop(RAW_KEY_SESSION.format(api_key.pk), None)
    if raw_key is None:
        messages.info(request, _("A key is shown only once, when it is created. Create a new key if this one "
                                 "was lost, and revoke the old one."))
        return redirect("api:key_list", workspace_slug=request.workspace.slug)
    return render(request, "api/key_created.html", {
        "api_key": api_key,
        "raw_key": raw_key,
        "api_base": request.build_absolute_uri(reverse("api_v1:api-root")),
    })


@workspace_view(role=Role.ADMIN)
@require_http_methods(["GET", "POST"])
def key_revoke(request, api_key_id):
    api_key = get_object_or_404(ApiKey.objects.for_workspace(request.workspace).select_related("workspace"),
                                pk=api_key_id)
    if api_key.revoked_at is not None:
        messages.info(request, _("The key “%(name)s” was already revoked.") % {"name": api_key.name})
        return redirect("api:key_list", workspace_slug=request.workspace.slug)
    if request.method == "POST":
        services.api_key_revoke(api_key=api_key, revoked_by=request.user)
        messages.success(request, _("The key “%(name)s” is revoked: requests with it are refused from now on.")
                         % {"name": api_key.name})
        return redirect("api:key_list", workspace_slug=request.workspace.slug)
    return render(request, "api/key_revoke_confirm.html", {"api_key": api_key})
