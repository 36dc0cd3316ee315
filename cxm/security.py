"""The one secret a deployment must provide: refuse to serve without it."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MESSAGE = "SECRET_KEY must be set when DEBUG is off."


def secret_key_missing() -> bool:
    return not (settings.DEBUG or settings.TESTING or settings.SECRET_KEY_FROM_ENV)


def require_secret_key(**_signal_kwargs) -> None:
    """Called when a web process (wsgi/asgi) or a Celery worker or beat starts."""
    if secret_key_missing():
        raise ImproperlyConfigured(MESSAGE)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs):
    if secret_key_missing():
        return [checks.Error(MESSAGE, hint="Export SECRET_KEY (50+ random characters).", id="cxm.E001")]
    return []
