import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.settings")
django.setup(set_prefix=False)

from cxm.handlers import CxmWSGIHandler  # noqa: E402 - needs the settings loaded above
from cxm.security import require_secret_key  # noqa: E402

# Django's WSGIHandler, with the customer-facing survey pages on their own short middleware chain.
application = CxmWSGIHandler()

require_secret_key()
