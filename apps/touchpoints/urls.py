"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view.

Stages and touchpoints have their own top-level paths rather than nesting under their journey: one id
per URL, loaded through the workspace, and nothing to keep consistent between two ids."""

from django.urls import path

from . import views

app_name = "touchpoints"

urlpatterns = [
    path("journeys/", views.journey_list, name="journey_list"),
    path("journeys/new/", views.journey_create, name="journey_create"),
    path("journeys/<int:journey_id>/", views.journey_map, name="journey_map"),
    path("journeys/<int:journey_id>/edit/", views.journey_edit, name="journey_edit"),
    path("journeys/<int:journey_id>/delete/", views.journey_delete, name="journey_delete"),
    path("journeys/<int:journey_id>/stages/new/", views.stage_create, name="stage_create"),
    path("stages/<int:stage_id>/edit/", views.stage_edit, name="stage_edit"),
    path("stages/<int:stage_id>/move/", views.stage_move, name="stage_move"),
    path("stages/<int:stage_id>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<int:stage_id>/touchpoints/new/", views.touchpoint_create, name="touchpoint_create"),
    path("touchpoints/<int:touchpoint_id>/edit/", views.touchpoint_edit, name="touchpoint_edit"),
    path("touchpoints/<int:touchpoint_id>/move/", views.touchpoint_move, name="touchpoint_move"),
    path("touchpoints/<int:touchpoint_id>/archive/", views.touchpoint_archive, name="touchpoint_archive"),
    path("touchpoints/<int:touchpoint_id>/restore/", views.touchpoint_restore, name="touchpoint_restore"),
    path("touchpoints/<int:touchpoint_id>/delete/", views.touchpoint_delete, name="touchpoint_delete"),
    path("personas/", views.persona_list, name="persona_list"),
    path("personas/new/", views.persona_create, name="persona_create"),
    path("personas/<int:persona_id>/edit/", views.persona_edit, name="persona_edit"),
    path("personas/<int:persona_id>/delete/", views.persona_delete, name="persona_delete"),
]
