"""Reading the standard catalogue (八统一) and the 一件事 bundles built on it."""
from __future__ import annotations

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.services.paging import page_of
from models.bundling import critical_path_days, merge_form, merge_materials, produced_upstream
from models.catalogue import (
    Bundle, BundleItem, Carrier, Department, ElicenseType, Hall, HallLevel, Item, ItemHallLevel,
    ItemMaterial, region_prefix,
)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_hall(session: Session, ref: str | int) -> Hall | None:
    """A hall by id or by code."""
    if isinstance(ref, int) or str(ref).isdigit():
        return session.get(Hall, int(ref))
    return session.scalars(select(Hall).where(Hall.code == ref)).first()


def list_items(session: Session, *, q: str | None = None, department: str | None = None,
               life_event: str | None = None, mobile: bool | None = None, hall: str | None = None,
               page: int = 1, page_size: int = 20):
    stmt = select(Item)
    if q:
        pattern = _like(q.strip())
        stmt = stmt.where(or_(Item.main_name.ilike(pattern, escape="\\"),
                              Item.sub_name.ilike(pattern, escape="\\"),
                              Item.code.ilike(pattern, escape="\\")))
    if department:
        stmt = stmt.join(Department, Item.department_id == Department.id).where(Department.code == department)
    if life_event:
        stmt = stmt.where(Item.life_event == life_event)
    if mobile is not None:
        stmt = stmt.where(Item.mobile.is_(mobile))
    if hall:
        found = find_hall(session, hall)
        if found is None:
            return [], 0
        stmt = stmt.where(Item.id.in_(select(ItemHallLevel.item_id).where(ItemHallLevel.level == found.level)))
    return page_of(session, stmt, Item.code, page=page, page_size=page_size)


def get_item(session: Session, code: str) -> Item:
    item = session.scalars(select(Item).where(Item.code == code)).first()
    if item is None:
        raise NotFound()
    return item


def material_view(link: ItemMaterial) -> dict:
    m = link.material
    return {"code": m.code, "name": m.name, "required": link.required,
            "elicense_type": m.elicense_type.code if m.elicense_type else None,
            "commitment_allowed": link.commitment_allowed, "formats": list(m.formats),
            "max_size_mb": m.max_size_mb, "data_check": m.data_check}


def item_view(item: Item) -> dict:
    """The 八统一 guide of one item."""
    return {
        "code": item.code, "main_name": item.main_name, "sub_name": item.sub_name,
        "legal_basis": item.legal_basis, "department": item.department.code,
        "department_name": item.department.name,
        "materials": [material_view(link) for link in item.materials],
        "steps": item.steps, "internal_steps": item.internal_steps,
        "statutory_days": item.statutory_days, "promised_days": item.promised_days,
        "form": item.form, "max_visits": item.max_visits, "mobile": item.mobile,
        "delivery_options": item.delivery_options, "fee": item.fee,
        "result_elicense_type": item.result_elicense_type.code if item.result_elicense_type else None,
        "life_event": item.life_event, "hall_levels": item.level_names,
        "accepting_levels": item.level_names, "cross_region": item.cross_region,
    }


def list_bundles(session: Session, *, life_event: str | None = None, page: int = 1, page_size: int = 20):
    stmt = select(Bundle)
    if life_event:
        stmt = stmt.where(Bundle.life_event == life_event)
    return page_of(session, stmt, Bundle.code, page=page, page_size=page_size)


def get_bundle(session: Session, code: str) -> Bundle:
    bundle = session.scalars(select(Bundle).where(Bundle.code == code)).first()
    if bundle is None:
        raise NotFound()
    return bundle


def bundle_parts(links: list[BundleItem]) -> tuple[list[dict], list[str], list]:
    """(merged form, conflicting field names, merged materials) of bundle items in order.

    A certificate an item of the bundle issues (出生医学证明 in 新生儿出生一件事) is not asked of
    the citizen for the items downstream of it: it reaches them as an e-license once issued. The
    producing item, and items in parallel with it, are asked as usual (models.bundling).
    """
    form, conflicts = merge_form([link.item.form for link in links])
    produced = produced_upstream(
        {link.item.code: link.item.result_elicense_type.code if link.item.result_elicense_type else None
         for link in links},
        {link.item.code: list(link.depends_on) for link in links})
    materials = merge_materials([(link.item.code, material_view(m))
                                 for link in links for m in link.item.materials
                                 if m.material.elicense_type is None
                                 or m.material.elicense_type.code not in produced[link.item.code]])
    return form, conflicts, materials


def bundle_view(bundle: Bundle) -> dict:
    """One merged form and one merged material list: each field and material asked once."""
    form, _, materials = bundle_parts(bundle.items)
    days = {link.item.code: link.item.promised_days for link in bundle.items}
    deps = {link.item.code: list(link.depends_on) for link in bundle.items}
    return {
        "code": bundle.code, "name": bundle.name, "life_event": bundle.life_event,
        "description": bundle.description,
        "items": [{"code": link.item.code, "main_name": link.item.main_name,
                   "department": link.item.department.code,
                   "promised_days": link.item.promised_days, "depends_on": list(link.depends_on)}
                  for link in bundle.items],
        "form": form,
        "materials": [vars(m) for m in materials],
        "promised_days": critical_path_days(days, deps),
    }


def list_halls(session: Session, *, level: str | None = None, region_code: str | None = None,
               page: int = 1, page_size: int = 20):
    level_rank = case((Hall.level == HallLevel.county, 0), (Hall.level == HallLevel.township, 1), else_=2)
    stmt = select(Hall)
    if level:
        stmt = stmt.where(Hall.level == HallLevel(level))
    if region_code:
        stmt = stmt.where(Hall.region_code.startswith(region_prefix(region_code)))
    return page_of(session, stmt, Hall.region_code, level_rank, Hall.code, page=page, page_size=page_size)


def list_reference(session: Session, model, *, page: int = 1, page_size: int = 20):
    """Departments, carriers and e-license types, by code."""
    assert model in (Department, Carrier, ElicenseType)
    return page_of(session, select(model), model.code, page=page, page_size=page_size)
