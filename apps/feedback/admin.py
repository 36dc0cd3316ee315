from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import (
    Alert,
    AlertRule,
    AlertState,
    CaseEvent,
    FeedbackImport,
    FeedbackItem,
    FeedbackTag,
    FeedbackTheme,
    FollowUpCase,
    Reanalysis,
    Tag,
    TagRule,
    Theme,
    WorkspaceTextModel,
)


class ThemeOriginFilter(admin.SimpleListFilter):
    """Themes from the shared Korean/English vocabulary, or nouns taken from the text as they are."""

    title = _("origin")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("vocabulary", _("Vocabulary")), ("text", _("Noun from the text"))]

    def queryset(self, request, queryset):
        from .analysis import CANONICAL_THEMES

        field = "key__in" if queryset.model is Theme else "theme__key__in"
        if self.value() == "vocabulary":
            return queryset.filter(**{field: list(CANONICAL_THEMES)})
        if self.value() == "text":
            return queryset.exclude(**{field: list(CANONICAL_THEMES)})
        return queryset


@admin.register(FeedbackItem)
class FeedbackItemAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "source", "score_group", "sentiment_label", "unmet_need", "language",
                    "analysis_version", "created_at"]
    list_filter = ["workspace", "source", "score_group", "sentiment_label", "unmet_need", "language",
                   "analysis_version", "created_at"]
    search_fields = ["text", "external_id"]
    list_select_related = ["workspace"]
    raw_id_fields = ["customer", "touchpoint", "survey", "response", "answer", "feedback_import"]
    readonly_fields = ["sentiment_confidence", "analysis_version", "analysis_error", "analysed_at"]


@admin.register(Tag)
class TagAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "colour", "created_at"]
    list_filter = ["workspace", "created_at"]
    search_fields = ["name"]
    list_select_related = ["workspace"]


@admin.register(TagRule)
class TagRuleAdmin(WorkspaceScopedAdmin):
    list_display = ["tag", "workspace", "is_active", "updated_at"]
    list_filter = ["workspace", "is_active"]
    search_fields = ["tag__name", "keywords"]
    list_select_related = ["tag", "workspace"]


@admin.register(FeedbackTag)
class FeedbackTagAdmin(WorkspaceScopedAdmin):
    list_display = ["item", "tag", "auto", "workspace"]
    list_filter = ["workspace", "auto"]
    search_fields = ["tag__name", "item__text"]
    raw_id_fields = ["item", "tag"]
    list_select_related = ["item", "tag", "workspace"]


@admin.register(Theme)
class ThemeAdmin(WorkspaceScopedAdmin):
    list_display = ["key", "label_ko", "label_en", "workspace"]
    list_filter = ["workspace", ThemeOriginFilter]
    search_fields = ["key", "label_ko", "label_en"]
    list_select_related = ["workspace"]


@admin.register(FeedbackTheme)
class FeedbackThemeAdmin(WorkspaceScopedAdmin):
    list_display = ["item", "theme", "sentiment_label", "unmet_need", "workspace"]
    list_filter = ["workspace", ThemeOriginFilter, "sentiment_label", "unmet_need"]
    search_fields = ["theme__key", "item__text"]
    raw_id_fields = ["item", "theme"]
    list_select_related = ["item", "theme", "workspace"]


@admin.register(FeedbackImport)
class FeedbackImportAdmin(WorkspaceScopedAdmin):
    list_display = ["file_name", "workspace", "status", "total_rows", "created_count", "error_count", "created_at"]
    list_filter = ["workspace", "status", "created_at"]
    search_fields = ["file_name"]
    exclude = ["content"]
    readonly_fields = ["errors", "failure_code", "failure_params"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["created_at", "kind", "author", "from_status", "to_status", "assignee", "text"]
    readonly_fields = fields
    can_delete = False


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "status", "reason", "assignee", "nps_score", "due_at", "created_at",
                    "closed_at"]
    list_filter = ["workspace", "status", "reason", "created_at"]
    search_fields = ["customer__external_id", "customer__name", "assignee__username", "feedback_item__text"]
    raw_id_fields = ["response", "feedback_item", "customer", "touchpoint", "survey", "assignee", "alert_rule"]
    list_select_related = ["workspace", "assignee"]
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(WorkspaceScopedAdmin):
    list_display = ["case", "kind", "author", "to_status", "created_at", "workspace"]
    list_filter = ["workspace", "kind", "created_at"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["case", "author", "assignee"]
    list_select_related = ["case", "author", "workspace"]


@admin.register(AlertRule)
class AlertRuleAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "kind", "touchpoint", "threshold", "min_responses", "is_active"]
    list_filter = ["workspace", "kind", "is_active"]
    search_fields = ["name", "keywords"]
    raw_id_fields = ["touchpoint", "created_by"]
    list_select_related = ["workspace", "touchpoint"]


@admin.register(AlertState)
class AlertStateAdmin(WorkspaceScopedAdmin):
    list_display = ["rule", "scope_key", "period_key", "is_breached", "value", "sample_size", "checked_at"]
    list_filter = ["workspace", "is_breached"]
    search_fields = ["rule__name"]
    raw_id_fields = ["rule", "touchpoint"]
    list_select_related = ["rule"]


@admin.register(Alert)
class AlertAdmin(WorkspaceScopedAdmin):
    list_display = ["rule", "workspace", "touchpoint", "value", "threshold", "sample_size", "status", "fired_at",
                    "recovered_at"]
    list_filter = ["workspace", "status", "fired_at"]
    search_fields = ["rule__name", "touchpoint__name"]
    raw_id_fields = ["rule", "touchpoint", "acknowledged_by"]
    list_select_related = ["rule", "workspace", "touchpoint"]


@admin.register(WorkspaceTextModel)
class WorkspaceTextModelAdmin(WorkspaceScopedAdmin):
    """Derived from the workspace's scored comments by a job: operators may turn it off or clear it."""

    list_display = ["workspace", "enabled", "version", "trained_on", "held_out_accuracy", "base_held_out_accuracy",
                    "trained_at"]
    list_filter = ["enabled"]
    list_select_related = ["workspace"]
    readonly_fields = ["version", "trained_on", "held_out", "held_out_accuracy", "base_held_out_accuracy",
                       "trained_at", "error"]

    def has_add_permission(self, request):
        return False


@admin.register(Reanalysis)
class ReanalysisAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "reason", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["workspace"]
    readonly_fields = ["total", "done", "created_at", "finished_at", "error"]
    raw_id_fields = ["requested_by"]

    def has_add_permission(self, request):
        return False
