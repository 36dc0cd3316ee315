"""The signed token in every public survey form, standing in for Django's CSRF cookie.

Why not the CSRF middleware: the survey must work inside an iframe on the brand's site, where
browsers block third-party cookies, so a cookie-based CSRF check would reject every embedded
submission. A cross-site forgery against an anonymous survey could only submit answers, which anyone
can do on the page itself; what has to be stopped is a form built without loading the page and
replayed forever, and double submissions. So the view is csrf_exempt and instead verifies this token:
signed with SECRET_KEY (salted for this use), tied to the link's token, carrying the submission key,
and valid for a day.
"""

from django.core import signing

SALT = "cxm.surveys.form-token"
MAX_AGE = 24 * 60 * 60


def form_token_make(*, link_token: str, submission_key: str) -> str:
    return signing.dumps([link_token, submission_key], salt=SALT)


def form_token_read(value: str, *, link_token: str) -> str:
    """The submission key in a token made for this link. Raises signing.SignatureExpired for an old
    token and signing.BadSignature for a missing, forged or foreign one."""
    payload = signing.loads(value or "", salt=SALT, max_age=MAX_AGE)
    if (not isinstance(payload, list) or len(payload) != 2 or payload[0] != link_token
            or not isinstance(payload[1], str) or not payload[1]):
        raise signing.BadSignature("the token was made for another survey link")
    return payload[1]
