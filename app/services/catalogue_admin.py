"""Keeping the standard catalogue (八统一) and its bundles consistent when an admin edits them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationFailed
from app.services.calendar import calendar_changed
from app.services.catalogue import bundle_parts
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.bundling import find_cycle
from models.calendar import CalendarOverride
from models.catalogue import (
    Bundle, BundleItem, Department, ElicenseType, HallLevel, Item, ItemHallLevel, ItemMaterial,
    Material,
)


def _by_codes(session: Session, model, codes: list[str]) -> dict[str, object]:
    if not codes:
        return {}
    return {row.code: row for row in session.scalars(select(model).where(model.code.in_(set(codes))))}


def _one(session: Session, model, code: str | None, field: str, problems: dict):
    if code is None:
        return None
    row = session.scalars(select(model).where(model.code == code)).first()
    if row is None:
        problems[field] = [f"编码 {code} 不存在"]
    return row


def _get_or_new(session: Session, model, code: str, create: bool):
    row = session.scalars(select(model).where(model.code == code)).first()
    if create and row is not None:
        raise Conflict("already_exists", errors={"code": [f"编码 {code} 已存在"]})
    if not create and row is None:
        raise NotFound()
    return row or model(code=code)


def _insert(session: Session, row, create: bool) -> None:
    """Flush a saved row. A create that lost a race for its code (another admin's create of the
    same code committed after `_get_or_new` looked) is the same 409 as one that saw it."""
    try:
        session.flush()
    except IntegrityError as exc:
        if not create:
            raise
        raise Conflict("already_exists", errors={"code": [f"编码 {row.code} 已存在"]}) from exc


def _assign(row, values: dict) -> None:
    """Set only what differs, so re-applying the same definition writes nothing."""
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def save_material(*, session: Session, data: dict, code: str | None = None) -> Material:
    with transaction(session):
        create = code is None
        material = _get_or_new(session, Material, code or data["code"], create)
        problems: dict = {}
        elicense = _one(session, ElicenseType, data.get("elicense_type"), "elicense_type", problems)
        if problems:
            raise ValidationFailed("unknown_reference", errors=problems)
        _assign(material, {"name": data["name"], "elicense_type_id": elicense.id if elicense else None,
                           "formats": list(data["formats"]), "max_size_mb": data["max_size_mb"],
                           "data_check": data.get("data_check")})
        session.add(material)
        _insert(session, material, create)
        return material


def save_item(*, session: Session, data: dict, code: str | None = None) -> Item:
    """Create (code None) or replace an item; every reference must exist (八统一: one catalogue)."""
    with transaction(session):
        create = code is None
        item = _get_or_new(session, Item, code or data["code"], create)
        problems: dict = {}
        department = _one(session, Department, data["department"], "department", problems)
        result_type = _one(session, ElicenseType, data.get("result_elicense_type"),
                           "result_elicense_type", problems)
        wanted = [m["code"] for m in data["materials"]]
        materials = _by_codes(session, Material, wanted)
        missing = [c for c in wanted if c not in materials]
        if missing:
            problems["materials"] = [f"材料编码 {c} 不存在" for c in missing]
        if problems:
            raise ValidationFailed("unknown_reference", errors=problems)

        _assign(item, {
            "main_name": data["main_name"], "sub_name": data["sub_name"], "legal_basis": data["legal_basis"],
            "department_id": department.id, "statutory_days": data["statutory_days"],
            "promised_days": data["promised_days"], "max_visits": data["max_visits"],
            "mobile": data["mobile"], "delivery_options": list(data["delivery_options"]),
            "fee": data["fee"], "result_elicense_type_id": result_type.id if result_type else None,
            "life_event": data.get("life_event"), "steps": list(data["steps"]),
            "internal_steps": list(data["internal_steps"]), "form": [dict(f) for f in data["form"]],
            "cross_region": data.get("cross_region", False),
        })
        _sync_materials(item, data["materials"], materials)
        _sync_levels(item, data["hall_levels"])
        session.add(item)
        _insert(session, item, create)
        if not create:
            _check_bundles_containing(session, item)
        return item


def _sync_materials(item: Item, wanted: list[dict], materials: dict[str, Material]) -> None:
    current = {link.material.code: link for link in item.materials if link.material is not None}
    links = []
    for position, spec in enumerate(wanted):
        link = current.get(spec["code"]) or ItemMaterial(material=materials[spec["code"]])
        _assign(link, {"position": position, "required": spec["required"],
                       "commitment_allowed": spec["commitment_allowed"]})
        links.append(link)
    if [id(x) for x in links] != [id(x) for x in item.materials]:
        item.materials = links


def _sync_levels(item: Item, levels: list[str]) -> None:
    if sorted(item.level_names) != sorted(set(levels)):
        item.hall_levels = [ItemHallLevel(level=HallLevel(level)) for level in sorted(set(levels))]


def _check_bundles_containing(session: Session, item: Item) -> None:
    bundles = session.scalars(select(Bundle).join(BundleItem).where(BundleItem.item_id == item.id)).all()
    for bundle in bundles:
        session.refresh(bundle)
        _, conflicts, _ = bundle_parts(bundle.items)
        if conflicts:
            raise ValidationFailed("form_conflict", errors={"form": conflicts, "bundle": [bundle.code]})


def save_bundle(*, session: Session, data: dict, code: str | None = None) -> Bundle:
    """Create or replace a 一件事 bundle: existing items, dependencies inside it, no cycles."""
    with transaction(session):
        create = code is None
        bundle = _get_or_new(session, Bundle, code or data["code"], create)
        codes = [entry["code"] for entry in data["items"]]
        items = _by_codes(session, Item, codes)
        missing = [c for c in codes if c not in items]
        if missing:
            raise ValidationFailed("unknown_reference", errors={"items": [f"事项 {c} 不存在" for c in missing]})
        outside = sorted({d for entry in data["items"] for d in entry["depends_on"] if d not in codes})
        if outside:
            raise ValidationFailed("unknown_reference",
                                   errors={"depends_on": [f"前置事项 {c} 不在本件事中" for c in outside]})
        cycle = find_cycle({entry["code"]: list(entry["depends_on"]) for entry in data["items"]})
        if cycle:
            raise ValidationFailed("dependency_cycle", errors={"cycle": cycle})

        _assign(bundle, {"name": data["name"], "life_event": data.get("life_event"),
                         "description": data.get("description", "")})
        current = {link.item.code: link for link in bundle.items}
        links = []
        for position, entry in enumerate(data["items"]):
            link = current.get(entry["code"]) or BundleItem(item=items[entry["code"]])
            _assign(link, {"position": position, "depends_on": list(entry["depends_on"])})
            links.append(link)
        if [id(x) for x in links] != [id(x) for x in bundle.items]:
            bundle.items = links
        _, conflicts, _ = bundle_parts(links)
        if conflicts:
            raise ValidationFailed("form_conflict", errors={"form": conflicts})
        session.add(bundle)
        _insert(session, bundle, create)
        return bundle


def save_reference(*, session: Session, model, data: dict):
    """Upsert a department, carrier, hall or e-license type by code (used by seed-demo)."""
    with transaction(session):
        row = session.scalars(select(model).where(model.code == data["code"])).first() or model(code=data["code"])
        _assign(row, {k: v for k, v in data.items() if k != "code"})
        session.add(row)
        return row


def list_calendar(session: Session, *, page: int = 1, page_size: int = 20):
    return page_of(session, select(CalendarOverride), CalendarOverride.day, page=page, page_size=page_size)


def set_calendar_day(*, session: Session, day, is_workday: bool, reason: str):
    """An admin's word on one day (a holiday or 调休 published after the library's release)."""
    with transaction(session):
        row = session.get(CalendarOverride, day) or CalendarOverride(day=day)
        row.is_workday, row.reason = is_workday, reason
        session.add(row)
    calendar_changed()
    return row


def delete_calendar_day(*, session: Session, day) -> None:
    with transaction(session):
        row = session.get(CalendarOverride, day)
        if row is None:
            raise NotFound()
        session.delete(row)
    calendar_changed()
