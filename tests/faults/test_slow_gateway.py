"""A slow SMS gateway (finding 10): the worker holds no lock while it waits, and a retry after a
timeout carries the same X-Message-Id, so the gateway delivers each message once."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.gateways.sms import HttpSmsSender
from app.services import outbox
from models.notification import Notification
from tests.factories import submitted_and_accepted
from tests.helpers import app_now

# A gateway that really sleeps past the timeout: not under libfaketime (its sleep fails with EINVAL).
pytestmark = pytest.mark.live


class DedupingGateway:
    """Speaks the SMS protocol; delivers a message id once; the first answer comes too late."""

    def __init__(self, engine):
        self.engine, self.requests, self.delivered, self.lock_free = engine, [], {}, []
        self.slow_once = True

    def _row_is_free(self, notification_id: int) -> bool:
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET lock_timeout = '300ms'"))
            else:
                conn.exec_driver_sql("PRAGMA busy_timeout = 300")
            try:
                conn.execute(text("UPDATE notifications SET last_error = last_error WHERE id = :id"),
                             {"id": notification_id})
                conn.rollback()
                return True
            except Exception:
                return False

    def __call__(self, request: Request) -> Response:
        ident = request.headers["X-Message-Id"]
        self.requests.append(ident)
        self.lock_free.append(self._row_is_free(int(ident.rsplit("-", 1)[1])))
        if ident not in self.delivered:
            self.delivered[ident] = json.loads(request.get_data())
        if self.slow_once:
            self.slow_once = False
            time.sleep(1.5)  # past the sender's timeout: the worker thinks it failed
        return Response("ok", 200)


def test_a_slow_gateway_gets_each_message_once(client, sms, app, db_session):
    from app.extensions import db

    submitted_and_accepted(client, sms)
    gateway = DedupingGateway(db.engine)
    server = make_server("127.0.0.1", 0, Request.application(gateway), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = HttpSmsSender(f"http://127.0.0.1:{server.server_port}/send", "s3cret", timeout=0.5)
        now = app_now()
        first = outbox.deliver_due(session=db_session, clock=lambda: now, sms=sender, wechat=None)
        assert (first.retried, first.sent) == (1, 1)
        later = now + timedelta(minutes=10)
        second = outbox.deliver_due(session=db_session, clock=lambda: later, sms=sender, wechat=None)
        assert second.sent == 1
    finally:
        server.shutdown()
    rows = db_session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [r.status for r in rows] == ["sent", "sent"]
    # Three requests for two messages, the retry with the first one's id; each delivered once.
    assert len(gateway.requests) == 3 and len(set(gateway.requests)) == 2
    assert gateway.requests[0] == gateway.requests[2] == outbox.message_id(rows[0])
    assert len(gateway.delivered) == 2
    assert all(gateway.lock_free), "the worker held the row locked while waiting for the gateway"
