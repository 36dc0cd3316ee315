"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("feedback/", views.inbox, name="inbox"),
    path("feedback/tag/", views.bulk_tag, name="bulk_tag"),
    path("feedback/themes/", views.themes, name="themes"),
    path("feedback/themes/manage/", views.theme_manage, name="theme_manage"),
    path("feedback/themes/<int:theme_id>/", views.theme_edit, name="theme_edit"),
    path("feedback/text-analysis/", views.text_analysis, name="text_analysis"),
    path("feedback/text-analysis/progress/", views.text_analysis_progress, name="text_analysis_progress"),
    path("feedback/import/", views.feedback_import, name="import"),
    path("feedback/imports/<int:feedback_import_id>/", views.import_detail, name="import_detail"),
    path("feedback/tags/", views.tag_list, name="tag_list"),
    path("feedback/tags/<int:tag_id>/rule/", views.tag_rule, name="tag_rule"),
    path("feedback/tags/<int:tag_id>/delete/", views.tag_delete, name="tag_delete"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/mine/", views.my_cases, name="my_cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/status/", views.case_status, name="case_status"),
    path("cases/<int:case_id>/notes/", views.case_note, name="case_note"),
    path("cases/<int:case_id>/assign/", views.case_assign, name="case_assign"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/rules/new/", views.alert_rule_create, name="alert_rule_create"),
    path("alerts/rules/<int:rule_id>/", views.alert_rule_edit, name="alert_rule_edit"),
    path("alerts/rules/<int:rule_id>/delete/", views.alert_rule_delete, name="alert_rule_delete"),
]
