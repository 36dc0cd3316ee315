import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

HANGUL = re.compile("[\uac00-\ud7a3]")


class User(AbstractUser):
    """A person who signs in: marketer, analyst or operator. Customers never have one."""

    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True,
                                help_text=_("Interface language; empty follows the browser."))
    last_workspace = models.ForeignKey("workspaces.Workspace", verbose_name=_("last workspace"),
                                       null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Invitations and password resets find people by e-mail; two accounts on one address
            # would make both ambiguous.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique",
                                    condition=~models.Q(email="")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        first, last = self.first_name.strip(), self.last_name.strip()
        # Korean names read family name first, without a space: 김민지, not 민지 김.
        if first and last and HANGUL.search(first + last):
            return f"{last}{first}"
        return " ".join(part for part in (first, last) if part)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
