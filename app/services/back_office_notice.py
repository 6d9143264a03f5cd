"""一次性告知 binds the back office too: one department asks once, and the departments of one
bundle that ask on the same working day reach the citizen as one notice listing every problem.

The timeline keeps each department's request as its own event (what was asked, by whom, when);
only the message to the citizen is consolidated. It is held until the working day ends while
another department of the bundle could still ask, then goes out as one.
"""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import SHANGHAI, local_date
from app.errors import Conflict
from app.services.notify import message_params, message_text, notify
from models.application import Application, Event, SubCase
from models.catalogue import Item
from models.notification import Notification, OutboxStatus
from models.workflow import SubStatus

TEMPLATE = "materials_requested"
WORKING_DAY_ENDS = time(17, 30)  # the county hall closes; a notice held for the day goes out then


def refuse_second_request(session: Session, subcase: SubCase) -> None:
    """A department asks once; again only about what the citizen changed since (as for the window)."""
    if subcase.status == SubStatus.pending and subcase.request_count and not subcase.changed_since_request:
        raise Conflict("already_requested", errors={"request_count": subcase.request_count})


def record_request(subcase: SubCase) -> None:
    subcase.request_count = (subcase.request_count or 0) + 1
    subcase.changed_since_request = False


def mark_changed(session: Session, application: Application, item_codes: list[str]) -> None:
    """The citizen changed a material after acceptance: the departments that use it may ask again."""
    if not item_codes:
        return
    for subcase in session.scalars(select(SubCase).where(SubCase.application_id == application.id,
                                                         SubCase.item_code.in_(item_codes),
                                                         SubCase.request_count > 0)):
        subcase.changed_since_request = True


def _hold_until(now: datetime, siblings: list[SubCase]) -> datetime:
    """Until the working day ends if another department of the bundle could still ask today."""
    could_ask = any(s.status == SubStatus.pending for s in siblings)
    end = datetime.combine(local_date(now), WORKING_DAY_ENDS, tzinfo=SHANGHAI)
    return end if could_ask and now < end else now


def _requests_today(session: Session, application: Application, now: datetime) -> str:
    """Every department's problems asked today, from the events (the one record of what was asked)."""
    rows = session.execute(
        select(Event, Item.main_name).join(SubCase, Event.subcase_id == SubCase.id)
        .join(Item, SubCase.item_id == Item.id)
        .where(Event.application_id == application.id, Event.event == "request_materials")
        .order_by(Event.id)).all()
    parts = []
    for event, item_name in rows:
        if local_date(event.at) == local_date(now):
            problems = "，".join(f"{p['target']}：{p['reason']}" for p in (event.details or {}).get("problems", []))
            parts.append(f"「{item_name}」{problems}")
    return "；".join(parts)


def notify_materials_requested(session: Session, application: Application, siblings: list[SubCase], *,
                               now: datetime) -> None:
    """One notice per application and working day, however many departments ask."""
    session.flush()  # the request's own event is part of the notice
    send_at = _hold_until(now, siblings)
    problems = _requests_today(session, application, now)
    queued = session.scalars(select(Notification).where(
        Notification.application_id == application.id, Notification.template == TEMPLATE,
        Notification.status == OutboxStatus.pending).order_by(Notification.id.desc())).first()
    if queued is not None and local_date(queued.created_at) == local_date(now) and queued.attempts == 0:
        # Not sent yet: it becomes the notice listing every department's problems.
        queued.params = message_params(application, problems=problems)
        queued.text = message_text(TEMPLATE, queued.params)
        queued.next_attempt_at = send_at
        return
    notify(session, application, TEMPLATE, at=now, send_at=send_at, problems=problems)
