from django.contrib import admin

from apps.workspaces.admin import WorkspaceScopedAdmin

from .models import Answer, Choice, Distribution, PartialResponse, Question, Quota, Response, Survey, SurveyInvitation


class ParentWorkspaceInlinesAdmin(WorkspaceScopedAdmin):
    """Inline rows take their workspace from the parent object, so operators never pick it."""

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.workspace_id = form.instance.workspace_id
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "kind", "text", "required", "page_break", "is_hidden"]
    extra = 0
    show_change_link = True


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "text"]
    extra = 0


@admin.register(Survey)
class SurveyAdmin(ParentWorkspaceInlinesAdmin):
    list_display = ["title", "workspace", "touchpoint", "language", "status", "close_at", "response_cap", "created_at"]
    list_filter = ["status", "language", "template", "workspace"]
    search_fields = ["title", "token", "workspace__name"]
    # Set in the builder, where the marketer sees what they do.
    readonly_fields = ["token", "partial_valid_days", "count_partial_responses"]
    raw_id_fields = ["touchpoint", "created_by"]
    list_select_related = ["workspace", "touchpoint"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ParentWorkspaceInlinesAdmin):
    list_display = ["text", "survey", "position", "kind", "required", "condition_operator", "end_operator",
                    "page_break", "is_hidden", "workspace"]
    list_filter = ["kind", "required", "is_hidden", "workspace"]
    search_fields = ["text", "survey__title"]
    raw_id_fields = ["survey", "condition_question", "condition_choice", "end_choice"]
    list_select_related = ["survey", "workspace"]
    inlines = [ChoiceInline]


@admin.register(Choice)
class ChoiceAdmin(WorkspaceScopedAdmin):
    list_display = ["text", "question", "position", "workspace"]
    list_filter = ["question__kind", "workspace"]
    search_fields = ["text", "question__text"]
    raw_id_fields = ["question"]
    list_select_related = ["question", "workspace"]


@admin.register(Response)
class ResponseAdmin(WorkspaceScopedAdmin):
    list_display = ["submitted_at", "workspace", "survey", "touchpoint", "nps_score", "csat_score", "ces_score"]
    list_filter = ["workspace", "language", "channel", "submitted_at"]
    search_fields = ["comment", "survey__title", "submission_key"]
    raw_id_fields = ["survey", "touchpoint", "customer", "invitation"]
    readonly_fields = ["submission_key"]
    list_select_related = ["workspace", "survey", "touchpoint"]
    date_hierarchy = "submitted_at"


@admin.register(Answer)
class AnswerAdmin(WorkspaceScopedAdmin):
    list_display = ["response", "question", "number", "choice", "text", "workspace"]
    list_filter = ["question__kind", "workspace"]
    search_fields = ["text", "question__text", "choice__text"]
    raw_id_fields = ["response", "question", "choice"]
    list_select_related = ["response__survey", "question", "choice", "workspace"]


@admin.register(Distribution)
class DistributionAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "survey", "status", "recipient_count", "sent_count", "skipped_count", "answered_count",
                    "created_at", "workspace"]
    list_filter = ["status", "workspace", "created_at"]
    search_fields = ["name", "survey__title"]
    raw_id_fields = ["survey", "created_by"]
    readonly_fields = ["recipient_count", "sent_count", "skipped_count", "failed_count", "opened_count",
                       "answered_count", "finished_at"]
    list_select_related = ["survey", "workspace"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(WorkspaceScopedAdmin):
    list_display = ["customer", "survey", "distribution", "status", "skip_reason", "sent_at", "opened_at",
                    "answered_at", "expires_at"]
    list_filter = ["status", "skip_reason", "workspace", "sent_at"]
    search_fields = ["customer__email", "customer__external_id", "customer__name", "survey__title", "token"]
    raw_id_fields = ["distribution", "survey", "customer"]
    readonly_fields = ["token"]
    list_select_related = ["customer", "survey", "distribution"]


@admin.register(PartialResponse)
class PartialResponseAdmin(WorkspaceScopedAdmin):
    list_display = ["survey", "status", "language", "page", "reached_position", "updated_at", "expires_at", "workspace"]
    list_filter = ["status", "language", "workspace"]
    search_fields = ["survey__title", "resume_token"]
    raw_id_fields = ["survey", "invitation", "response"]
    readonly_fields = ["resume_token", "submission_key"]
    list_select_related = ["survey", "workspace"]


@admin.register(Quota)
class QuotaAdmin(WorkspaceScopedAdmin):
    list_display = ["survey", "field", "value", "limit", "completed", "workspace"]
    list_filter = ["field", "workspace"]
    search_fields = ["survey__title", "field", "value"]
    raw_id_fields = ["survey"]
    readonly_fields = ["completed"]
    list_select_related = ["survey", "workspace"]
