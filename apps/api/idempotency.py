"""Idempotency-Key: a client that retries a POST (a timeout, a dropped connection) sends the same key,
and gets the answer of the first attempt instead of a second write."""

import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import ApiConflict, ApiInputError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII without spaces, as most clients generate


def request_hash(endpoint: str, body: bytes) -> str:
    return hashlib.sha256(endpoint.encode() + b"\n" + body).hexdigest()


def _replay(record: IdempotencyRecord, endpoint: str, digest: str) -> tuple[int, dict, bool]:
    if record.endpoint != endpoint or record.request_hash != digest:
        raise ApiConflict(_("This Idempotency-Key was already used with another request. Use a new key for a "
                            "new request."))
    return record.status_code, record.response_body, True


def run(request, *, endpoint: str, handler: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    """Run `handler` (which returns a status and a JSON body, or raises) once per Idempotency-Key.

    Returns (status, body, replayed). Without the header the handler simply runs. With it, the key is
    claimed by inserting its row in the same transaction as the handler's writes: a concurrent retry
    waits on the unique constraint and then replays, and a handler that fails (invalid input) leaves no
    row, so the client can fix the request and send it again with the same key."""
    key = request.headers.get(HEADER)
    if key is None:
        status, body = handler()
        return status, body, False
    if not KEY.fullmatch(key):
        raise ApiInputError([(HEADER, _("Use 1 to 255 printable characters without spaces."))])
    workspace = request.workspace
    digest = request_hash(endpoint, request.body)
    records = IdempotencyRecord.objects.for_workspace(workspace)
    existing = records.filter(key=key).first()
    if existing is not None:
        if not existing.is_expired:
            return _replay(existing, endpoint, digest)
        existing.delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(workspace=workspace, key=key, endpoint=endpoint,
                                                      request_hash=digest, status_code=0,
                                                      api_key=getattr(request, "api_key", None))
            status, body = handler()
            record.status_code, record.response_body = status, body
            record.save(update_fields=["status_code", "response_body"])
    except IntegrityError:
        existing = records.filter(key=key).first()
        if existing is None:
            raise
        return _replay(existing, endpoint, digest)
    return status, body, False


def purge_expired() -> int:
    """Delete the records older than IDEMPOTENCY_TTL; returns how many."""
    deleted, _details = IdempotencyRecord.objects.expired().delete()
    return deleted
