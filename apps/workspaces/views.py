from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cxm.uploads import size_limited_upload, upload_too_large

from . import services
from .decorators import workspace_view
from .forms import InvitationForm, NewMemberForm, RoleForm, WorkspaceCreateForm, WorkspaceDeleteForm, WorkspaceForm
from .models import AuditEntry, Invitation, Membership, Role, WorkspaceExport

User = get_user_model()
MEMBERS_PER_PAGE = 50


@require_GET
def home(request):
    """Send a person to the workspace they last used, or to create their first one."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    # Workspaces waiting for deletion are hidden; their owners reach them from the switcher.
    memberships = (Membership.objects.filter(user=request.user, workspace__deletion_due_at__isnull=True)
                   .select_related("workspace"))
    membership = (memberships.filter(workspace_id=request.user.last_workspace_id).first()
                  or memberships.order_by("workspace__name").first())
    if membership is None:
        return redirect("workspace_create")
    return redirect(membership.workspace)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_create(request):
    form = WorkspaceCreateForm(request.POST or None, initial={"default_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        workspace = services.workspace_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("Workspace “%(name)s” created. You are its owner.") % {"name": workspace.name})
        return redirect(workspace)
    return render(request, "workspaces/workspace_create.html", {"form": form})


def _logo_max_bytes() -> int:
    return settings.LOGO_MAX_BYTES


@workspace_view(role=Role.ADMIN)
@size_limited_upload(_logo_max_bytes)
@require_http_methods(["GET", "POST"])
def workspace_settings(request):
    workspace = request.workspace
    form = WorkspaceForm(request.POST or None, request.FILES or None, instance=workspace,
                         logo_too_large=upload_too_large(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.workspace_update(workspace=workspace, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Workspace settings saved."))
                return redirect("workspaces:settings", workspace_slug=workspace.slug)
        # A failed save must not leave the shell showing half-applied values.
        workspace.refresh_from_db()
    return render(request, "workspaces/workspace_settings.html", {"form": form})


def _member_page(request):
    members = (Membership.objects.for_workspace(request.workspace).select_related("user")
               .order_by("user__first_name", "user__username"))
    return Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))


@workspace_view
@require_GET
def member_list(request):
    context = {
        "page": _member_page(request),
        "invitations": Invitation.objects.for_workspace(request.workspace).pending()
        .select_related("invited_by"),
        "invite_form": InvitationForm(),
        "roles": Role.choices,
        "can_manage": request.membership.has_role(Role.ADMIN),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "workspaces/partials/member_table.html", context)
    else:
        response = render(request, "workspaces/member_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@workspace_view(role=Role.ADMIN)
@require_POST
def invite_member(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_send(workspace=request.workspace, invited_by=request.user,
                                                  actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("email", error.message_dict.get("email", error.messages))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("workspaces:members", workspace_slug=request.workspace.slug)
    return render(request, "workspaces/member_list.html", {
        "page": _member_page(request),
        "invitations": Invitation.objects.for_workspace(request.workspace).pending(),
        "invite_form": form,
        "roles": Role.choices,
        "can_manage": True,
    }, status=400)


@workspace_view(role=Role.ADMIN)
@require_POST
def change_member_role(request, member_id):
    membership = get_object_or_404(Membership.objects.for_workspace(request.workspace).select_related("user"),
                                   pk=member_id)
    form = RoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, actor=request.membership,
                                            role=form.cleaned_data["role"])
        except ValidationError as exc:
            error = exc.messages[0]
            membership.refresh_from_db()
    else:
        error = _("Choose a role from the list.")
    if request.htmx:
        return render(request, "workspaces/partials/member_row.html", {
            "member": membership, "roles": Role.choices, "can_manage": True, "row_error": error,
            "row_saved": error is None,
        })
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s is now %(role)s.") % {
            "name": membership.user.display_name, "role": membership.get_role_display()})
    return redirect("workspaces:members", workspace_slug=request.workspace.slug)


@workspace_view
@require_http_methods(["GET", "POST"])
def remove_member(request, member_id):
    """GET asks for confirmation, POST removes. A member may always leave; removing others needs admin."""
    membership = get_object_or_404(Membership.objects.for_workspace(request.workspace).select_related("user"),
                                   pk=member_id)
    leaving = membership.pk == request.membership.pk
    if not leaving and not request.membership.has_role(Role.ADMIN):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.membership)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("workspaces:members", workspace_slug=request.workspace.slug)
        if leaving:
            messages.success(request, _("You left %(workspace)s.") % {"workspace": request.workspace.name})
            return redirect("home")
        messages.success(request, _("%(name)s was removed from the workspace.") % {
            "name": membership.user.display_name})
        return redirect("workspaces:members", workspace_slug=request.workspace.slug)
    return render(request, "workspaces/member_remove_confirm.html", {"member": membership, "leaving": leaving})


@workspace_view(role=Role.ADMIN)
@require_POST
def resend_invitation(request, invitation_id):
    invitation = get_object_or_404(Invitation.objects.for_workspace(request.workspace).pending(), pk=invitation_id)
    services.invitation_resend(invitation=invitation, actor=request.membership)
    messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.email})
    return redirect("workspaces:members", workspace_slug=request.workspace.slug)


@workspace_view(role=Role.ADMIN)
@require_POST
def revoke_invitation(request, invitation_id):
    invitation = get_object_or_404(Invitation.objects.for_workspace(request.workspace).pending(), pk=invitation_id)
    services.invitation_revoke(invitation=invitation, actor=request.membership)
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("workspaces:members", workspace_slug=request.workspace.slug)


@workspace_view(role=Role.OWNER)
@require_GET
def audit_log(request):
    """Sensitive actions in this workspace, newest first; owners only."""
    entries = (AuditEntry.objects.for_workspace(request.workspace).select_related("actor")
               .order_by("-created_at", "-pk"))
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    context = {"page": Paginator(entries, 50).get_page(request.GET.get("page")), "actions": AuditEntry.Action.choices,
               "selected_action": action}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "workspaces/partials/audit_table.html", context)
    else:
        response = render(request, "workspaces/audit_log.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """The link from the invitation e-mail. Signed-in people accept with one click; a new person
    sets a name and password; an existing account is asked to sign in first."""
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        reason = None
        if invitation is not None and invitation.accepted_at:
            reason = _("This invitation has already been accepted.")
        elif invitation is not None and invitation.is_pending:
            reason = _("This invitation has expired. Ask the person who invited you to send it again.")
        return render(request, "workspaces/invitation_unusable.html", {"reason": reason}, status=410)

    context = {"invitation": invitation}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(token=token, user=request.user)
            except services.InvitationUnusable as error:
                return render(request, "workspaces/invitation_unusable.html", {"reason": str(error)}, status=410)
            messages.success(request, _("Welcome to %(workspace)s.") % {"workspace": membership.workspace.name})
            return redirect(membership.workspace)
        return render(request, "workspaces/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["existing_account"] = True
        return render(request, "workspaces/invitation_accept.html", context)

    form = NewMemberForm(request.POST or None, email=invitation.email,
                         initial={"language": invitation.workspace.default_language})
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_as_new_user(
                token=token, first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"], language=form.cleaned_data["language"])
        except services.InvitationUnusable as error:
            return render(request, "workspaces/invitation_unusable.html", {"reason": str(error)}, status=410)
        login(request, membership.user, backend="apps.accounts.backends.UsernameOrEmailBackend")
        messages.success(request, _("Welcome to %(workspace)s.") % {"workspace": membership.workspace.name})
        return redirect(membership.workspace)
    context["form"] = form
    return render(request, "workspaces/invitation_accept.html", context)


def _data_context(request, **extra) -> dict:
    exports = WorkspaceExport.objects.for_workspace(request.workspace).select_related("requested_by")[:10]
    return {"exports": exports, "delete_form": WorkspaceDeleteForm(workspace=request.workspace),
            "grace_days": settings.WORKSPACE_DELETION_GRACE_DAYS,
            "retention_hours": settings.WORKSPACE_EXPORT_RETENTION_HOURS, **extra}


@workspace_view(role=Role.OWNER)
@require_GET
def workspace_data(request):
    """Owners: export everything, and delete (or restore) the workspace."""
    return render(request, "workspaces/workspace_data.html", _data_context(request))


@workspace_view(role=Role.OWNER, during_deletion=True)
@require_POST
def workspace_export_create(request):
    export = services.workspace_export_request(workspace=request.workspace, actor=request.membership)
    messages.success(request, _("Export #%(number)s started. It appears below when it is ready.")
                     % {"number": export.pk})
    return redirect("workspaces:data", workspace_slug=request.workspace.slug)


def _export(request, export_id) -> WorkspaceExport:
    return get_object_or_404(WorkspaceExport.objects.for_workspace(request.workspace), pk=export_id)


@workspace_view(role=Role.OWNER)
@require_GET
def workspace_export_status(request, export_id):
    """One export's row; htmx polls it every second while the job runs."""
    return render(request, "workspaces/partials/export_row.html", {"export": _export(request, export_id)})


