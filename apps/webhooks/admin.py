from django.contrib import admin
from django.db import models

from apps.workspaces.admin import WorkspaceScopedAdmin

from . import services
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "url", "format", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active", "format", "workspace"]
    search_fields = ["name", "url", "workspace__name"]
    list_select_related = ["workspace"]
    # The secret is not a model form field (editable=False), so it never shows here.
    readonly_fields = ["created_by", "created_at", "secret_rotated_at", "disabled_at", "disabled_automatically"]
    # A receiver's address typed without a scheme is an https one (Django 6's default; 5.2 warns and assumes http).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Workspace.webhook_events follows every change made here too.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.subscriptions_sync(workspace_id=obj.workspace_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.subscriptions_sync(workspace_id=obj.workspace_id)

    def delete_queryset(self, request, queryset):
        workspace_ids = set(queryset.values_list("workspace_id", flat=True))
        super().delete_queryset(request, queryset)
        for workspace_id in workspace_ids:
            services.subscriptions_sync(workspace_id=workspace_id)

    def has_add_permission(self, request):
        # The secret is shown once, to the admin who adds the endpoint on the workspace's settings page.
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "attempted_at", "status_code", "response_ms", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WorkspaceScopedAdmin):
    list_display = ["event", "endpoint", "workspace", "status", "attempts", "last_status_code", "created_at",
                    "next_attempt_at"]
    list_filter = ["status", "event", "workspace"]
    search_fields = ["event_id", "endpoint__name"]
    list_select_related = ["endpoint", "workspace"]
    readonly_fields = ["workspace", "endpoint", "event_id", "event", "payload", "attempts", "last_status_code",
                       "last_response_ms", "last_error", "created_at", "delivered_at"]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False
