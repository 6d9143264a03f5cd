"""Delivering the outbox: one message per transaction, locked with SKIP LOCKED so that several
workers never send the same message; failures retry with backoff and nothing is lost."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import Clock
from app.gateways import GatewayError
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


def deliver_one(*, session: Session, clock: Clock, sms, wechat) -> str | None:
    """Send the oldest due message; returns "sent", "retried", "failed" or None when none is due."""
    now = clock()
    message = session.scalars(
        select(Notification).where(Notification.status == OutboxStatus.pending,
                                   Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id).limit(1)
        .with_for_update(skip_locked=True)).first()
    if message is None:
        session.rollback()
        return None
    citizen = session.get(Citizen, message.citizen_id)
    try:
        if citizen.phone:
            message.channel = "sms"
            sms.send(citizen.phone, message.template, message.params, message.text)
        elif citizen.wechat_openid:
            message.channel = "wechat"
            wechat.send(citizen.wechat_openid, message.template, message.params, message.text)
        else:
            raise GatewayError("the citizen has neither a phone nor a WeChat openid")
    except GatewayError as exc:
        message.attempts += 1
        message.last_error = str(exc)[:1000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.failed
            outcome = "failed"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            outcome = "retried"
        session.commit()
        return outcome
    message.attempts += 1
    message.status, message.sent_at, message.last_error = OutboxStatus.sent, now, None
    session.commit()
    return "sent"


def deliver_due(*, session: Session, clock: Clock, sms, wechat, limit: int = 1000) -> DeliveryReport:
    report = DeliveryReport()
    for _ in range(limit):
        outcome = deliver_one(session=session, clock=clock, sms=sms, wechat=wechat)
        if outcome is None:
            break
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