@workspace_view(role=Role.OWNER)
@require_GET
def workspace_export_download(request, export_id):
    export = _export(request, export_id)
    if not export.is_downloadable or not export.path.is_file():
        return render(request, "workspaces/export_gone.html", {"export": export}, status=410)
    return FileResponse(export.path.open("rb"), as_attachment=True, content_type="application/zip",
                        filename=f"cxm-{request.workspace.slug}-{export.created_at:%Y%m%d-%H%M}.zip")


@workspace_view(role=Role.OWNER)
@require_POST
def workspace_delete(request):
    form = WorkspaceDeleteForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return render(request, "workspaces/workspace_data.html", _data_context(request, delete_form=form), status=400)
    workspace = services.workspace_deletion_request(workspace=request.workspace, actor=request.membership)
    messages.warning(request, _("%(workspace)s will be deleted on %(date)s. Until then it is hidden from its "
                                "members and read-only, and an owner can restore it here.") % {
        "workspace": workspace.name, "date": date_format(timezone.localtime(workspace.deletion_due_at),
                                                         "DATETIME_FORMAT")})
    return redirect("workspaces:data", workspace_slug=workspace.slug)


@workspace_view(role=Role.OWNER, during_deletion=True)
@require_POST
def workspace_restore(request):
    workspace = services.workspace_deletion_cancel(workspace=request.workspace, actor=request.membership)
    messages.success(request, _("%(workspace)s was restored; nothing will be deleted.") % {"workspace": workspace.name})
    return redirect("workspaces:data", workspace_slug=workspace.slug)
