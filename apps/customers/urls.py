"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/export/", views.customer_export, name="customer_export"),
    path("customers/import/", views.customer_import, name="customer_import"),
    path("customers/imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("customers/imports/<int:import_id>/retry/", views.import_retry, name="import_retry"),
    path("customers/imports/<int:import_id>/errors.csv", views.import_error_rows, name="import_error_rows"),
    path("customers/segments/", views.segment_list, name="segment_list"),
    path("customers/segments/new/", views.segment_create, name="segment_create"),
    path("customers/segments/count/", views.segment_count, name="segment_count"),
    path("customers/segments/<int:segment_id>/", views.segment_edit, name="segment_edit"),
    path("customers/segments/<int:segment_id>/delete/", views.segment_delete, name="segment_delete"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/erase/", views.customer_erase, name="customer_erase"),
]
