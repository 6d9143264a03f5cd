"""异地可办 / 跨域通办: where a case is accepted, whose departments decide it, and the halls and
departments an admin keeps for every region.

A case is accepted in the region of the hall where it is lodged; each sub-case goes to the
department of the *competent* region (where the citizen's household or social insurance is
registered) that does the item's job (its `category`). Cases of items not marked `cross_region`
stay in one region.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationFailed
from app.services.catalogue_admin import _get_or_new, _insert
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.catalogue import Department, Hall, HallLevel, Item, region_prefix


def place(session: Session, items: list[Item], hall: Hall | None, competent_region_code: str | None) -> tuple[str, str]:
    """(accepting region, competent region) of a new case, or 422 when an item cannot go there."""
    home = items[0].department.region_code
    region = hall.region_code if hall is not None else (competent_region_code or home)
    competent = competent_region_code or region
    if competent != region:
        refused = [item.code for item in items if not item.cross_region]
        if refused:
            raise ValidationFailed("not_cross_region", errors={"competent_region_code": refused})
    for item in items:
        competent_department(session, item, competent)
    return region, competent


def competent_department(session: Session, item: Item, region_code: str | None) -> Department:
    """The department of `region_code` doing the item's job (the item's own one in its region)."""
    if region_code is None or item.department.region_code == region_code:
        return item.department
    department = session.scalars(select(Department).where(Department.category == item.department.category,
                                                          Department.region_code == region_code)
                                 .order_by(Department.id)).first()
    if department is None:
        raise ValidationFailed("no_competent_department", errors={
            "competent_region_code": [f"{region_code} 没有办理 {item.code} 的部门"]})
    return department


def save_hall(*, session: Session, data: dict, code: str | None = None) -> Hall:
    """Create (code None) or change a hall or village point."""
    with transaction(session):
        hall = _get_or_new(session, Hall, code or data["code"], code is None)
        for key, value in data.items():
            if key != "code":
                setattr(hall, key, HallLevel(value) if key == "level" else value)
        session.add(hall)
        _insert(session, hall, code is None)
        return hall


def save_department(*, session: Session, data: dict, code: str | None = None) -> Department:
    """Create (code None) or change a department; its category defaults to its code (its own job)."""
    with transaction(session):
        department = _get_or_new(session, Department, code or data["code"], code is None)
        for key, value in data.items():
            if key != "code":
                setattr(department, key, value)
        department.category = department.category or department.code
        session.add(department)
        _insert(session, department, code is None)
        return department


def list_places(session: Session, model, *, region_code: str | None = None, page: int = 1, page_size: int = 20):
    """Halls or departments, by region and code."""
    stmt = select(model)
    if region_code:
        stmt = stmt.where(model.region_code.startswith(region_prefix(region_code)))
    return page_of(session, stmt, model.region_code, model.code, page=page, page_size=page_size)
