from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import AdminLoginForm
from apps.api.api import api
from apps.surveys import public_views as survey_views
from apps.workspaces import views as workspace_views

from . import views

admin.site.site_header = _("cxm operations")
admin.site.site_title = _("cxm admin")
admin.site.index_title = _("Set-up and support")
admin.site.login_form = AdminLoginForm

# Every marketer page lives under /w/<workspace_slug>/; each app adds its routes here.
workspace_patterns = [
    path("", include("apps.kpis.urls")),
    path("", include("apps.workspaces.urls")),
    path("", include("apps.touchpoints.urls")),
    path("", include("apps.customers.urls")),
    path("", include("apps.surveys.urls")),
    path("", include("apps.feedback.urls")),
    path("", include("apps.nps.urls")),
    path("", include("apps.api.urls")),
    path("", include("apps.errc.urls")),
    path("", include("apps.webhooks.urls")),
    path("", include("apps.outbox.urls")),
]

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("apps.accounts.urls")),
    path("workspaces/new/", workspace_views.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", workspace_views.accept_invitation, name="accept_invitation"),
    path("w/<slug:workspace_slug>/", include(workspace_patterns)),
    # Public survey pages: the survey's link (also embedded and behind QR codes) and personal links.
    path("s/<str:token>/", survey_views.public_survey, name="public_survey"),
    path("r/<str:token>/", survey_views.personal_survey, name="personal_survey"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "cxm.views.bad_request"
handler403 = "cxm.views.permission_denied"
handler404 = "cxm.views.page_not_found"
handler500 = "cxm.views.server_error"
