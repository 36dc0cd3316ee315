"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view.
The public survey pages (/s/<token>/, /r/<token>/) are routed in cxm/urls.py."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/status/", views.survey_change_status, name="survey_status"),
    path("surveys/<int:survey_id>/share/", views.survey_share, name="survey_share"),
    path("surveys/<int:survey_id>/qr.svg", views.survey_qr_svg, name="survey_qr_svg"),
    path("surveys/<int:survey_id>/qr.png", views.survey_qr_png, name="survey_qr_png"),
    path("surveys/<int:survey_id>/distributions/", views.distribution_list, name="distribution_list"),
    path("surveys/<int:survey_id>/distributions/new/", views.distribution_create, name="distribution_create"),
    path("surveys/<int:survey_id>/distributions/<int:distribution_id>/", views.distribution_detail,
         name="distribution_detail"),
]
