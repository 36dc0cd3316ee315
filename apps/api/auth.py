"""Authorization: Bearer cxm_… — the key's workspace scopes everything the request reaches."""

import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from apps.workspaces.models import ApiKey

from . import services

RATE_LIMIT_PER_MINUTE = 120
WINDOW_SECONDS = 60


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiKey | None:
        api_key = ApiKey.authenticate(token.strip())
        if api_key is None:
            return None
        services.api_key_mark_used(api_key=api_key)
        # Endpoints read the workspace from here and from nowhere else: never from the request's data.
        request.workspace = api_key.workspace
        request.api_key = api_key
        return api_key


class ApiKeyThrottle(BaseThrottle):
    """A fixed one-minute window per key, counted in Django's cache (Redis in production, so every web
    process shares the count). Runs after authentication; unauthenticated requests never get this far."""

    def limit(self) -> int:
        return getattr(settings, "API_RATE_LIMIT_PER_MINUTE", RATE_LIMIT_PER_MINUTE)

    def allow_request(self, request) -> bool:
        api_key = getattr(request, "auth", None)
        if not isinstance(api_key, ApiKey):
            return True
        window = int(time.time() // WINDOW_SECONDS)
        key = f"api:rate:{api_key.pk}:{window}"
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
                count = 1
        return count <= self.limit()

    def wait(self) -> float:
        """Seconds until the window ends (at least one)."""
        return max(1.0, WINDOW_SECONDS - time.time() % WINDOW_SECONDS)
