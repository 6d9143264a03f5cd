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


def store_from_config(config: dict) -> ObjectStore:
    """`local:<directory>` or `s3://<bucket>` (API.md, Configuration)."""
    spec = config["OBJECT_STORE"]
    if spec.startswith("local:"):
        from storage.local import LocalObjectStore

        return LocalObjectStore(spec.removeprefix("local:"), secret=config.get("SECRET_KEY", ""),
                                base_url=config.get("PUBLIC_BASE_URL") or "")
    if spec.startswith("s3://"):
        from storage.s3 import S3ObjectStore

        bucket = spec.removeprefix("s3://").strip("/")
        return S3ObjectStore(bucket, endpoint_url=config.get("S3_ENDPOINT_URL"),
                             region=config.get("S3_REGION"),
                             addressing_style=config.get("S3_ADDRESSING_STYLE", "path"),
                             access_key=config.get("AWS_ACCESS_KEY_ID"),
                             secret_key=config.get("AWS_SECRET_ACCESS_KEY"),
                             timeout=config.get("S3_TIMEOUT_SECONDS", 5))
    raise ValueError(f"OBJECT_STORE must be local:<dir> or s3://<bucket>, got {spec!r}")
