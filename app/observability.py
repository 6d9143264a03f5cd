"""The production run's eyes: a request id on every request and log line (`X-Request-ID` in and
out), JSON logs, one access line per request, Prometheus metrics at /metrics, and the header limit
answered in the contract's error shape."""
from __future__ import annotations

import logging
import os
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
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
    return g.get("request_id") if has_request_context() else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
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


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") in ("json", "text"):
        configure_logging(app.config["LOG_FORMAT"])
    access = logging.getLogger("onetrip.access")

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID, "")
        g.request_id = incoming if _GOOD_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        limit = app.config["MAX_HEADER_BYTES"]
        if any(len(k) + len(v) > limit for k, v in request.headers.items()):
            from app.errors import DomainError

            raise DomainError("request_header_too_large", status=431, errors={"limit_bytes": limit})

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers[REQUEST_ID] = rid
        started = g.get("started")
        if started is not None and request.endpoint != "metrics":
            elapsed = time.perf_counter() - started
            endpoint = request.url_rule.rule if request.url_rule else "unmatched"
            REQUEST_SECONDS.labels(request.method, endpoint, str(response.status_code)).observe(elapsed)
            access.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed * 1000,
                        extra={"method": request.method, "path": request.path, "status": response.status_code,
                               "duration_ms": round(elapsed * 1000, 1)})
        return response

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
