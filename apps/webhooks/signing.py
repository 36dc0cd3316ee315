"""The webhook signature: HMAC-SHA256 over "<unix timestamp>.<raw body>", sent as

    X-Cxm-Signature: t=1718000000,v1=5f2c…

Right after a secret rotation the header carries one v1 per valid secret (new first); a receiver
accepts the request when any of them matches. `verify` is what a receiver does, written out in the
settings page and the README in a few lines."""

import hashlib
import hmac
import time

HEADER = "X-Cxm-Signature"
# Receivers should refuse older timestamps, so a captured request cannot be replayed later.
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(secret, timestamp, body)}" for secret in secrets)])


def verify(secret: str, header: str, body: bytes, *, tolerance: int = REPLAY_WINDOW_SECONDS,
           now: float | None = None) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance` seconds."""
    parts = [part.split("=", 1) for part in (header or "").split(",") if "=" in part]
    timestamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        return False
    timestamp = int(timestamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


# What a receiver runs, shown on the settings page and in the README; a test runs this very text.
RECEIVER_SNIPPET = '''import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """header: the X-Cxm-Signature value; body: the raw request body, before parsing the JSON."""
    items = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamp = next((value for key, value in items if key == "t"), "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # missing or too old: refuse replays
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, value in items if key == "v1")
'''
