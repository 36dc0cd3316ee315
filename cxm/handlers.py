"""The customer-facing survey pages run through a shorter middleware chain than the rest of the site.

Every survey answer is one of these requests, so each middleware on them is paid hundreds of times a
second. The pages are anonymous and cookie-free (apps/surveys/public_views.py): sessions, CSRF cookies,
users, messages and htmx have nothing to do there. What every response needs stays: the security headers,
the content security policy, the language, host and slash handling, and X-Frame-Options on error pages.
The admin, the marketer pages and the API keep settings.MIDDLEWARE.
"""

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler

# The routes of cxm/urls.py that public_views serve (checked by tests/test_handlers.py).
PUBLIC_PATH_PREFIXES = ("/s/", "/r/")


class _PublicChain(BaseHandler):
    def load_middleware(self, is_async=False):
        # BaseHandler builds its chain from settings.MIDDLEWARE; this runs once, as the process starts.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.PUBLIC_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class PublicPathsMixin:
    """Route the public survey paths to their own chain; everything else to the full one."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async)
        self._public_chain = _PublicChain()
        self._public_chain.load_middleware(is_async)

    def get_response(self, request):
        if request.path_info.startswith(PUBLIC_PATH_PREFIXES):
            return self._public_chain.get_response(request)
        return super().get_response(request)


class CxmWSGIHandler(PublicPathsMixin, WSGIHandler):
    pass
