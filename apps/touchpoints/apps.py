from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TouchpointsConfig(AppConfig):
    name = "apps.touchpoints"
    label = "touchpoints"
    verbose_name = _("Customer journeys")
