"""OneTrip application factory."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.sessions import SessionInterface
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter

from app import migrations_cli
from app.config import ConfigError, load_config
from app.crypto import PASSWORD_HASH_METHOD, FieldCipher, Passwords, derive_key
from app.decode_gate import DecodeGate
from app.jsonio import StrictJSONProvider
from app.observability import ObservedRequest
from app.progress_front import ProgressFront
from app.extensions import Services, db, jwt, limiter
from app.api import Api, retry_after_only_when_refused
from app.gateways.datasource import data_source_from_config
from app.gateways.sms import sms_sender_from_config
from app.gateways.wechat import wechat_client_from_config, wechat_notifier_from_config
from app.services.progress_cache import ProgressCache
import models  # noqa: F401  (registers every table for Alembic)
from storage.config import store_from_config

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

API_TITLE = "OneTrip 最多跑一次 API"


class NoCookieSessions(SessionInterface):
    """OneTrip has no cookie session (bearer tokens only, never cookies): Flask's default built a
    signing serializer from SECRET_KEY on every request to find no cookie."""

    def open_session(self, app, request):
        return None  # Flask hands views a NullSession, which refuses writes

    def save_session(self, app, session, response):
        return None


class OneTripFlask(Flask):
    """Flask whose JSON bodies are checked at the edge (app/jsonio.py)."""

    json_provider_class = StrictJSONProvider
    session_interface = NoCookieSessions()
    request_class = ObservedRequest

    def ensure_sync(self, func):
        """Flask (and flask-smorest, per decorator) ask of each hook and view on every request
        whether it is a coroutine: ~15 inspections a request. The answer never changes."""
        known = _SYNC.get(func)
        if known is None:
            known = _SYNC[func] = super().ensure_sync(func)
        return known


_SYNC: dict = {}


def create_app(config: dict | None = None) -> Flask:
    app = OneTripFlask(__name__)
    app.config.update(load_config())
    app.config.update(config or {})
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Served by the app (blueprints/pages): /docs works with no internet. Relative to the page
        # /docs, so it also resolves when the app is mounted under a path prefix.
        OPENAPI_SWAGGER_UI_URL="docs/assets/",
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},  # else the page fetches a badge from swagger.io
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "info": {"description": "最多跑一次 / 掌上办: see README.md and API.md."},
        },
        JWT_SECRET_KEY=app.config["SECRET_KEY"],
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=app.config["ACCESS_TOKEN_MINUTES"]),
        RATELIMIT_STORAGE_URI=app.config["RATELIMIT_STORAGE_URI"],
    )
    app.url_map.converters["isodate"] = IsoDateConverter
    app.url_map.converters["int"] = Int32Converter
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.wsgi_app = ProgressFront(app.wsgi_app, app)  # unchanged polled progress: app/progress_front.py
    proxies = {part: app.config[f"PROXY_FIX_X_{part.upper()}"] for part in ("for", "proto", "host", "port", "prefix")}
    if any(proxies.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{part}": n for part, n in proxies.items()})
    _cors(app)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_after_idle(engine)
    migrations_cli.init_app(app, db, MIGRATIONS_DIR)  # Flask-Migrate loads on first use
    jwt.init_app(app)
    # Registered before the limiter's own hook so that it runs after it (Flask runs them in reverse).
    app.after_request(retry_after_only_when_refused)
    limiter.init_app(app)
    _limits_checked_where_declared(app)

    master = app.config["ID_ENCRYPTION_KEY"] or derive_key(app.config["SECRET_KEY"], "id-encryption")
    cipher = FieldCipher(master)
    app.extensions["onetrip"] = Services(
        store=store_from_config(app.config),
        sms=sms_sender_from_config(app.config),
        wechat=wechat_client_from_config(app.config),
        cipher=cipher,
        wechat_notifier=wechat_notifier_from_config(app.config),
        data_source=data_source_from_config(app.config, session=lambda: db.session, cipher=cipher),
        decode_gate=DecodeGate(app.config["NORMALISE_CONCURRENCY"], app.config["NORMALISE_WAIT_SECONDS"]),
        progress_cache=ProgressCache(cases=app.config["PROGRESS_CACHE_CASES"],
                                     body_bytes=app.config["PROGRESS_CACHE_BODY_BYTES"]),
        passwords=Passwords(_password_hash_method(app)),
    )

    _hear_own_commits()

    api = Api(app)
    api.register_converter(IsoDateConverter, lambda converter: {"type": "string", "format": "date"})
    api.register_converter(Int32Converter, lambda converter: {"type": "integer", "minimum": 0,
                                                              "maximum": Int32Converter.LIMIT})
    from blueprints import register_blueprints

    register_blueprints(api, app)

    from app import cli, observability

    observability.init_app(app)
    cli.register(app)
    app.before_request(_json_bodies_only)
    return app


_HEARING = []


def _hear_own_commits() -> None:
    """Once per process (the session class is shared by every app): a commit makes the committing
    app's progress cache forget the cases it changed (app/gateways/changes.py)."""
    if _HEARING:
        return
    from flask import current_app, has_app_context

    from app.gateways.changes import hear_own_commits

    hear_own_commits(db.session, lambda: getattr(current_app.extensions.get("onetrip"), "progress_cache", None)
                     if has_app_context() else None)
    _HEARING.append(True)


