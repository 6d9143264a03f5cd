"""The project's flask-smorest Api: every error, from any layer, answered in the contract's shape."""
from __future__ import annotations

import time

from flask import current_app
from flask_smorest import Api as _Api
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app import errors
from app.extensions import db, limiter
from app.observability import UPLOAD_REFUSALS, refusal_reason
from app.schemas import ErrorSchema
from app.smorest_patches import document_bounded_totals
from app.web import request_lang
from storage import StoreUnavailable


class Api(_Api):
    """flask-smorest Api answering every error, from any layer, in the contract's shape."""

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *args, **kwargs):
        document_bounded_totals()  # before the spec registers the X-Pagination header component
        super().init_app(app, *args, **kwargs)

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
        return str(max(1, int(limit.reset_at - time.time())))
    return "60"
