"""Field encryption for personal data (resident ID numbers) and keyed hashes for look-ups."""
from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


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
