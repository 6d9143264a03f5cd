"""Object keys are made by the server, never from a user's filename."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

_SAFE = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,250}$")


def new_key(prefix: str, moment: datetime, suffix: str = "") -> str:
    """`uploads/2026/11/23/<128 random bits><suffix>`: unguessable and spread over prefixes."""
    key = f"{prefix}/{moment:%Y/%m/%d}/{secrets.token_hex(16)}{suffix}"
    check_key(key)
    return key


def check_key(key: str) -> str:
    if not _SAFE.match(key) or ".." in key or "//" in key:
        raise ValueError(f"unsafe object key {key!r}")
    return key
