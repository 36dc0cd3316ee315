"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view.
The public survey pages (/s/<token>/, /r/<token>/) are routed in cxm/urls.py."""

from django.urls import path

from . import views, wave_views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/status/", views.survey_change_status, name="survey_status"),
    path("surveys/<int:survey_id>/share/", views.survey_share, name="survey_share"),
    path("surveys/<int:survey_id>/qr.svg", views.survey_qr_svg, name="survey_qr_svg"),
    path("surveys/<int:survey_id>/qr.png", views.survey_qr_png, name="survey_qr_png"),
    path("surveys/<int:survey_id>/edit/", views.survey_builder, name="survey_builder"),
    path("surveys/<int:survey_id>/preview/", views.survey_preview, name="survey_preview"),
    path("surveys/<int:survey_id>/duplicate/", views.survey_duplicate, name="survey_duplicate"),
    path("surveys/<int:survey_id>/questions/new/", views.question_create, name="question_create"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/delete/", views.question_delete,
         name="question_delete"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/restore/", views.question_restore,
         name="question_restore"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/choices/new/", views.choice_create,
         name="choice_create"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/", views.choice_edit,
         name="choice_edit"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/delete/",
         views.choice_delete, name="choice_delete"),
    path("surveys/<int:survey_id>/quotas/new/", views.quota_create, name="quota_create"),
    path("surveys/<int:survey_id>/quotas/<int:quota_id>/delete/", views.quota_delete, name="quota_delete"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/drop-off/", views.survey_dropoff, name="survey_dropoff"),
    path("surveys/<int:survey_id>/responses/unfinished/", views.unfinished_list, name="unfinished_list"),
    path("surveys/<int:survey_id>/responses/", views.response_list, name="response_list"),
    path("surveys/<int:survey_id>/responses/<int:response_id>/", views.response_detail, name="response_detail"),
    path("surveys/<int:survey_id>/export.csv", views.responses_export_csv, name="responses_export_csv"),
    path("surveys/<int:survey_id>/export.xlsx", views.responses_export_xlsx, name="responses_export_xlsx"),
    path("surveys/<int:survey_id>/distributions/", views.distribution_list, name="distribution_list"),
    path("surveys/<int:survey_id>/distributions/new/", views.distribution_create, name="distribution_create"),
    path("surveys/<int:survey_id>/distributions/<int:distribution_id>/", views.distribution_detail,
         name="distribution_detail"),
    path("surveys/<int:survey_id>/waves/", wave_views.wave_schedule_list, name="wave_schedule_list"),
    path("surveys/<int:survey_id>/waves/new/", wave_views.wave_schedule_create, name="wave_schedule_create"),
    path("surveys/<int:survey_id>/waves/<int:schedule_id>/", wave_views.wave_schedule_edit, name="wave_schedule_edit"),
    path("surveys/<int:survey_id>/waves/<int:schedule_id>/status/", wave_views.wave_schedule_status,
         name="wave_schedule_status"),
]
