"""Local-disk object store: the embedded default, same behaviour as S3 for the app, including
signed upload forms and signed download URLs, which the app itself serves (blueprints/localstore)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from storage import ObjectNotFound, PolicyViolation, StoreUnavailable
from storage.keys import check_key

UPLOAD_PATH = "/local-store/upload"
OBJECT_PATH = "/local-store/objects/"


class LocalObjectStore:
    def __init__(self, root: str | os.PathLike, *, secret: str = "", base_url: str = ""):
        self.root = Path(root).resolve()
        self._key = hashlib.sha256(b"onetrip-local-store:" + secret.encode()).digest()
        self.base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".readyz-") as probe:
                probe.write(b"ready")
                probe.flush()
                if Path(probe.name).read_bytes() != b"ready":
                    raise StoreUnavailable(f"{self.root}: the probe read back differently")
        except OSError as exc:
            raise StoreUnavailable(f"{self.root}: {exc.strerror}") from exc

    def setup(self, *, cors_origins: list[str]) -> str:
        """`store setup`: the directory exists; CORS for its signed paths comes from the app itself."""
        self.check()
        return f"local store {self.root} ready; CORS from the app for {', '.join(cors_origins) or 'no origin'}"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half an object.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under a prefix (for tests and purges)."""
        if not self.root.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*")
                      if p.is_file() and not p.name.startswith(".") and str(p.relative_to(self.root)).startswith(prefix))

    # -- signed forms and URLs -------------------------------------------------------------

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def presigned_post(self, key: str, content_type: str, max_size: int, expires: int) -> tuple[str, dict]:
        policy = {"key": check_key(key), "content_type": content_type, "min": 1, "max": max_size,
                  "expires": int(time.time()) + expires}
        encoded = base64.urlsafe_b64encode(json.dumps(policy, sort_keys=True).encode()).decode()
        fields = {"key": key, "Content-Type": content_type, "policy": encoded, "signature": self._sign(encoded.encode())}
        return self.base_url + UPLOAD_PATH, fields

    def accept_post(self, fields: dict, data: bytes) -> str:
        """Store a signed form upload if it keeps to its policy; returns the key."""
        encoded = fields.get("policy", "")
        if not hmac.compare_digest(self._sign(encoded.encode()).encode(), fields.get("signature", "").encode()):
            raise PolicyViolation("signature does not match")
        try:
            policy = json.loads(base64.urlsafe_b64decode(encoded))
            policy["expires"], policy["key"], policy["min"], policy["max"], policy["content_type"]  # noqa: B018
        except (ValueError, KeyError, TypeError) as exc:
            raise PolicyViolation("unreadable policy") from exc
        if policy["expires"] < time.time():
            raise PolicyViolation("policy expired")
        if fields.get("key") != policy["key"]:
            raise PolicyViolation("key differs from the policy")
        if fields.get("Content-Type") != policy["content_type"]:
            raise PolicyViolation("content type differs from the policy")
        if not policy["min"] <= len(data) <= policy["max"]:
            raise PolicyViolation("size outside the policy's range")
        self.put(policy["key"], data, policy["content_type"])
        return policy["key"]

    def presigned_get(self, key: str, expires: int) -> str:
        until = int(time.time()) + expires
        signature = self._sign(f"GET\n{check_key(key)}\n{until}".encode())
        return f"{self.base_url}{OBJECT_PATH}{quote(key)}?" + urlencode({"expires": until, "signature": signature})

    def open_signed(self, key: str, expires: str, signature: str) -> bytes:
        try:
            until = int(expires)
        except ValueError as exc:
            raise PolicyViolation("bad expiry") from exc
        expected = self._sign(f"GET\n{check_key(key)}\n{until}".encode())
        if not hmac.compare_digest(expected.encode(), signature.encode()) or until < time.time():
            raise PolicyViolation("signature invalid or expired")
        return self.get(key)
