import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
application = get_asgi_application()

from cxm.security import require_secret_key  # noqa: E402 - settings are loaded above

require_secret_key()
