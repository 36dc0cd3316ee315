from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(WorkspaceScopedAdmin):
    list_display = ["created_at", "workspace", "kind", "to", "status", "attempts", "last_error"]
    list_filter = ["status", "kind", "workspace"]
    search_fields = ["to", "subject", "topic"]
    list_select_related = ["workspace"]
    readonly_fields = ["claimed_at", "sent_at", "attempts"]
