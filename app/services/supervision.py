"""电子监察: the warnings list supervisors watch, and who supervises what (the scan that turns cases
yellow and red is app/services/deadline_scan.py)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, case, cast, literal, null, or_, select, true, union_all
from sqlalchemy.orm import Session

from app.actors import Actor
from app.errors import Forbidden
from app.services.paging import page_of, with_total
from models.application import Application, ApplicationMaterial, SubCase
from models.catalogue import region_covers, region_prefix
from models.evaluation import Alert
from models.staff import Role
from models.workflow import AppStatus, SubStatus

OPEN_APPS = (AppStatus.accepted, AppStatus.in_review)
OPEN_SUBS = (SubStatus.pending, SubStatus.materials_requested)
WARN = ("yellow", "red")
WATCHED_PLEDGES = (AppStatus.accepted, AppStatus.in_review, AppStatus.completed)


def check_region(actor: Actor, region_code: str | None) -> str:
    """A supervisor sees their region and everything under it, nothing beside it."""
    own = actor.region_code or ""
    if actor.role == Role.admin:
        return region_code or ""
    if region_code is None:
        return own
    if not region_covers(own, region_code):
        raise Forbidden()
    return region_code


def supervised(actor: Actor):
    """The cases a supervisor watches: those of their own region, and those escalated (督办) to their
    region or one under it; an admin watches all."""
    if watches_all(actor):
        return true()
    return watched_region(actor.region_code, region_prefix(actor.region_code))


def watches_all(actor: Actor) -> bool:
    return actor.role == Role.admin or not actor.region_code


def watched_region(region_code, prefix):
    """`supervised` for a region (values or bindparams): its own cases and those escalated under it."""
    return or_(Application.region_code == region_code, Application.escalated_to.startswith(prefix))


def warnings(session: Session, actor: Actor, *, light: str | None = None, hall_id: int | None = None,
             department_id: int | None = None, escalated: bool | None = None, page: int = 1, page_size: int = 20):
    """Yellow and red applications (by hall), sub-cases (by department) and overdue pledges (容缺) that
    the supervisor watches."""
    watched = not watches_all(actor)
    union = _warnings(watched, hall_id is not None, department_id is not None, escalated)
    params = {"lights": [light] if light else list(WARN), "hall_id": hall_id, "department_id": department_id}
    if watched:
        params |= {"region": actor.region_code, "prefix": region_prefix(actor.region_code)}
    rows, total = with_total(session, select(union).order_by(case((union.c.light == "red", 0), else_=1), union.c.due,
                                                             union.c.application_id, union.c.kind)
                             .limit(page_size).offset((page - 1) * page_size), select(union),
                             page_size=page_size, number=page, mappings=True, params=params)
    return [{**r, "id": r["application_id"], "escalated": r["escalated_at"] is not None} for r in rows], total


@lru_cache(maxsize=64)
def _warnings(watched: bool, by_hall: bool, by_department: bool, escalated: bool | None):
    """The UNION the warnings list pages through, for one shape of filters, built once (building it took
    ~3 ms a request, more than running it): the lights, region, hall and department are parameters
    (`lights`, `region`, `prefix`, `hall_id`, `department_id`), as they were values bound anew."""
    lights = bindparam("lights", expanding=True)
    common = (Application.id.label("application_id"), Application.number, Application.title, Application.hall_id)
    tail = (Application.escalated_to, Application.escalated_at)
    app_rows = select(*common, cast(null(), Integer).label("department_id"),
                      cast(null(), String).label("item_code"), Application.light,
                      Application.promised_date.label("due"), cast(null(), Integer).label("subcase_id"),
                      literal("deadline").label("kind"), *tail) \
        .where(Application.status.in_(OPEN_APPS), Application.light.in_(lights))
    sub_rows = select(*common, SubCase.department_id, SubCase.item_code, SubCase.light,
                      Application.promised_date, SubCase.id, literal("deadline"), *tail) \
        .join(Application, SubCase.application_id == Application.id) \
        .where(SubCase.status.in_(OPEN_SUBS), SubCase.light.in_(lights))
    owed = select(ApplicationMaterial.application_id).where(ApplicationMaterial.commitment_state == "overdue")
    pledge_rows = select(*common, cast(null(), Integer), cast(null(), String), literal("red"),
                         Application.commitment_due, cast(null(), Integer), literal("commitment"), *tail) \
        .where(Application.status.in_(WATCHED_PLEDGES), Application.id.in_(owed), literal("red").in_(lights))
    parts = []
    for rows in (app_rows, sub_rows, pledge_rows):
        if watched:  # supervised(actor), the actor's region as parameters
            rows = rows.where(watched_region(bindparam("region"), bindparam("prefix")))
        if by_hall:
            rows = rows.where(Application.hall_id == bindparam("hall_id"))
        if escalated is not None:
            rows = rows.where(Application.escalated_at.is_not(None) if escalated else Application.escalated_at.is_(None))
        parts.append(rows)
    app_rows, sub_rows, pledge_rows = parts
    if by_department:
        department = bindparam("department_id")
        in_department = Application.id.in_(select(SubCase.application_id).where(SubCase.department_id == department))
        app_rows, pledge_rows = app_rows.where(in_department), pledge_rows.where(in_department)
        sub_rows = sub_rows.where(SubCase.department_id == department)
    return union_all(app_rows, sub_rows, pledge_rows).subquery()


def alerts_for(session: Session, actor: Actor, *, page: int = 1, page_size: int = 20):
    """A clerk's hall's alerts (applications), a reviewer's department's (sub-cases), newest first."""
    mine = Alert.hall_id == actor.hall_id if actor.role == Role.clerk else Alert.department_id == actor.department_id
    return page_of(session, select(Alert).where(mine), Alert.id.desc(), page=page, page_size=page_size)
