"""Routes under /w/<workspace_slug>/settings/emails/, for admins."""

from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("settings/emails/", views.email_list, name="email_list"),
    path("settings/emails/<int:email_id>/resend/", views.email_resend, name="email_resend"),
]
