"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path  # noqa: F401

from . import views  # noqa: F401

app_name = "touchpoints"

urlpatterns: list = []
