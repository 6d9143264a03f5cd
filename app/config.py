"""All configuration parsing: environment variables in, one plain dict out."""
from __future__ import annotations

import base64
import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from app.crypto import PASSWORD_HASH_METHOD

VAR_DIR = Path(os.environ.get("ONETRIP_VAR_DIR", "var"))


class ConfigError(ValueError):
    """A configuration value is present but unusable."""


def _secret_key(env: dict[str, str]) -> str:
    """SECRET_KEY from the environment, else a random one kept in var/ across restarts.

    Workers starting at once (gunicorn's) must all end up with the same key, and none with a part of
    it: the key is written whole to a file of this process's own, then linked to its name (a link
    fails if the name exists), so the name never shows a file still being written."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        own = VAR_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(own, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        try:
            os.link(own, path)
            return key
        except FileExistsError:
            pass  # another process was first: its key
        finally:
            own.unlink()
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty: delete it (a new key is made) or set SECRET_KEY")
    return key


def _log_format(raw: str) -> str:
    if raw not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, got {raw!r}")
    return raw


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _non_negative(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 0:
        raise ConfigError(f"{name} must be 0 or more, got {value}")
    return value


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _pairs(raw: str | None, name: str) -> dict[str, str]:
    """Parse `code=secret,code2=secret2`."""
    out: dict[str, str] = {}
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, value = part.partition("=")
        if not sep or not code.strip() or not value.strip():
            raise ConfigError(f"{name}: expected code=secret, got {part!r}")
        out[code.strip()] = value.strip()
    return out


_HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*\Z")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(part: str) -> str:
    """One origin as a browser sends it: lower-case scheme and host, no default port, no path.
    Anything else (a pattern, a path, credentials, a bad port) stops the app from starting: the
    list is matched exactly, and a typo must not quietly shut an H5 page out or let a stranger in."""
    bad = ConfigError(f"CORS_ORIGINS: expected scheme://host[:port] or *, got {part!r}")
    if part == "*":
        return part
    try:
        parts = urlsplit(part.rstrip("/"))
        port = parts.port
    except ValueError as exc:
        raise bad from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or parts.path or parts.query or parts.fragment or "@" in parts.netloc \
            or part.rstrip("/").endswith(":") or "#" in part or "?" in part:
        raise bad
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise bad from exc
        host = f"[{host}]"
    elif not _HOSTNAME.match(host):
        raise bad
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else "")


def _origins(raw: str | None) -> list[str]:
    """`https://h5.example.gov.cn,http://localhost:8080` -> exact origins (scheme://host[:port])."""
    return [_origin(part.strip()) for part in (raw or "").split(",") if part.strip()]


def _object_store(raw: str) -> str:
    if not (raw.startswith("local:") and raw != "local:" or raw.startswith("s3://") and raw.strip("/") != "s3:"):
        raise ConfigError(f"OBJECT_STORE must be local:<dir> or s3://<bucket>, got {raw!r}")
    return raw


def _endpoint(raw: str | None, name: str) -> str | None:
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in raw:
        raise ConfigError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw


def _key_bytes(raw: str | None, name: str) -> bytes | None:
    if not raw:
        return None
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError as exc:
        raise ConfigError(f"{name} must be base64") from exc
    if len(key) != 32:
        raise ConfigError(f"{name} must decode to 32 bytes")
    return key


def load_config(env: dict[str, str] | None = None) -> dict:
    """Build the Flask config from environment variables (API.md, Configuration)."""
    env = dict(os.environ if env is None else env)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{(VAR_DIR / 'onetrip.db').resolve()}"
    redis_url = env.get("REDIS_URL")
    return {
        "SECRET_KEY": _secret_key(env),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # idle connections are pinged: app.ping_after_idle
        "OBJECT_STORE": _object_store(env.get("OBJECT_STORE") or f"local:{VAR_DIR / 'objects'}"),
        "S3_ENDPOINT_URL": _endpoint(env.get("S3_ENDPOINT_URL"), "S3_ENDPOINT_URL"),
        "S3_REGION": env.get("S3_REGION") or None,
        "S3_ADDRESSING_STYLE": env.get("S3_ADDRESSING_STYLE") or "path",
        "S3_TIMEOUT_SECONDS": _int(env, "S3_TIMEOUT_SECONDS", 5),
        "LOG_FORMAT": _log_format(env.get("LOG_FORMAT") or "json"),
        "MAX_HEADER_BYTES": _int(env, "MAX_HEADER_BYTES", 16 * 1024),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "AWS_ACCESS_KEY_ID": env.get("AWS_ACCESS_KEY_ID") or None,
        "AWS_SECRET_ACCESS_KEY": env.get("AWS_SECRET_ACCESS_KEY") or None,
        "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_SECRET": env.get("SMS_GATEWAY_SECRET") or "",
        "WECHAT_API_BASE": (env.get("WECHAT_API_BASE") or "https://api.weixin.qq.com").rstrip("/"),
        "WECHAT_APPID": env.get("WECHAT_APPID") or "",
        "WECHAT_SECRET": env.get("WECHAT_SECRET") or "",
        "WECHAT_TEMPLATE_ID": env.get("WECHAT_TEMPLATE_ID") or "",
        "OUTBOUND_TIMEOUT_SECONDS": _int(env, "OUTBOUND_TIMEOUT_SECONDS", 5),
        # Population, household, marriage and social-insurance records (实名, 无证明).
        "DATA_SOURCE_URL": env.get("DATA_SOURCE_URL") or None,
        "DATA_SOURCE_SECRET": env.get("DATA_SOURCE_SECRET") or "",
        "CARRIER_WEBHOOK_SECRETS": _pairs(env.get("CARRIER_WEBHOOK_SECRETS"), "CARRIER_WEBHOOK_SECRETS"),
        # Resident ID numbers: AES-GCM key and look-up hash key; derived from SECRET_KEY if unset.
        "ID_ENCRYPTION_KEY": _key_bytes(env.get("ID_ENCRYPTION_KEY"), "ID_ENCRYPTION_KEY"),
        "ACCESS_TOKEN_MINUTES": _int(env, "ACCESS_TOKEN_MINUTES", 30),
        "REFRESH_TOKEN_DAYS": _int(env, "REFRESH_TOKEN_DAYS", 30),
        "SMS_CODE_TTL_SECONDS": _int(env, "SMS_CODE_TTL_SECONDS", 300),
        "SMS_CODE_MAX_ATTEMPTS": _int(env, "SMS_CODE_MAX_ATTEMPTS", 5),
        "SMS_PHONE_LIMITS": env.get("SMS_PHONE_LIMITS") or "1/minute;10/day",
        # A hall's Wi-Fi or a carrier's NAT puts many phones behind one address (API.md, Identity).
        "SMS_IP_LIMITS": env.get("SMS_IP_LIMITS") or "20/minute;200/day",
        "STAFF_LOGIN_IP_LIMITS": env.get("STAFF_LOGIN_IP_LIMITS") or "20/minute",
        "STAFF_LOCKOUT_FAILURES": _int(env, "STAFF_LOCKOUT_FAILURES", 5),
        "STAFF_LOCKOUT_MINUTES": _int(env, "STAFF_LOCKOUT_MINUTES", 15),
        # Not read from the environment: production always hashes at full cost (app.crypto).
        "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
        "VERIFY_IP_LIMITS": env.get("VERIFY_IP_LIMITS") or "60/minute",
        # Trusted proxies in front, per X-Forwarded-* header (werkzeug ProxyFix); 0 = trust none.
        **{f"PROXY_FIX_X_{part}": _int(env, f"PROXY_FIX_X_{part}", 0) for part in ("FOR", "PROTO", "HOST", "PORT", "PREFIX")},
        "CORS_ORIGINS": _origins(env.get("CORS_ORIGINS")),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # JSON bodies are small; uploads set their own per-request limit.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 1024 * 1024),
        "MAX_UPLOAD_BYTES": _int(env, "MAX_UPLOAD_BYTES", 11 * 1024 * 1024),
        # Uploads checked and normalised at once per process (each < 100 MB), and how long a
        # caller waits for a turn before 503 server_busy.
        "NORMALISE_CONCURRENCY": _positive(env, "NORMALISE_CONCURRENCY", 2),
        "NORMALISE_WAIT_SECONDS": _positive(env, "NORMALISE_WAIT_SECONDS", 10),
        "LABEL_FONT_PATH": env.get("LABEL_FONT_PATH") or None,
        "DEFAULT_REGION_CODE": env.get("DEFAULT_REGION_CODE") or "330825",
        "RECTIFICATION_WORKING_DAYS": _int(env, "RECTIFICATION_WORKING_DAYS", 15),
        "COMPLAINT_WORKING_DAYS": _int(env, "COMPLAINT_WORKING_DAYS", 5),
        # Base of the URLs handed out; unset = taken from each request (as seen through PROXY_FIX_*).
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        "ESCALATE_AFTER_WORKING_DAYS": _int(env, "ESCALATE_AFTER_WORKING_DAYS", 2),
        # A worker's memory of polled progress (app/services/progress_cache.py): cases whose stamp it
        # keeps (PostgreSQL only) and bytes of built answers; 0 turns that part off.
        "PROGRESS_CACHE_CASES": _non_negative(env, "PROGRESS_CACHE_CASES", 10_000),
        "PROGRESS_CACHE_BODY_BYTES": _non_negative(env, "PROGRESS_CACHE_BODY_BYTES", 1024 * 1024),
    }
