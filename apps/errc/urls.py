"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path

from . import views

app_name = "errc"

urlpatterns = [
    path("errc/", views.board_list, name="board_list"),
    path("errc/<int:board_id>/", views.board_detail, name="board_detail"),
    path("errc/<int:board_id>/edit/", views.board_edit, name="board_edit"),
    path("errc/<int:board_id>/items/new/", views.item_create, name="item_create"),
    path("errc/<int:board_id>/proposals/refresh/", views.proposals_refresh, name="proposals_refresh"),
    path("errc/proposals/<int:proposal_id>/accept/", views.proposal_accept, name="proposal_accept"),
    path("errc/proposals/<int:proposal_id>/dismiss/", views.proposal_dismiss, name="proposal_dismiss"),
    path("errc/items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("errc/items/<int:item_id>/move/", views.item_move, name="item_move"),
    path("errc/items/<int:item_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("errc/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
