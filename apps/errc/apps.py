from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErrcConfig(AppConfig):
    name = "apps.errc"
    label = "errc"
    verbose_name = _("ERRC improvement boards")
