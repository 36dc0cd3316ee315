"""Django's password validators with cxm's own wording, so each message reads naturally in Korean too
(settings.AUTH_PASSWORD_VALIDATORS lists these)."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def __init__(self, min_length: int = 10):
        super().__init__(min_length=min_length)

    def get_error_message(self):
        return ngettext("This password is too short: use at least %(min_length)d character.",
                        "This password is too short: use at least %(min_length)d characters.",
                        self.min_length) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext("At least %(min_length)d character.", "At least %(min_length)d characters.",
                        self.min_length) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("This password is too close to your account details (%(verbose_name)s).")

    def get_help_text(self):
        return _("Not close to your name, username or e-mail address.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("This password is on the list of commonly used passwords; choose a less predictable one.")

    def get_help_text(self):
        return _("Not a commonly used password.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("This password has only digits; add letters or symbols.")

    def get_help_text(self):
        return _("Not only digits.")
