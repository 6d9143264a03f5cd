"""The production run's eyes: a request id on every request and log line (`X-Request-ID` in and
out), JSON logs, one access line per request, Prometheus metrics at /metrics, and the header limit
answered in the contract's error shape."""
from __future__ import annotations

import logging
import os
import re
import time

from flask import Flask, Request, Response, has_request_context, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram,
                               generate_latest)
from prometheus_client.core import GaugeMetricFamily

REQUEST_ID = "X-Request-ID"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

REQUEST_SECONDS = Histogram("onetrip_request_seconds", "Request latency by endpoint and status",
                            ["method", "endpoint", "status"])
UPLOAD_REFUSALS = Counter("onetrip_upload_refusals_total", "Uploads refused by the file checks, by reason",
                          ["reason"])

# A refused file's message names its reason; metrics need a short, bounded label.
_REFUSAL_REASONS = [("为空", "empty"), ("只接受", "type"), ("不符", "type_mismatch"), ("夹带", "hidden_content"),
                    ("末尾附带", "trailing_data"), ("过大", "too_large"), ("尺寸异常", "dimensions"),
                    ("脚本", "active_content"), ("加密", "encrypted"), ("没有页面", "no_pages"),
                    ("超过", "too_many_pages"), ("损坏", "damaged"), ("MB", "too_large")]


def refusal_reason(message: str) -> str:
    return next((label for needle, label in _REFUSAL_REASONS if needle in (message or "")), "other")


def request_id() -> str | None:
    return request.environ.get(ENVIRON_ID) if has_request_context() else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # the access line brings its own
            record.request_id = request_id()
        return True


def configure_logging(fmt: str) -> None:
    """`json` (one object a line, with request_id) or `text`; installed once per process."""
    root = logging.getLogger()
    if any(getattr(h, "_onetrip", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._onetrip = True
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                           rename_fields={"asctime": "time", "levelname": "level",
                                                          "name": "logger"}, json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    logging.getLogger("onetrip").setLevel(logging.INFO)


ENVIRON_ID = "onetrip.request_id"
ENVIRON_RULE = "onetrip.url_rule"


class ObservedRequest(Request):
    """Flask's request, leaving the rule it matched on the environ for `Observed` (Flask unlinks the
    request object from the environ when its context ends, before the middleware reads it)."""

    @property
    def url_rule(self):
        return self.environ.get(ENVIRON_RULE)

    @url_rule.setter
    def url_rule(self, rule) -> None:
        self.environ[ENVIRON_RULE] = rule


class Observed:
    """WSGI middleware around the whole app: the request id (a good incoming `X-Request-ID`, else a
    new one) on the environ and on the answer, then one access line and one latency sample.

    Outside Flask's per-request hooks on purpose (issue 12, bench/progress_rps.py): in hooks, every
    `request.*`, `g.*` and `response.headers[...]` is a context-local look-up, and the line went
    through logging's caller search; here they are dictionary reads. The line is made with
    `makeRecord` and passed to the logger's handlers as any other record (levels, filters and the
    JSON formatter apply), only without the stack walk that names a caller nobody reads."""

    def __init__(self, wsgi_app, access: logging.Logger) -> None:
        self.wsgi_app = wsgi_app
        self.access = access

    def __call__(self, environ, start_response):
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if incoming and _GOOD_ID.match(incoming) else os.urandom(16).hex()
        environ[ENVIRON_ID] = rid
        started = time.perf_counter()
        answered = []

        def start(status, headers, exc_info=None):
            answered.append(status)
            headers.append((REQUEST_ID, rid))
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start)
        if answered:
            self._record(environ, int(answered[-1][:3]), time.perf_counter() - started)
        return body

    def _record(self, environ, status: int, elapsed: float) -> None:
        rule = environ.get(ENVIRON_RULE)
        if rule is not None and rule.endpoint == "metrics":
            return
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        REQUEST_SECONDS.labels(method, rule.rule if rule is not None else "unmatched", str(status)).observe(elapsed)
        if self.access.isEnabledFor(logging.INFO):
            ms = round(elapsed * 1000, 1)
            self.access.handle(self.access.makeRecord(
                self.access.name, logging.INFO, "", 0, "%s %s %s %.1fms", (method, path, status, elapsed * 1000), None,
                extra={"method": method, "path": path, "status": status, "duration_ms": ms, "request_id": environ[ENVIRON_ID]}))


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") in ("json", "text"):
        configure_logging(app.config["LOG_FORMAT"])
    app.wsgi_app = Observed(app.wsgi_app, logging.getLogger("onetrip.access"))

    @app.before_request
    def _headers_within_limit():
        limit = app.config["MAX_HEADER_BYTES"]
        if any(len(k) - 5 + len(v) > limit for k, v in request.environ.items() if k.startswith("HTTP_")) or \
                len(request.environ.get("CONTENT_TYPE", "")) + 12 > limit:
            from app.errors import DomainError

            raise DomainError("request_header_too_large", status=431, errors={"limit_bytes": limit})

    app.add_url_rule("/metrics", "metrics", _metrics)


def _metrics():
    """Prometheus text format: this process's (or every gunicorn worker's) request latencies and
    upload refusals, and from the database at scrape time the outbox backlog and age and the
    lights of open cases."""
    from flask import current_app

    token = current_app.config.get("METRICS_TOKEN")
    if token and request.headers.get("Authorization") != f"Bearer {token}":
        from app.errors import Unauthenticated

        raise Unauthenticated()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    state = CollectorRegistry()
    state.register(_StateCollector())
    return Response(body + generate_latest(state), content_type=CONTENT_TYPE_LATEST)


class _StateCollector:
    """What the database says now (read at scrape time, so every worker reports the same)."""

    def collect(self):
        from sqlalchemy import func, select

        from app.extensions import db, services
        from models.application import Application
        from models.notification import Notification, OutboxStatus
        from models.workflow import AppStatus

        now = services().clock()
        backlog, oldest = db.session.execute(
            select(func.count(), func.min(Notification.created_at))
            .where(Notification.status == OutboxStatus.pending)).one()
        yield GaugeMetricFamily("onetrip_outbox_backlog", "Notifications waiting to be sent", value=backlog)
        if oldest is not None and oldest.tzinfo is None:
            from datetime import timezone

            oldest = oldest.replace(tzinfo=timezone.utc)
        yield GaugeMetricFamily("onetrip_outbox_oldest_age_seconds", "Age of the oldest waiting notification",
                                value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        failed = db.session.scalar(select(func.count()).where(Notification.status == OutboxStatus.failed))
        yield GaugeMetricFamily("onetrip_outbox_failed", "Notifications given up after the last retry",
                                value=failed)
        lights = GaugeMetricFamily("onetrip_open_cases", "Open cases by deadline light", labels=["light"])
        counts = dict(db.session.execute(
            select(Application.light, func.count()).where(
                Application.status.in_((AppStatus.accepted, AppStatus.in_review)))
            .group_by(Application.light)).all())
        for light in ("green", "yellow", "red", "paused"):
            lights.add_metric([light], counts.get(light, 0))
        yield lights
        db.session.rollback()
