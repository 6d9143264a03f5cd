"""S3-compatible object store through boto3 (the only boto3 import in the project)."""
from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage import ObjectNotFound, StoreUnavailable
from storage.keys import check_key

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ObjectStore:
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 addressing_style: str = "path", access_key: str | None = None,
                 secret_key: str | None = None, timeout: float = 5):
        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": addressing_style},
                          connect_timeout=timeout, read_timeout=timeout,
                          retries={"max_attempts": 2, "mode": "standard"}),
        )

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
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
