"""Routes under /w/<workspace_slug>/. Every view here must be wrapped by workspace_view."""

from django.urls import path

from . import views

app_name = "workspaces"

urlpatterns = [
    path("settings/", views.workspace_settings, name="settings"),
    path("settings/data/", views.workspace_data, name="data"),
    path("settings/data/export/", views.workspace_export_create, name="export_create"),
    path("settings/data/exports/<int:export_id>/", views.workspace_export_status, name="export_status"),
    path("settings/data/exports/<int:export_id>/download/", views.workspace_export_download, name="export_download"),
    path("settings/data/delete/", views.workspace_delete, name="delete"),
    path("settings/data/restore/", views.workspace_restore, name="restore"),
    path("members/", views.member_list, name="members"),
    path("audit/", views.audit_log, name="audit"),
    path("members/invite/", views.invite_member, name="invite"),
    path("members/<int:member_id>/role/", views.change_member_role, name="member_role"),
    path("members/<int:member_id>/remove/", views.remove_member, name="member_remove"),
    path("invitations/<int:invitation_id>/resend/", views.resend_invitation, name="invitation_resend"),
    path("invitations/<int:invitation_id>/revoke/", views.revoke_invitation, name="invitation_revoke"),
]
