"""seed-demo: the demo county's catalogue, halls and staff; running it twice changes nothing."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import Clock
from app.crypto import Passwords
from app.services import demo_data as d
from app.services.accounts import create_staff
from app.services.catalogue_admin import save_bundle, save_item, save_material, save_reference
from app.services.demo_people import seed_citizens, seed_people
from models.catalogue import Bundle, Carrier, Department, ElicenseType, Hall, HallLevel, Item, Material
from models.staff import Staff


def _upsert_by_code(session: Session, model, code: str, save) -> None:
    exists = session.scalars(select(model.id).where(model.code == code)).first() is not None
    save(exists)


def seed_demo(*, session: Session, clock: Clock, cipher, passwords: Passwords) -> dict[str, int]:
    """Upsert the demo catalogue through the same validated services an admin uses, and the demo
    people's records in the embedded data source (`cipher` encrypts their ID numbers), and two demo
    citizens, one real-name verified and one not."""
    departments = [(code, code, name, d.REGION) for code, name in d.DEPARTMENTS] + [
        (code, category, name, d.KC_REGION) for code, category, name in d.KC_DEPARTMENTS]
    for code, category, name, region in departments:
        save_reference(session=session, model=Department, data={
            "code": code, "name": name, "region_code": region, "category": category})
    halls = [(*hall, d.REGION) for hall in d.HALLS] + [(*hall, d.KC_REGION) for hall in d.KC_HALLS]
    for code, name, level, address, hours, region in halls:
        save_reference(session=session, model=Hall, data={
            "code": code, "name": name, "level": HallLevel(level), "region_code": region,
            "address": address, "hours": hours})
    for code, name, phone in d.CARRIERS:
        save_reference(session=session, model=Carrier, data={"code": code, "name": name, "phone": phone})
    for code, name, issuer, years in d.ELICENSE_TYPES:
        save_reference(session=session, model=ElicenseType, data={
            "code": code, "name": name, "issuer": issuer, "validity_years": years})
    for code, name, elicense, formats, size in d.MATERIALS:
        data = {"code": code, "name": name, "elicense_type": elicense, "formats": formats, "max_size_mb": size,
                "data_check": d.DATA_CHECKS.get(code)}
        _upsert_by_code(session, Material, code,
                        lambda exists: save_material(session=session, data=data, code=code if exists else None))
    for item in d.ITEMS:
        _upsert_by_code(session, Item, item["code"], lambda exists: save_item(
            session=session, data=item, code=item["code"] if exists else None))
    for bundle in d.BUNDLES:
        _upsert_by_code(session, Bundle, bundle["code"], lambda exists: save_bundle(
            session=session, data=bundle, code=bundle["code"] if exists else None))
    created = 0
    for username, password, role, binding, display in d.STAFF:
        if session.scalars(select(Staff.id).where(Staff.username == username)).first() is None:
            create_staff(session=session, passwords=passwords, username=username, password=password, role=role,
                         display_name=display, **binding)
            created += 1
    records = seed_people(session=session, cipher=cipher)
    citizens = seed_citizens(session=session, cipher=cipher, now=clock())
    return {"departments": len(departments), "halls": len(halls), "items": len(d.ITEMS),
            "bundles": len(d.BUNDLES), "staff_created": created,
            "data_records": records, "citizens_created": citizens}
