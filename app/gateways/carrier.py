"""Carrier webhooks (API.md): HMAC-SHA256 over `timestamp + "." + body`, five minutes of tolerance."""
from __future__ import annotations

import hashlib
import hmac

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str | None, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str | None:
    """None when genuine and fresh, else why not (for the log; the caller answers 401 either way)."""
    if not secret:
        return "no secret configured for this carrier"
    if not timestamp or not signature:
        return "missing X-Timestamp or X-Signature"
    try:
        sent = int(timestamp)
    except ValueError:
        return "X-Timestamp is not a Unix time"
    if abs(now - sent) > TOLERANCE_SECONDS:
        return "stale timestamp"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().lower().encode()):
        return "bad signature"
    return None