def _password_hash_method(app: Flask) -> str:
    """Full-cost scrypt, always; a test configuration (TESTING) may hash cheaper so that the suite
    does not spend most of its time in scrypt (tests/conftest.py)."""
    method = app.config["PASSWORD_HASH_METHOD"]
    if method != PASSWORD_HASH_METHOD and not app.config.get("TESTING"):
        raise ConfigError(f"PASSWORD_HASH_METHOD may differ from {PASSWORD_HASH_METHOD} only under TESTING, "
                          f"got {method!r}")
    return method


# What an H5 page may send and read across origins (API.md, v1.1 Real clients).
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "Accept-Language",
                      "X-Purpose", "X-Request-ID"]
FLASK_CORS_REGEX_HINTS = frozenset("*\\]?$^[]()")
CORS_EXPOSE_HEADERS = ["ETag", "X-Pagination", "Retry-After", "Idempotent-Replayed", "X-Request-ID"]


def _cors(app: Flask) -> None:
    """CORS for the API and the embedded store's signed upload and download paths, from
    CORS_ORIGINS only (empty: no cross-origin access at all). Bearer tokens, never cookies."""
    origins = app.config["CORS_ORIGINS"]
    if not origins:
        return
    from flask_cors import CORS

    # flask-cors reads an origin holding any of `*\\]?$^[]()` as a regular expression matched at
    # the start only: an IPv6 origin (`http://[::1]:8080`) would match strangers and not itself.
    # Such origins go in as escaped, anchored patterns; `*` alone stays the wildcard.
    exact = [origin if origin == "*" or not FLASK_CORS_REGEX_HINTS & set(origin)
             else re.compile(re.escape(origin) + r"\Z", re.IGNORECASE) for origin in origins]
    CORS(app, resources={r"/api/*": {}, r"/local-store/*": {}}, origins=exact,
         allow_headers=CORS_ALLOW_HEADERS, expose_headers=CORS_EXPOSE_HEADERS,
         methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
         supports_credentials=False, max_age=600, vary_header=True)

    @app.after_request
    def _vary_on_origin(response):
        # flask-cors omits Vary when one origin is configured; a shared cache must still not hand
        # an answer with (or without) CORS headers to a page of another origin.
        response.vary.add("Origin")
        return response


def _json_bodies_only():
    """Writes under /api/v1 send JSON; anything else is 415 before a view reads it.

    Paths with NUL characters are refused too: no database column can store one.

    A view declares otherwise in its own decorator stack (app/blueprint.py): `@blp.multipart` takes
    files, `@blp.before_parse(hook)` runs a hook before the body is read.
    """
    from flask import current_app, request

    from app.blueprint import edge_policy
    from app.errors import DomainError

    if "\x00" in request.path:  # PostgreSQL text cannot hold NUL; refuse it at the door
        raise DomainError("bad_request", status=400)
    policy = edge_policy(current_app, request.endpoint)
    if policy.before_parse is not None:
        policy.before_parse()
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return None
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None
    if request.mimetype == "application/json":
        return None
    if policy.multipart and request.mimetype == "multipart/form-data":
        request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"]
        return None
    raise DomainError("unsupported_media_type", status=415)


class Int32Converter(IntegerConverter):
    """Path ids beyond a 32-bit column cannot exist: 404 before any SQL runs."""

    LIMIT = 2**31 - 1

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", self.LIMIT)
        super().__init__(map, *args, **kwargs)


class IsoDateConverter(BaseConverter):
    """`YYYY-MM-DD` path segments as dates; anything else is a 404, not a 500."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        from datetime import date

        from werkzeug.routing import ValidationError

        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError() from exc

    def to_url(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite enforces foreign keys only when asked, per connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


IDLE_PING_SECONDS = 5.0


def ping_after_idle(engine) -> None:
    """A pooled connection that sat idle is pinged before use (the server may have restarted or a
    firewall dropped it); one handed back a moment ago is not. `pool_pre_ping` pinged on every
    checkout: one round trip more on every request (a 304 of progress is one statement). A dead
    connection found here is replaced; one that dies mid-request answers 503 database_unavailable
    (app/api.py) and the pool starts afresh."""
    import time

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        if record is not None:
            record.info["onetrip.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy):
        since = record.info.pop("onetrip.idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the driver's own error for a dead connection
            raise DisconnectionError() from exc
        if not alive:
            raise DisconnectionError()


def _limits_checked_where_declared(app: Flask) -> None:
    """flask-limiter checks application, default and blueprint limits before every request.
    OneTrip declares none: its limits sit on the few views that need them (SMS codes, staff
    login, verification) and are checked by their decorators. The before-request check runs only
    if such a limit ever exists."""
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    manager = limiter.limit_manager

    def _check_limits_if_any():
        if manager.application_limits or manager.default_limits or manager._blueprint_limits or limiter._meta_limits:
            return check()
        return None

    hooks[hooks.index(check)] = _check_limits_if_any
