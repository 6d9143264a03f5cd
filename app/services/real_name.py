"""实名: government services are real-name services. A profile's name and ID number are confirmed
before a case is decided on them — without a trip, against the population data source or a
verified 居民身份证 e-license in the wallet, or in person by a clerk who sees the card. Every
attempt is recorded; once verified, the name and ID number are frozen (accounts.update_profile).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.crypto import FieldCipher
from app.errors import Conflict, DomainError, NotFound, ServiceUnavailable, ValidationFailed
from app.gateways.datasource import DataSource, DataSourceUnavailable
from app.services.accounts import ID_CONTEXT, citizen_id_number
from app.services.unit_of_work import transaction
from app.services.wallet import status_of
from models.citizen import Citizen, IdentityCheck
from models.elicense import Elicense
from models.forms import applicant_mismatches

ID_CARD = "ID_CARD"


def _record(session: Session, citizen: Citizen, method: str, outcome: str, at: datetime, *,
            staff_id: int | None = None, elicense_id: int | None = None) -> None:
    session.add(IdentityCheck(citizen_id=citizen.id, at=at, method=method, outcome=outcome,
                              staff_id=staff_id, elicense_id=elicense_id))
    if outcome == "verified":
        citizen.real_name_verified, citizen.real_name_method = True, method
        citizen.real_name_verified_at, citizen.real_name_verified_by = at, staff_id


def _by_population(data_source: DataSource, name: str, id_number: str) -> DomainError | None:
    try:
        record = data_source.lookup("population", id_number)
    except DataSourceUnavailable:
        return ServiceUnavailable("data_source_unavailable")
    if record is None:
        return ValidationFailed("identity_not_found", errors={"id_number": ["人口库中没有此身份证号"]})
    if record.get("name") != name:
        return ValidationFailed("identity_mismatch", errors={"name": ["姓名与人口库登记的不一致"]})
    return None


def _by_elicense(session: Session, citizen: Citizen, id_number: str, elicense_id: int, today) -> DomainError | None:
    lic = session.get(Elicense, elicense_id)
    if lic is None or lic.citizen_id != citizen.id:
        return ValidationFailed("unknown_reference", errors={"elicense_id": ["电子证照不存在"]})
    if lic.type.code != ID_CARD or status_of(lic, today) != "valid":
        return ValidationFailed("elicense_not_usable", errors={"elicense_id": ["须为有效的居民身份证电子证照"]})
    if not (lic.verified or lic.source == "issued"):
        return ValidationFailed("elicense_not_usable", errors={"elicense_id": ["此证照尚未经窗口核验原件"]})
    if lic.holder_name != citizen.name or lic.number.upper() != id_number.upper():
        return ValidationFailed("identity_mismatch", errors={"elicense_id": ["证照上的姓名或号码与资料不一致"]})
    return None


def verify_online(*, session: Session, clock: Clock, actor: Actor, cipher: FieldCipher, data_source: DataSource,
                  elicense_id: int | None = None, quiet: bool = False) -> Citizen:
    """Without a trip: against a verified 居民身份证 e-license when one is named, else the population
    data source. `quiet` (after a profile change) leaves an unconfirmed profile unverified silently."""
    with transaction(session):
        citizen = session.get(Citizen, actor.id)
        if citizen is None:
            raise NotFound()
        if citizen.real_name_verified:
            return citizen
        id_number = citizen_id_number(citizen, cipher)
        if not citizen.name or not id_number:
            if quiet:
                return citizen
            raise ValidationFailed("profile_incomplete", errors={"profile": ["请先填写姓名和身份证号"]})
        now = clock()
        method = "population" if elicense_id is None else "elicense"
        error = (_by_population(data_source, citizen.name, id_number) if elicense_id is None
                 else _by_elicense(session, citizen, id_number, elicense_id, local_date(now)))
        if error is None:
            _record(session, citizen, method, "verified", now, elicense_id=elicense_id)
            return citizen
        _record(session, citizen, method, error.code, now, elicense_id=elicense_id)  # on record even when refused
        if quiet:
            return citizen
    raise error  # once the block has committed the refused attempt


def record_population_check(session: Session, data_source: DataSource, citizen: Citizen, id_number: str,
                            at: datetime) -> bool:
    """Ask the population source about a profile and record the outcome (seed-demo's citizens)."""
    error = _by_population(data_source, citizen.name, id_number)
    _record(session, citizen, "population", error.code if error else "verified", at)
    return error is None


def verify_in_person(*, session: Session, clock: Clock, actor: Actor, cipher: FieldCipher, citizen_id: int,
                     name: str, id_number: str) -> Citizen:
    """A clerk reads the citizen's 居民身份证 at the window: it must match the profile (or fills an
    empty one). The clerk is recorded."""
    with transaction(session):
        citizen = session.get(Citizen, citizen_id)
        if citizen is None:
            raise NotFound()
        now = clock()
        on_file = citizen_id_number(citizen, cipher)
        if citizen.real_name_verified and on_file == id_number and citizen.name == name:
            return citizen
        if not ((on_file and on_file != id_number) or (citizen.name and citizen.name != name)):
            if not on_file:
                lookup = cipher.lookup_hash(id_number, context=ID_CONTEXT)
                if session.scalars(select(Citizen.id).where(Citizen.id_number_hash == lookup)).first():
                    raise Conflict("id_number_taken")
                citizen.id_number_cipher = cipher.encrypt(id_number, context=ID_CONTEXT)
                citizen.id_number_hash = lookup
            citizen.name = name
            _record(session, citizen, "clerk", "verified", now, staff_id=actor.id)
            try:
                session.flush()
            except IntegrityError as exc:  # a concurrent profile took the same ID first
                raise Conflict("id_number_taken") from exc
            return citizen
        _record(session, citizen, "clerk", "identity_mismatch", now, staff_id=actor.id)
    raise ValidationFailed("identity_mismatch", errors={"card": ["证件与申请人资料不一致"]})  # the attempt is on record


def check_applicant(session: Session, cipher: FieldCipher, citizen_id: int, spec: list, form: dict, *,
                    deciding: bool) -> None:
    """Form fields naming the applicant must match the verified profile: 422 `applicant_mismatch` when
    the citizen submits, 409 when a reviewer would decide on it. Deciding also needs a verified
    applicant (409 `identity_unverified`); filling and submitting do not."""
    citizen = session.get(Citizen, citizen_id)
    if not citizen.real_name_verified:
        if deciding:
            raise Conflict("identity_unverified", errors={"applicant": ["申请人尚未完成实名核验"]})
        return
    mismatches = applicant_mismatches(spec, form, name=citizen.name, id_number=citizen_id_number(citizen, cipher))
    if mismatches:
        raise (Conflict if deciding else ValidationFailed)("applicant_mismatch", errors={"form": mismatches})
