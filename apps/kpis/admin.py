from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import DailyRollup, DirtySlice, InvitationRollup, SegmentRollup


class ReadOnlyRollupAdmin(WorkspaceScopedAdmin):
    """Rollups are derived data: inspect them here, rebuild them with `manage.py kpi_rebuild`."""

    list_filter = ["workspace", "day"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyRollupAdmin):
    list_display = ["day", "workspace", "survey", "touchpoint", "channel", "responses", "promoters", "detractors"]
    search_fields = ["survey__title", "touchpoint__name", "channel"]
    list_select_related = ["workspace", "survey", "touchpoint"]


@admin.register(SegmentRollup)
class SegmentRollupAdmin(ReadOnlyRollupAdmin):
    list_display = ["day", "workspace", "touchpoint", "attribute", "value", "responses", "promoters", "detractors"]
    list_filter = ["workspace", "attribute", "day"]
    search_fields = ["value", "touchpoint__name"]


@admin.register(InvitationRollup)
class InvitationRollupAdmin(ReadOnlyRollupAdmin):
    list_display = ["day", "workspace", "survey", "sent", "answered"]
    search_fields = ["survey__title"]


@admin.register(DirtySlice)
class DirtySliceAdmin(ReadOnlyRollupAdmin):
    list_display = ["day", "workspace", "marked_at"]
    search_fields = ["workspace__name"]
