from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import ErrcBoard, ErrcItem, ErrcItemTouchpoint, ErrcProposal, ItemEvidence


@admin.register(ErrcBoard)
class ErrcBoardAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "journey", "created_by", "created_at"]
    list_filter = ["workspace", "created_at"]
    search_fields = ["name", "description", "workspace__name"]
    list_select_related = ["workspace", "journey", "created_by"]
    raw_id_fields = ["journey", "created_by"]


class ErrcItemTouchpointInline(admin.TabularInline):
    model = ErrcItemTouchpoint
    fields = ["touchpoint"]
    raw_id_fields = ["touchpoint"]
    extra = 0


@admin.register(ErrcItem)
class ErrcItemAdmin(WorkspaceScopedAdmin):
    list_display = ["title", "board", "quadrant", "status", "owner", "due_date", "done_at"]
    list_filter = ["quadrant", "status", "workspace"]
    search_fields = ["title", "description", "board__name"]
    list_select_related = ["board", "owner"]
    raw_id_fields = ["board", "owner"]
    inlines = [ErrcItemTouchpointInline]

    def save_formset(self, request, form, formset, change):
        # A touchpoint link belongs to its item's workspace (the inline has no workspace field).
        for link in formset.save(commit=False):
            link.workspace = form.instance.workspace
            link.save()
        for link in formset.deleted_objects:
            link.delete()


@admin.register(ItemEvidence)
class ItemEvidenceAdmin(WorkspaceScopedAdmin):
    list_display = ["item", "feedback_item", "created_by", "created_at"]
    list_filter = ["workspace", "created_at"]
    search_fields = ["note", "item__title", "feedback_item__text"]
    list_select_related = ["item", "feedback_item", "created_by"]
    raw_id_fields = ["item", "feedback_item", "created_by"]


@admin.register(ErrcProposal)
class ErrcProposalAdmin(WorkspaceScopedAdmin):
    list_display = ["title", "board", "quadrant", "state", "score", "updated_at"]
    list_filter = ["quadrant", "state", "workspace"]
    search_fields = ["title", "key", "board__name"]
    list_select_related = ["board"]
    raw_id_fields = ["board", "touchpoint", "theme", "item"]
