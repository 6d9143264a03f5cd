"""The e-license wallet (电子证照): never ask for what the government already holds (免提交)."""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.errors import Conflict, NotFound, ValidationFailed
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.application import Application, ApplicationMaterial, SubCase
from models.catalogue import Department, ElicenseType, Item
from models.citizen import Citizen
from models.elicense import Elicense, license_status
from models.material import Upload, UploadStatus, wrong_purpose
from models.workflow import AppStatus

OPEN = (AppStatus.draft, AppStatus.returned)
HOLDER_FIELDS = {"BIRTH_CERT": "baby_name", "BUSINESS_LICENSE": "company_name", "SEAL_FILING": "company_name"}


def status_of(lic: Elicense, today: date) -> str:
    return license_status(lic.valid_until, lic.revoked_at, today)


def list_licenses(session: Session, actor: Actor, *, page: int, page_size: int):
    return page_of(session, select(Elicense).where(Elicense.citizen_id == actor.id), Elicense.id.desc(),
                   page=page, page_size=page_size)


def own_license(session: Session, actor: Actor, license_id: int) -> Elicense:
    lic = session.get(Elicense, license_id)
    if lic is None or lic.citizen_id != actor.id:
        raise NotFound()
    return lic


def add_license(*, session: Session, clock: Clock, actor: Actor, type: str, number: str, holder_name: str,
                issuer: str | None, issued_on: date, valid_until: date | None, upload_ids: list[int]) -> Elicense:
    """A license the citizen photographs: unverified until a clerk checks it against the original."""
    with transaction(session):
        kind = session.scalars(select(ElicenseType).where(ElicenseType.code == type)).first()
        if kind is None:
            raise ValidationFailed("unknown_reference", errors={"type": [f"证照类型 {type} 不存在"]})
        if valid_until is not None and valid_until < issued_on:
            raise ValidationFailed(errors={"valid_until": ["有效期不能早于签发日期"]})
        uploads = session.scalars(select(Upload).where(Upload.id.in_(upload_ids))).all()
        usable = {u.id for u in uploads if u.citizen_id == actor.id and u.status == UploadStatus.ready
                  and not wrong_purpose(u, "elicense")}
        if set(upload_ids) - usable:
            raise ValidationFailed("upload_not_acceptable",
                                   errors={"upload_ids": sorted(set(upload_ids) - usable)})
        lic = Elicense(citizen_id=actor.id, type_id=kind.id, number=number, holder_name=holder_name,
                       issuer=issuer or kind.issuer, issued_on=issued_on, valid_until=valid_until, verified=False,
                       source="uploaded", upload_ids=list(upload_ids))
        session.add(lic)
        return lic


def verify_license(*, session: Session, clock: Clock, actor: Actor, license_id: int) -> Elicense:
    """A clerk has seen the original: the license now counts, and fills open applications.

    Only a clerk handling an application of the holder that uses the license (names it, or asks for
    its type), or a clerk of the hall where the holder stands — an assisted application (帮办) they
    consented to there — may check it (API.md v1.1); to any other clerk it does not exist, so a loop
    over ids reads no one's wallet."""
    from app.services.hall import clerk_scope

    with transaction(session):
        lic = session.get(Elicense, license_id)
        if lic is None:
            raise NotFound()
        handling = session.scalar(
            select(Application.id).join(ApplicationMaterial, ApplicationMaterial.application_id == Application.id)
            .where(clerk_scope(actor), Application.citizen_id == lic.citizen_id,
                   or_(ApplicationMaterial.elicense_id == lic.id, ApplicationMaterial.elicense_type == lic.type.code))
            .limit(1))
        if handling is None and actor.hall_id is not None:
            handling = session.scalar(select(Application.id).where(
                Application.citizen_id == lic.citizen_id, Application.assisted_hall_id == actor.hall_id,
                Application.consented_at.is_not(None)).limit(1))
        if handling is None:
            raise NotFound()
        if status_of(lic, local_date(clock())) != "valid":
            raise Conflict("invalid_transition", errors={"current_status": status_of(lic, local_date(clock())),
                                                         "action": "verify"})
        lic.verified, lic.verified_by = True, actor.id
        fill_open_applications(session, lic.citizen_id, local_date(clock()))
        return lic


