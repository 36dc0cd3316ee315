from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.workspaces.decorators import workspace_view
from apps.workspaces.models import Role

from . import services
from .models import OutboundEmail

EMAILS_PER_PAGE = 50


@workspace_view(role=Role.ADMIN)
@require_GET
def email_list(request):
    """Every e-mail the workspace sent or tries to send, newest first, with its status and last error."""
    status = request.GET.get("status", "")
    emails = OutboundEmail.objects.for_workspace(request.workspace).defer("body_text", "body_html")
    if status in OutboundEmail.Status.values:
        emails = emails.filter(status=status)
    else:
        status = ""
    page = Paginator(emails, EMAILS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": OutboundEmail.Status.choices}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "outbox/partials/email_table.html", context)
    else:
        response = render(request, "outbox/email_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view(role=Role.ADMIN)
@require_POST
def email_resend(request, email_id):
    email = get_object_or_404(OutboundEmail.objects.for_workspace(request.workspace), pk=email_id)
    try:
        services.email_resend(email=email)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The e-mail to %(address)s is queued again.") % {"address": email.to})
    return redirect("outbox:email_list", workspace_slug=request.workspace.slug)
