"""Field encryption for personal data (resident ID numbers), keyed hashes for look-ups, and staff
password hashing."""
from __future__ import annotations

import hashlib
import hmac
import os
from functools import cached_property

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from werkzeug.security import check_password_hash, generate_password_hash


def derive_key(secret: str | bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose, derived from a master secret (HKDF-SHA256)."""
    material = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"onetrip", info=purpose.encode()).derive(material)


class FieldCipher:
    """AES-256-GCM, a random 96-bit nonce per value; the column name is bound as associated data."""

    def __init__(self, master_key: bytes):
        self._aead = AESGCM(derive_key(master_key, "field-encryption"))
        self._lookup_key = derive_key(master_key, "field-lookup")

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def decrypt(self, blob: bytes, *, context: str) -> str:
        return self._aead.decrypt(blob[:12], blob[12:], context.encode()).decode()

    def lookup_hash(self, plaintext: str, *, context: str) -> str:
        """Deterministic, keyed: equal values find each other, the table alone reveals nothing."""
        return hmac.new(self._lookup_key, f"{context}:{plaintext}".encode(), hashlib.sha256).hexdigest()


# werkzeug's scrypt at its own default cost (N=2^15, r=8, p=1: ~0.1 s and 32 MB a check), for
# 等保's "passwords stored with a strong one-way function". Only a test configuration may lower it
# (create_app refuses anything else outside TESTING).
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"


class Passwords:
    """Staff passwords: hashed with one method, checked against whatever method a stored hash names
    (so lowering or raising the cost never locks an account out)."""

    def __init__(self, method: str = PASSWORD_HASH_METHOD):
        self.method = method

    def hash(self, password: str) -> str:
        return generate_password_hash(password, self.method)

    def check(self, hashed: str, password: str) -> bool:
        return check_password_hash(hashed, password)

    @cached_property
    def _dummy(self) -> str:
        return generate_password_hash("onetrip-no-such-user", self.method)

    def check_nothing(self, password: str) -> None:
        """Spend a check's time when there is no account to check against: an unknown username costs
        what a real account's check costs, so the time taken does not tell which names exist."""
        check_password_hash(self._dummy, password)


def token_hash(token: str) -> str:
    """Refresh tokens are 256-bit random strings: a plain SHA-256 suffices to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def mask_id_number(id_number: str | None) -> str | None:
    """3301**********1234: region prefix and last four only."""
    if not id_number:
        return None
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """138****0000."""
    if not phone:
        return None
    return phone[:3] + "****" + phone[-4:]


# -- citizens' views (API.md Conventions: ID numbers and phones never whole) ----------------------

MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def _kind(name: str, spec_types: dict[str, str]) -> str | None:
    kind = spec_types.get(name)
    if kind in MASKERS:
        return kind
    if name.endswith("id_number"):
        return "id_number"
    if name.endswith("phone"):
        return "phone"
    return None


def masked_form(form: dict | None, spec: list[dict] | None) -> dict:
    """A form as a citizen's view shows it: ID-number and phone fields masked (by their type in the
    form spec, or by their name when the spec no longer lists them)."""
    types = {f.get("name"): f.get("type") for f in spec or []}
    out = {}
    for name, value in (form or {}).items():
        kind = _kind(name, types)
        out[name] = MASKERS[kind](value) if kind and isinstance(value, str) else value
    return out


def unmasked_echoes(submitted: dict, stored: dict, spec: list[dict] | None) -> dict:
    """Drop values a phone sends back exactly as it was shown them (masked): the stored value stays."""
    types = {f.get("name"): f.get("type") for f in spec or []}
    keep = {}
    for name, value in submitted.items():
        kind = _kind(name, types)
        old = stored.get(name)
        if kind and isinstance(old, str) and old and value == MASKERS[kind](old) and value != old:
            continue
        keep[name] = value
    return keep
