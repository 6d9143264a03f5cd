"""Which object store the configuration names. Each adapter is imported only when chosen (boto3 is
heavy and unused with the local store); this module, not the package, imports them, so the adapters
can import the package's exceptions without a cycle."""
from __future__ import annotations

from storage import ObjectStore


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
