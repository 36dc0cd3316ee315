from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import Journey, Persona, Stage, Touchpoint


@admin.register(Persona)
class PersonaAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "segment_rule", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name", "description"]


class StageInline(admin.TabularInline):
    model = Stage
    fields = ["position", "name_en", "name_ko", "workspace"]
    extra = 0


@admin.register(Journey)
class JourneyAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "persona", "template", "created_at"]
    list_filter = ["workspace", "template"]
    search_fields = ["name", "description"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(WorkspaceScopedAdmin):
    list_display = ["name_en", "name_ko", "journey", "position", "workspace"]
    list_filter = ["workspace", "journey"]
    search_fields = ["name_en", "name_ko", "journey__name"]
    list_select_related = ["journey", "workspace"]


@admin.register(Touchpoint)
class TouchpointAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "journey", "stage", "channel", "owner", "is_active", "archived_at"]
    list_filter = ["workspace", "channel", "is_active", "journey"]
    search_fields = ["name", "description", "journey__name"]
    raw_id_fields = ["stage", "journey", "owner"]
    list_select_related = ["journey", "stage", "owner"]
