"""Routes under /w/<workspace_slug>/settings/webhooks/. Every view here is behind workspace_view(role=ADMIN)."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("settings/webhooks/new/", views.endpoint_create, name="endpoint_create"),
    path("settings/webhooks/<int:endpoint_id>/", views.endpoint_detail, name="endpoint_detail"),
    path("settings/webhooks/<int:endpoint_id>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("settings/webhooks/<int:endpoint_id>/secret/", views.endpoint_secret, name="endpoint_secret"),
    path("settings/webhooks/<int:endpoint_id>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("settings/webhooks/<int:endpoint_id>/test/", views.endpoint_test, name="endpoint_test"),
    path("settings/webhooks/<int:endpoint_id>/status/", views.endpoint_status, name="endpoint_status"),
    path("settings/webhooks/<int:endpoint_id>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("settings/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/", views.delivery_detail,
         name="delivery_detail"),
    path("settings/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/", views.delivery_redeliver,
         name="delivery_redeliver"),
]
