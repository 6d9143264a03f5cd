"""S3-compatible object store through boto3 (the only boto3 import in the project)."""
from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage import ObjectNotFound, StoreUnavailable
from storage.keys import check_key

_MISSING = {"NoSuchKey", "404", "NotFound"}
PROBE_KEY = "readyz/probe"  # outside uploads/: never an upload's key


class S3ObjectStore:
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 addressing_style: str = "path", access_key: str | None = None,
                 secret_key: str | None = None, timeout: float = 5, probe_timeout: float = 0.8):
        self.bucket = bucket
        self.probe_timeout = probe_timeout
        self._probe = None
        self._endpoint_url, self._addressing_style = endpoint_url, addressing_style
        self._credentials = (access_key, secret_key)
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": addressing_style},
                          connect_timeout=timeout, read_timeout=timeout,
                          retries={"max_attempts": 2, "mode": "standard"}),
        )

    def check(self) -> None:
        """Write and read back a probe object, each step bounded by `probe_timeout` and tried once:
        a frozen server answers "unavailable" in about that time, and a restarted one is ready only
        when reads work again (a bucket that merely answers HEAD is not)."""
        if self._probe is None:
            self._probe = boto3.client(
                "s3", endpoint_url=self._endpoint_url, region_name=self.client.meta.region_name,
                aws_access_key_id=self._credentials[0], aws_secret_access_key=self._credentials[1],
                config=Config(signature_version="s3v4", s3={"addressing_style": self._addressing_style},
                              connect_timeout=self.probe_timeout, read_timeout=self.probe_timeout,
                              retries={"max_attempts": 1, "mode": "standard"}))
        body = b"ready"
        try:
            self._probe.head_bucket(Bucket=self.bucket)  # some servers create a bucket on first write
            self._probe.put_object(Bucket=self.bucket, Key=PROBE_KEY, Body=body)
            if self._probe.get_object(Bucket=self.bucket, Key=PROBE_KEY)["Body"].read() != body:
                raise StoreUnavailable("the probe object read back differently")
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"bucket {self.bucket}: {exc}") from exc

    def create_bucket(self) -> None:
        try:
            self.client.create_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise StoreUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def setup(self, *, cors_origins: list[str]) -> str:
        """`store setup`: create the bucket if missing and let the H5 origins post forms and read
        downloads (S3 refuses a browser's cross-origin upload without bucket CORS rules)."""
        self.create_bucket()
        try:
            if not cors_origins:
                self.client.delete_bucket_cors(Bucket=self.bucket)
                return f"bucket {self.bucket} ready; no CORS rules (CORS_ORIGINS is empty)"
            self.client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [{
                "AllowedOrigins": list(cors_origins), "AllowedMethods": ["GET", "HEAD", "POST"],
                "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"bucket {self.bucket} CORS: {exc}") from exc
        return f"bucket {self.bucket} ready; CORS for {', '.join(cors_origins)}"

    def cors_rules(self) -> list[dict]:
        """The bucket's CORS rules as S3 reports them (none: [])."""
        try:
            return self.client.get_bucket_cors(Bucket=self.bucket)["CORSRules"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"NoSuchCORSConfiguration", "404"}:
                return []
            raise StoreUnavailable(str(exc)) from exc

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data,
                                   ContentType=content_type)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _MISSING:
                raise ObjectNotFound(key) from exc
            raise StoreUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _MISSING:
                return False
            raise StoreUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=check_key(key))
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def presigned_post(self, key: str, content_type: str, max_size: int, expires: int) -> tuple[str, dict]:
        try:
            form = self.client.generate_presigned_post(
                Bucket=self.bucket, Key=check_key(key), Fields={"Content-Type": content_type},
                Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_size]],
                ExpiresIn=expires)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return form["url"], form["fields"]

    def presigned_get(self, key: str, expires: int) -> str:
        try:
            return self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=expires)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under a prefix (for tests and purges)."""
        paginator = self.client.get_paginator("list_objects_v2")
        return [obj["Key"] for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
                for obj in page.get("Contents", [])]
