"""Content-Security-Policy on every response.

Scripts come only from this site's own static files: no inline <script>, no event-handler attributes, no
eval (tests/test_csp.py scans the templates). Style sheets come only from this site too; inline *style
attributes* stay allowed (style-src-attr) because templates use them for data — brand colours, score hues,
bar widths — and a style attribute cannot run script. <style> elements are refused.

frame-ancestors follows X-Frame-Options (DENY → 'none', SAMEORIGIN → 'self'). A view that sets its own
frame-ancestors (the survey pages, framed by the workspace's own sites, see
apps/surveys/public_views.allow_framing) keeps it; the other directives are added around it.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HEADER = "Content-Security-Policy"


def parse(policy: str) -> dict[str, str]:
    """{"frame-ancestors": "'self' https://a.example", …} from a header value."""
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.strip()
    return directives


# Every response asks, with a handful of distinct arguments (the workspaces' embed origins): each header value
# is built once per process and setting.
@lru_cache(maxsize=512)
def build(own: str = "", x_frame_options: str = "") -> str:
    directives = {**DIRECTIVES, **getattr(settings, "CSP_DIRECTIVES", {})}
    # The view's own frame-ancestors wins; a page that allows same-origin framing (X-Frame-Options:
    # SAMEORIGIN, e.g. the survey builder's live preview) gets 'self'; everything else the site-wide 'none'.
    frame_ancestors = parse(own).get("frame-ancestors")
    if frame_ancestors:
        directives["frame-ancestors"] = frame_ancestors
    elif x_frame_options.upper() == "SAMEORIGIN":
        directives["frame-ancestors"] = "'self'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


@receiver(setting_changed)
def _forget_built(*, setting, **kwargs):
    if setting == "CSP_DIRECTIVES":
        build.cache_clear()


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response[HEADER] = build(response.get(HEADER, ""), response.get("X-Frame-Options", ""))
        return response
