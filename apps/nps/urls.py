"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path

from . import views

app_name = "nps"

urlpatterns = [
    path("nps/", views.nps_report, name="report"),
]
