from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NpsConfig(AppConfig):
    name = "apps.nps"
    label = "nps"
    verbose_name = _("NPS analytics")
