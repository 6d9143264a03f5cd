"""Who looked at my data (API.md v1.1): every staff read of personal data is recorded — who, role,
when, what, why — and shown to the citizen it concerns and to the supervisors of the region.
Append-only (models/access_log.py), like the events of a case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import SHANGHAI, Clock
from app.services.paging import page_of
from app.services.supervision import check_region
from app.services.unit_of_work import transaction
from models.access_log import AccessLogEntry
from models.catalogue import Department, Hall, region_prefix
from models.staff import Staff


@dataclass(frozen=True)
class Read:
    """One piece of a citizen's data a staff member was shown."""

    citizen_id: int
    resource: str
    resource_id: int
    label: str | None = None
    region_code: str | None = None


def record(*, session: Session, clock: Clock, actor: Actor, reads: list[Read], purpose: str,
           request_id: str | None = None) -> None:
    """Write one entry per read, in its own transaction (the read itself changed nothing)."""
    if actor.kind != "staff" or not reads:
        return
    with transaction(session):
        now = clock()
        fallback = actor.region_code or ""
        if not fallback and any(not r.region_code for r in reads):
            fallback = _department_region(session, actor) or ""
        rows = {(r.resource, r.resource_id): {
            "at": now, "citizen_id": r.citizen_id, "staff_id": actor.id, "staff_role": actor.role,
            "resource": r.resource, "resource_id": r.resource_id, "label": r.label, "purpose": purpose[:200],
            "region_code": r.region_code or fallback, "request_id": request_id} for r in reads if r.citizen_id}
        if rows:  # one statement for a whole page; the table's INSERT, not the ORM's bulk one (no objects)
            session.execute(insert(AccessLogEntry.__table__), list(rows.values()))


def _department_region(session: Session, actor: Actor) -> str | None:
    if actor.department_id is None:
        return None
    return session.scalar(select(Department.region_code).where(Department.id == actor.department_id))


def _view(session: Session, entries: list[AccessLogEntry]) -> list[dict]:
    staff = {s.id: s for s in session.scalars(select(Staff).where(Staff.id.in_({e.staff_id for e in entries})))}
    halls = dict(session.execute(select(Hall.id, Hall.name).where(
        Hall.id.in_({s.hall_id for s in staff.values() if s.hall_id}))).all()) if staff else {}
    departments = dict(session.execute(select(Department.id, Department.name).where(
        Department.id.in_({s.department_id for s in staff.values() if s.department_id}))).all()) if staff else {}
    out = []
    for e in entries:
        who = staff[e.staff_id]
        out.append({"id": e.id, "at": e.at, "citizen_id": e.citizen_id, "staff_id": e.staff_id,
                    "staff_name": who.display_name or who.username, "staff_role": e.staff_role,
                    "organisation": halls.get(who.hall_id) or departments.get(who.department_id),
                    "resource": e.resource, "resource_id": e.resource_id, "label": e.label,
                    "purpose": e.purpose})
    return out


def for_citizen(session: Session, actor: Actor, *, page: int, page_size: int):
    """The citizen's own entries, newest first."""
    rows, total = page_of(session, select(AccessLogEntry).where(AccessLogEntry.citizen_id == actor.id),
                          AccessLogEntry.at.desc(), AccessLogEntry.id.desc(), page=page, page_size=page_size)
    return _view(session, rows), total


def for_supervisor(session: Session, actor: Actor, *, citizen_id: int | None = None, staff_id: int | None = None,
                   date_from: date | None = None, date_to: date | None = None, region_code: str | None = None,
                   page: int, page_size: int):
    """Entries of the supervisor's region (and below), filtered by citizen, staff and dates."""
    region = check_region(actor, region_code)
    stmt = select(AccessLogEntry)
    if region:
        stmt = stmt.where(AccessLogEntry.region_code.startswith(region_prefix(region)))
    if citizen_id is not None:
        stmt = stmt.where(AccessLogEntry.citizen_id == citizen_id)
    if staff_id is not None:
        stmt = stmt.where(AccessLogEntry.staff_id == staff_id)
    if date_from is not None:
        stmt = stmt.where(AccessLogEntry.at >= _day_start(date_from))
    if date_to is not None:
        stmt = stmt.where(AccessLogEntry.at < _day_start(date_to + timedelta(days=1)))
    rows, total = page_of(session, stmt, AccessLogEntry.at.desc(), AccessLogEntry.id.desc(),
                          page=page, page_size=page_size)
    return _view(session, rows), total


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)
