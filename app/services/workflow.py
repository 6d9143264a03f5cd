"""Moving applications and sub-cases through the one state machine, with an event for each move."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.actors import Actor
from app.errors import Conflict, Forbidden
from models.application import Application, Event, SubCase
from models.workflow import IllegalMove, RoleNotAllowed, next_status


def move(session: Session, target: Application | SubCase, action: str, *, actor: Actor, at: datetime,
         message: str = "", note: str | None = None, details: dict | None = None) -> Event:
    """Apply `action` if TRANSITIONS allows it from the current status for the actor's role. Runs inside
    the caller's `transaction()`, which undoes the use case when the move is refused."""
    from models.shipment import Shipment

    kind = ("application" if isinstance(target, Application) else
            "shipment" if isinstance(target, Shipment) else "subcase")
    current = str(target.status)
    try:
        new = next_status(kind, action, current, actor.role)
    except IllegalMove as exc:
        raise Conflict("invalid_transition", errors={"current_status": current, "action": action}) from exc
    except RoleNotAllowed as exc:
        raise Forbidden() from exc
    target.status = new  # the StrEnum column takes its value
    application_id = target.id if kind == "application" else target.application_id
    if kind == "shipment":
        details = {**(details or {}), "shipment_id": target.id}
    entry = Event(application_id=application_id, subcase_id=target.id if kind == "subcase" else None, at=at,
                  event=f"shipment_{action}" if kind == "shipment" else action, from_status=current,
                  to_status=new, actor_role=actor.role, actor_id=actor.id, message=message, note=note,
                  details=details)
    session.add(entry)
    return entry


def record(session: Session, application: Application, event: str, *, actor: Actor, at: datetime,
           message: str = "", note: str | None = None, details: dict | None = None,
           subcase: SubCase | None = None) -> Event:
    """An event that is not a status change (a visit, a pledge, an address change)."""
    entry = Event(application_id=application.id, subcase_id=subcase.id if subcase else None, at=at,
                  event=event, actor_role=actor.role, actor_id=actor.id, message=message, note=note,
                  details=details)
    session.add(entry)
    return entry
