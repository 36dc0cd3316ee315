from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, AuditEntry, Invitation, Membership, Workspace, WorkspaceExport


def operator_workspaces(user):
    """Workspaces a staff operator may see in the admin: the ones they belong to."""
    return Workspace.objects.filter(pk__in=Membership.objects.filter(user=user).values("workspace"))


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Base for every tenant-owned model's admin: superusers see all rows, staff operators only
    rows of workspaces they are members of, and can only pick those workspaces in forms."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(workspace__in=operator_workspaces(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace" and not request.user.is_superuser:
            kwargs["queryset"] = operator_workspaces(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_language", "time_zone", "created_at"]
    list_filter = ["default_language", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=operator_workspaces(request.user).values("pk"))

    def has_add_permission(self, request):
        # An operator who created a workspace would not be its member; creation is a superuser's job.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name", "workspace__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "workspace"]


@admin.register(Invitation)
class InvitationAdmin(WorkspaceScopedAdmin):
    list_display = ["email", "workspace", "role", "created_at", "expires_at", "status"]
    list_filter = ["role", "workspace", "created_at"]
    search_fields = ["email", "workspace__name"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by"]
    list_select_related = ["workspace"]

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.accepted_at:
            return _("accepted")
        if obj.revoked_at:
            return _("revoked")
        return _("expired") if obj.is_expired else _("pending")


@admin.register(AuditEntry)
class AuditEntryAdmin(WorkspaceScopedAdmin):
    list_display = ["created_at", "workspace", "action", "target", "actor"]
    list_filter = ["action", "workspace", "created_at"]
    search_fields = ["target", "actor__username", "workspace__name"]
    list_select_related = ["workspace", "actor"]

    # The audit trail is evidence: nobody edits or deletes it from the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["workspace", "created_at"]
    search_fields = ["name", "prefix", "workspace__name"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # A key is shown once to the person who creates it, on the workspace's API page.
        return False


@admin.register(WorkspaceExport)
class WorkspaceExportAdmin(WorkspaceScopedAdmin):
    list_display = ["created_at", "workspace", "status", "rows", "size_bytes", "expires_at", "requested_by"]
    list_filter = ["status", "workspace"]
    list_select_related = ["workspace", "requested_by"]

    # Exports are requested by owners on the workspace's data page, where the download is checked.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
