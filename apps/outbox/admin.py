from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(WorkspaceScopedAdmin):
    list_display = ["created_at", "workspace", "kind", "to", "status", "attempts", "last_error"]
    list_filter = ["status", "kind", "workspace"]
    # send_key: the Celery task id, for an operator following one job's e-mails.
    search_fields = ["to", "subject", "topic", "send_key"]
    list_select_related = ["workspace"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "send_key"]