def _usable(session: Session, citizen_id: int, today: date) -> dict[str, Elicense]:
    """The newest valid, verified license of each type."""
    found: dict[str, Elicense] = {}
    for lic in session.scalars(select(Elicense).where(Elicense.citizen_id == citizen_id, Elicense.verified.is_(True))
                               .order_by(Elicense.issued_on.desc(), Elicense.id.desc())):
        if status_of(lic, today) == "valid":
            found.setdefault(lic.type.code, lic)
    return found


def fill_from_wallet(session: Session, application: Application, today: date) -> int:
    """免提交: each unsatisfied material naming an e-license type the wallet holds is filled."""
    wallet = _usable(session, application.citizen_id, today)
    filled = 0
    for material in application.materials:
        if material.satisfied_by is None and material.elicense_type in wallet:
            material.satisfied_by, material.elicense_id = "elicense", wallet[material.elicense_type].id
            filled += 1
    application.recount_exempted()
    return filled


def fill_open_applications(session: Session, citizen_id: int, today: date) -> None:
    for application in session.scalars(select(Application).where(Application.citizen_id == citizen_id,
                                                                  Application.status.in_(OPEN))):
        fill_from_wallet(session, application, today)


def attach_license(session: Session, actor: Actor, material: ApplicationMaterial, license_id: int,
                   today: date) -> None:
    lic = session.get(Elicense, license_id)
    if lic is None or lic.citizen_id != actor.id:
        raise ValidationFailed("unknown_reference", errors={"elicense_id": ["电子证照不存在"]})
    if material.elicense_type != lic.type.code:
        raise ValidationFailed("elicense_not_usable", errors={"elicense_id": [f"此材料需要 {material.elicense_type}"]})
    if status_of(lic, today) != "valid":
        raise ValidationFailed("elicense_not_usable", errors={"elicense_id": ["证照已过期或已注销"]})
    material.upload_ids, material.elicense_id, material.satisfied_by = [], lic.id, "elicense"
    material.pending = False


def issue_result(session: Session, application: Application, subcase: SubCase, today: date) -> Elicense | None:
    """Approving an item that yields a certificate puts it in the citizen's wallet, verifiable by QR."""
    item = session.get(Item, subcase.item_id)
    if item.result_elicense_type_id is None:
        return None
    kind = session.get(ElicenseType, item.result_elicense_type_id)
    citizen = session.get(Citizen, application.citizen_id)
    form = application.form or {}
    holder = form.get(HOLDER_FIELDS.get(kind.code, ""), None) or form.get("applicant_name") or citizen.name or "—"
    valid_until = None
    if kind.validity_years:
        try:
            valid_until = today.replace(year=today.year + kind.validity_years)
        except ValueError:  # 29 February
            valid_until = today.replace(year=today.year + kind.validity_years, day=28)
    lic = Elicense(citizen_id=application.citizen_id, type_id=kind.id,
                   number=f"{application.number}-{subcase.position + 1}", holder_name=holder,
                   issuer=session.get(Department, item.department_id).name, issued_on=today,
                   valid_until=valid_until, verified=True, source="issued", upload_ids=[],
                   verification_code=secrets.token_urlsafe(24), application_id=application.id,
                   subcase_id=subcase.id)
    session.add(lic)
    session.flush()
    fill_open_applications(session, application.citizen_id, today)
    return lic


def mask_name(name: str) -> str:
    """王小明 -> 王**, 张三 -> 张*: enough to recognise, not enough to learn."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else name


def public_view(session: Session, code: str, today: date) -> dict:
    lic = session.scalars(select(Elicense).where(Elicense.verification_code == code)).first()
    if lic is None:
        raise NotFound()
    return {"type": lic.type.code, "type_name": lic.type.name, "holder_name_masked": mask_name(lic.holder_name),
            "issuer": lic.issuer, "issued_on": lic.issued_on, "valid_until": lic.valid_until,
            "status": status_of(lic, today)}
