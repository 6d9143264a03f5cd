"""Object storage: one protocol, an S3 adapter and a local-disk adapter that behave the same."""
from __future__ import annotations

from typing import Protocol


class StoreError(Exception):
    """The object store failed; vendor errors are translated to this tree at the adapter."""


class ObjectNotFound(StoreError):
    pass


class StoreUnavailable(StoreError):
    pass


class ObjectStore(Protocol):
    def check(self) -> None:
        """Raise StoreUnavailable unless an object can be written and read back now; answers within
        about a second even when the store hangs (readiness probes call it)."""

    def setup(self, *, cors_origins: list[str]) -> str:
        """Create what the store needs (S3: the bucket and its CORS rules); says what it did."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes:
        """Raise ObjectNotFound when absent."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Idempotent: deleting an absent object is not an error."""

    def presigned_post(self, key: str, content_type: str, max_size: int, expires: int) -> tuple[str, dict]:
        """(url, form fields) for a browser/phone POST straight to the store. The policy pins the key
        and the content type and allows 1..max_size bytes; the store refuses anything else."""

    def presigned_get(self, key: str, expires: int) -> str:
        """A URL that downloads the object for `expires` seconds."""

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under a prefix."""


class PolicyViolation(StoreError):
    """A signed upload did not keep to its policy (local store; S3 answers 403 itself)."""
