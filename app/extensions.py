"""Unbound extensions and the project's Api, Blueprint and Schema subclasses."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

import marshmallow as ma
from flask import current_app, request
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import pagination as _pagination
from flask_sqlalchemy import SQLAlchemy
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException

from app import errors
from app.clock import Clock, utcnow
from app.jsonio import strict_loads
from models.base import Base
from sqlalchemy.exc import DBAPIError
from storage import StoreUnavailable

db = SQLAlchemy(metadata=Base.metadata)  # models subclass models.base.Base, not db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@dataclass
class Services:
    """The outside systems this app talks to; tests swap in fakes here."""

    store: object  # storage.ObjectStore
    sms: object  # app.gateways.sms.SmsSender
    wechat: object  # app.gateways.wechat.WechatClient
    cipher: object  # app.crypto.FieldCipher
    data_source: object = None  # app.gateways.datasource.DataSource
    wechat_notifier: object = None  # sends subscribe messages to WeChat-only citizens
    clock: Clock = utcnow  # the app's one clock (tests and demos move it)
    decode_gate: object = None  # app.decode_gate.DecodeGate: uploads normalised at once


def services() -> Services:
    return current_app.extensions["onetrip"]


def paged(pagination_parameters, fetch, *args, **kwargs) -> list:
    """Call a service list function with the page asked for; record its total for X-Pagination."""
    rows, total = fetch(*args, page=pagination_parameters.page, page_size=pagination_parameters.page_size,
                        **kwargs)
    pagination_parameters.item_count = total
    return rows


def request_lang() -> str:
    """zh-CN unless the client prefers English."""
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best == "en" else "zh-CN"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


INT_LIMIT = 2**31 - 1


def _has_huge_int(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > INT_LIMIT
    if isinstance(value, dict):
        return any(_has_huge_int(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_huge_int(v) for v in value)
    return False


class Schema(ma.Schema):
    """Every request schema refuses unknown fields and NUL characters (no database stores them)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    @ma.post_load(pass_collection=True)
    def _refuse_huge_integers(self, data, **kwargs):
        """Integer columns are 32-bit: a larger number can match nothing and must not reach SQL."""
        if _has_huge_int(data):
            raise ma.ValidationError("数值超出范围")
        return data

    @ma.pre_load(pass_collection=True)
    def _refuse_nul(self, data, **kwargs):
        if _has_nul(data if not hasattr(data, "to_dict") else data.to_dict(flat=False)):
            raise ma.ValidationError("文本中不能包含 NUL 字符")
        return data


