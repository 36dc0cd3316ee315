from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import Response, Survey


@admin.register(Survey)
class SurveyAdmin(WorkspaceScopedAdmin):
    list_display = ["title", "workspace", "touchpoint", "language", "status", "created_at"]
    list_filter = ["status", "language", "workspace"]
    search_fields = ["title", "workspace__name"]
    readonly_fields = ["token"]
    raw_id_fields = ["touchpoint"]
    list_select_related = ["workspace", "touchpoint"]


@admin.register(Response)
class ResponseAdmin(WorkspaceScopedAdmin):
    list_display = ["submitted_at", "workspace", "survey", "touchpoint", "nps_score", "csat_score", "ces_score"]
    list_filter = ["workspace", "language", "channel", "submitted_at"]
    search_fields = ["comment", "survey__title"]
    raw_id_fields = ["survey", "touchpoint", "customer"]
    list_select_related = ["workspace", "survey", "touchpoint"]
    date_hierarchy = "submitted_at"
