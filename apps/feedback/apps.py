from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _rules_changed(sender, **kwargs) -> None:
    from .services import kept_text_rules

    kept_text_rules.forget()


class FeedbackConfig(AppConfig):
    name = "apps.feedback"
    label = "feedback"
    verbose_name = _("Feedback and follow-up")

    def ready(self) -> None:
        from .models import AlertRule, TagRule

        # The submissions of this process match comments against the rules as saved (services._text_rules).
        for model in (TagRule, AlertRule):
            for signal in (post_save, post_delete):
                signal.connect(_rules_changed, sender=model, dispatch_uid=f"feedback-{model.__name__}-forget")
