"""The citizen's messages (API.md v1.1): every notification the outbox holds for them — SMS,
WeChat or in-app — with its delivery status and whether they have read it in the app."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock
from app.errors import NotFound
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.notification import Notification, OutboxStatus

# Outbox states as the citizen sees them.
STATUS = {OutboxStatus.pending: "queued", OutboxStatus.sent: "sent", OutboxStatus.failed: "failed"}


def view(message: Notification) -> dict:
    return {"id": message.id, "application_id": message.application_id, "template": message.template,
            "text": message.text, "channel": message.channel or "app", "status": STATUS[message.status],
            "created_at": message.created_at, "sent_at": message.sent_at, "read_at": message.read_at}


def list_messages(session: Session, actor: Actor, *, unread: bool | None = None, page: int, page_size: int):
    stmt = select(Notification).where(Notification.citizen_id == actor.id)
    if unread is not None:
        stmt = stmt.where(Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None))
    rows, total = page_of(session, stmt, Notification.created_at.desc(), Notification.id.desc(),
                          page=page, page_size=page_size)
    return [view(m) for m in rows], total


def mark_read(*, session: Session, clock: Clock, actor: Actor, message_id: int) -> dict:
    """Idempotent: the first reading time stays."""
    with transaction(session):
        message = session.get(Notification, message_id)
        if message is None or message.citizen_id != actor.id:
            raise NotFound()
        if message.read_at is None:
            message.read_at = clock()
        return view(message)