class ErrorSchema(Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    error = ma.fields.String(required=True, metadata={"description": "stable snake_case code"})
    message = ma.fields.String(required=True, metadata={"description": "for a person, zh-CN or en"})
    errors = ma.fields.Dict(metadata={"description": "details, e.g. field messages"})


class Api(_Api):
    """flask-smorest Api answering every error, from any layer, in the contract's shape."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(errors.DomainError, self.handle_domain_error)
        self._app.register_error_handler(StoreUnavailable, self.handle_store_unavailable)
        self._app.register_error_handler(DBAPIError, self.handle_database_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error: HTTPException):
        if error.code is not None and error.code < 400:  # 304 Not Modified from ETag
            return error.get_response()
        if error.code == 500 and getattr(error, "original_exception", None) is not None:
            current_app.logger.exception("unhandled error", exc_info=error.original_exception)
        code, details, headers = errors.from_http_exception(error)
        status = error.code or 500
        if status == 429:
            headers.setdefault("Retry-After", retry_after())
        return errors.payload(status, code, request_lang(), details), status, headers

    def handle_domain_error(self, error: errors.DomainError):
        if error.code == "file_refused":
            from app.observability import UPLOAD_REFUSALS, refusal_reason

            UPLOAD_REFUSALS.labels(refusal_reason(((error.errors or {}).get("file") or [""])[0])).inc()
        body = errors.payload(error.status, error.code, request_lang(), error.errors)
        return body, error.status, error.headers

    def handle_store_unavailable(self, error: StoreUnavailable):
        """The object store is down or hanging: 503 with a retry hint, never a 500. Whatever the
        request had not committed is rolled back when its session ends."""
        current_app.logger.warning("object store unavailable: %s", error)
        db.session.rollback()
        body = errors.payload(503, "object_store_unavailable", request_lang())
        return body, 503, {"Retry-After": "30"}

    def handle_database_error(self, error: DBAPIError):
        """A connection lost mid-request (the server restarted, a failover, a killed backend) is
        503 with a retry hint: the transaction was rolled back, nothing is half-written. Any other
        database error is a bug (500)."""
        if not error.connection_invalidated:
            return self.handle_unexpected(error)
        current_app.logger.warning("database connection lost: %s", error.orig)
        db.session.rollback()
        return errors.payload(503, "database_unavailable", request_lang()), 503, {"Retry-After": "5"}

    def handle_unexpected(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        current_app.logger.exception("unhandled error", exc_info=error)
        return errors.payload(500, "internal_error", request_lang()), 500


def retry_after_only_when_refused(response):
    """flask-limiter puts Retry-After on every limited response; on a success (202 for an SMS code)
    it reads as "come back later" to clients. The X-RateLimit-* headers stay; Retry-After only on
    refusals (429, 503)."""
    if response.status_code < 400:
        response.headers.pop("Retry-After", None)
    return response


def retry_after() -> str:
    limit = getattr(limiter, "current_limit", None)
    if limit is not None:
        import time

        return str(max(1, int(limit.reset_at - time.time())))
    return "60"


def _bounded_pages(factory):
    """flask-smorest's pagination schema lets `page` be any size; an offset past 64 bits crashes
    the driver. Pages beyond a million are refused as a validation error instead."""

    def build(def_page, def_page_size, def_max_page_size):
        base = factory(def_page, def_page_size, def_max_page_size)

        class BoundedPages(base):
            page = ma.fields.Integer(load_default=def_page, validate=ma.validate.Range(min=1, max=1_000_000))

        return BoundedPages

    return build


_pagination._pagination_parameters_schema_factory = _bounded_pages(_pagination._pagination_parameters_schema_factory)


class _Parser(FlaskParser):
    """Adds the `multipart` location: form fields and files of one multipart/form-data body."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "multipart": ma.RAISE}

    def _raw_load_json(self, req):
        """JSON bodies through the app's strict parser (app/jsonio.py): hostile ones are 400."""
        if not is_json_request(req):
            return ma.missing
        try:
            return strict_loads(req.get_data(cache=True).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            self._handle_invalid_json_error(exc, req)

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


_Parser.__location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}


class Blueprint(_Blueprint):
    """flask-smorest Blueprint with a declared way to require a role."""

    ARGUMENTS_PARSER = _Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**_Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}

    def auth_required(self, *roles: str):
        """Require a logged-in actor (any of `roles`; none means any actor) and document it."""
        from app.auth import authenticate

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                authenticate(roles)
                return func(*args, **kwargs)

            doc = {"security": [{"bearerAuth": []}]}
            wrapper = self.doc(**doc)(wrapper)
            wrapper = self.alt_response(401, response="UNAUTHORIZED")(wrapper)
            if roles:
                wrapper = self.alt_response(403, response="FORBIDDEN")(wrapper)
            return wrapper

        return decorator

    def command(self, role: str, schema, out, *, status: int = 200):
        """The contract of a state-changing POST on one resource: the role, Idempotency-Key, the body
        schema, the answer, and 404 (not yours) / 409 (illegal move or conflict)."""

        def decorator(func):
            for wrap in (self.alt_response(409, response="CONFLICT"), self.alt_response(404, response="NOT_FOUND"),
                         self.response(status, out), self.arguments(schema), self.idempotent,
                         self.auth_required(role)):
                func = wrap(func)
            return func

        return decorator

    def idempotent(self, func):
        """Honour the Idempotency-Key header on a creating POST (API.md, Conventions)."""
        from app.idempotency import HEADER, idempotent

        wrapper = idempotent(func)
        wrapper = self.doc(parameters=[{
            "in": "header", "name": HEADER, "required": False,
            "schema": {"type": "string", "maxLength": 64},
            "description": "retries with the same key and body return the first answer"}])(wrapper)
        return self.alt_response(422, response="UNPROCESSABLE_ENTITY")(wrapper)
