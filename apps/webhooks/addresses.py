"""Which endpoint URLs cxm may call. Only http and https; in production no loopback, private,
link-local or otherwise internal address (the metadata service, the database), checked when the URL
is saved and again before every request, since DNS can change in between."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(_("The host %(host)s could not be found.") % {"host": host}) from error


def check_url(url: str) -> None:
    """Raise ValidationError (in the user's language) for a URL cxm must not send to."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("Use an http:// or https:// address."))
    if not parts.hostname:
        raise ValidationError(_("The address has no host name."))
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address; the signature authenticates cxm."))
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise ValidationError(_("The port in the address is not valid.")) from error
    if any(_is_internal(address) for address in _resolve(parts.hostname, port)):
        raise ValidationError(_("This address points into a private network (localhost, 10.x, 192.168.x …). "
                                "Webhooks go to systems reachable on the internet."))
