from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "apps.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from apps.outbox.services import settled_hook_register

        from . import signals  # noqa: F401  (connects the receivers)
        from .services import invitation_email_settled

        settled_hook_register("survey_invitation", invitation_email_settled)
