"""Delivering the outbox: one message per transaction, locked with SKIP LOCKED so that several
workers never send the same message; failures retry with backoff and nothing is lost."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import Clock
from app.gateways import GatewayError
from app.services.unit_of_work import transaction
from models.citizen import Citizen
from models.notification import Notification, OutboxStatus

MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


LEASE = timedelta(minutes=2)  # a send that never reported back is tried again after this


def message_id(message: Notification) -> str:
    """The idempotency id the gateways receive (`X-Message-Id`): the same on every retry of one
    message, so a gateway that saw it already can drop the duplicate."""
    return f"onetrip-notification-{message.id}"


def deliver_one(*, session: Session, clock: Clock, sms, wechat) -> str | None:
    """Send the oldest due message; returns "sent", "retried", "failed" or None when none is due.

    The row is claimed in a short transaction (locked with SKIP LOCKED, its next attempt pushed one
    lease ahead, committed) and sent with no transaction open: a slow gateway holds no lock, and
    a worker that dies mid-send leaves the message to be retried after the lease with the same
    message id. The outcome is written in a second short transaction."""
    now = clock()
    with transaction(session):
        message = session.scalars(
            select(Notification).where(Notification.status == OutboxStatus.pending,
                                       Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id).limit(1)
            .with_for_update(skip_locked=True)).first()
        if message is None:
            return None
        citizen = session.get(Citizen, message.citizen_id)
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message.channel = "sms" if citizen.phone else "wechat" if citizen.wechat_openid else None
        ident, attempts = message_id(message), message.attempts
        phone, openid = citizen.phone, citizen.wechat_openid
        template, params, text = message.template, message.params, message.text
    try:
        if phone:
            sms.send(phone, template, params, text, message_id=ident)
        elif openid:
            wechat.send(openid, template, params, text, message_id=ident)
        else:
            raise GatewayError("the citizen has neither a phone nor a WeChat openid")
    except GatewayError as exc:
        with transaction(session):
            message.last_error = str(exc)[:1000]
            if attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.failed
                outcome = "failed"
            else:
                message.next_attempt_at = now + backoff(attempts)
                outcome = "retried"
        return outcome
    with transaction(session):
        message.status, message.sent_at, message.last_error = OutboxStatus.sent, clock(), None
    return "sent"


def deliver_due(*, session: Session, clock: Clock, sms, wechat, limit: int = 1000,
                should_stop=None) -> DeliveryReport:
    report = DeliveryReport()
    for _ in range(limit):
        if should_stop and should_stop():  # a stopping worker finishes the message in hand, no more
            break
        outcome = deliver_one(session=session, clock=clock, sms=sms, wechat=wechat)
        if outcome is None:
            break
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
