"""Citizen profiles (实名信息) and staff accounts."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.actors import CITIZEN
from app.crypto import FieldCipher, Passwords
from app.errors import Conflict, NotFound, ValidationFailed
from app.services.unit_of_work import transaction
from models.catalogue import Carrier, Department, Hall
from models.citizen import Citizen
from models.staff import Role, Staff, binding_problems

ID_CONTEXT = "citizens.id_number"


def citizen_id_number(citizen: Citizen, cipher: FieldCipher) -> str | None:
    if citizen.id_number_cipher is None:
        return None
    return cipher.decrypt(citizen.id_number_cipher, context=ID_CONTEXT)


def update_profile(*, session: Session, cipher: FieldCipher, citizen_id: int,
                   changes: dict) -> Citizen:
    """Name and GB 11643 resident ID; the ID is unique across citizens and frozen once verified."""
    with transaction(session):
        citizen = session.get(Citizen, citizen_id)
        if citizen is None:
            raise NotFound()
        if "name" in changes and changes["name"] != citizen.name:
            if citizen.real_name_verified:  # 实名: the verified name is frozen with the number
                raise Conflict("real_name_locked")
            citizen.name = changes["name"]
        if "id_number" in changes:
            new = changes["id_number"]
            if new != citizen_id_number(citizen, cipher):
                if citizen.real_name_verified:
                    raise Conflict("real_name_locked")
                lookup = cipher.lookup_hash(new, context=ID_CONTEXT)
                taken = session.scalars(select(Citizen.id).where(Citizen.id_number_hash == lookup,
                                                                 Citizen.id != citizen.id)).first()
                if taken:
                    raise Conflict("id_number_taken")
                citizen.id_number_cipher = cipher.encrypt(new, context=ID_CONTEXT)
                citizen.id_number_hash = lookup
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent profile took the same ID first
            raise Conflict("id_number_taken") from exc
        return citizen


def create_staff(*, session: Session, passwords: Passwords, username: str, password: str, role: str,
                 hall_code: str | None = None, department_code: str | None = None,
                 carrier_code: str | None = None, region_code: str | None = None,
                 display_name: str = "") -> Staff:
    """A staff account bound to the one place its role works in."""
    with transaction(session):
        if role not in Role.__members__:
            raise ValidationFailed(errors={"role": [f"角色必须是 {', '.join(Role)} 之一"]})
        if len(password) < 8:
            raise ValidationFailed(errors={"password": ["密码至少 8 位"]})
        hall = _by_code(session, Hall, hall_code, "hall")
        department = _by_code(session, Department, department_code, "department")
        carrier = _by_code(session, Carrier, carrier_code, "carrier")
        if region_code is not None and not (len(region_code) == 6 and region_code.isdigit()):
            raise ValidationFailed(errors={"region": ["行政区划代码应为 6 位数字"]})
        problems = binding_problems(role, hall=hall, department=department, carrier=carrier,
                                    region=region_code)
        if problems:
            raise ValidationFailed(errors=problems)
        if session.scalars(select(Staff.id).where(Staff.username == username)).first():
            raise Conflict("username_taken")
        staff = Staff(username=username, password_hash=passwords.hash(password), role=Role(role),
                      display_name=display_name, hall_id=hall.id if hall else None,
                      department_id=department.id if department else None,
                      carrier_id=carrier.id if carrier else None, region_code=region_code)
        session.add(staff)
        try:
            session.flush()  # another admin's create of this username committed after the look above
        except IntegrityError as exc:
            raise Conflict("username_taken") from exc
        return staff


def _by_code(session: Session, model, code: str | None, field: str):
    if not code:
        return None
    row = session.scalars(select(model).where(model.code == code)).first()
    if row is None:
        raise ValidationFailed("unknown_reference", errors={field: [f"编码 {code} 不存在"]})
    return row


def account_for(session: Session, subject: str) -> Citizen | Staff:
    """The account a token's subject names: `citizen:<id>` or `staff:<id>`."""
    kind, _, ident = subject.partition(":")
    account = session.get(Citizen if kind == CITIZEN else Staff, int(ident)) if ident.isdigit() else None
    if account is None:
        raise NotFound()
    return account
