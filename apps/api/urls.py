"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("api-keys/", views.key_list, name="key_list"),
    path("api-keys/new/", views.key_create, name="key_create"),
    path("api-keys/<int:api_key_id>/created/", views.key_created, name="key_created"),
    path("api-keys/<int:api_key_id>/revoke/", views.key_revoke, name="key_revoke"),
]
