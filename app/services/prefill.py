"""一次录入，大家共用: a new application's form starts from the profile and the citizen's earlier
applications, each prefilled field saying where it came from; an applicant ID number that differs
from the verified profile is flagged for the clerk."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto import FieldCipher
from app.services.accounts import citizen_id_number
from models.application import Application
from models.citizen import Citizen
from models.forms import clean_form

# form field -> what the profile knows of it
PROFILE_FIELDS = ("applicant_name", "applicant_id_number", "contact_phone")
ID_FIELD = "applicant_id_number"
EARLIER_LOOKED_AT = 20  # newest applications read for values; older ones have been retyped since


def _profile_values(citizen: Citizen, cipher: FieldCipher) -> dict:
    values = {"applicant_name": citizen.name, "applicant_id_number": citizen_id_number(citizen, cipher),
              "contact_phone": citizen.phone}
    return {k: v for k, v in values.items() if v}


def prefill(session: Session, cipher: FieldCipher, citizen_id: int, form_spec: list[dict],
            given: dict) -> tuple[dict, dict]:
    """(form, form_sources): what the citizen gave wins, then the profile, then the newest earlier
    application that had a field of the same name; a value the form would refuse is left out."""
    names = {field["name"] for field in form_spec}
    values, sources = {}, {}
    earlier = session.execute(select(Application.number, Application.form)
                              .where(Application.citizen_id == citizen_id)
                              .order_by(Application.id.desc()).limit(EARLIER_LOOKED_AT)).all()
    for number, form in reversed(earlier):  # newest last, so it wins
        for name, value in (form or {}).items():
            if name in names and value not in (None, ""):
                values[name], sources[name] = value, f"application:{number}"
    for name, value in _profile_values(session.get(Citizen, citizen_id), cipher).items():
        if name in names:
            values[name], sources[name] = value, "profile"
    cleaned, errors = clean_form(form_spec, {k: v for k, v in values.items() if k not in given})
    for name in errors:
        cleaned.pop(name, None)
    return cleaned, {name: source for name, source in sources.items() if name in cleaned}


def profile_flags(session: Session, cipher: FieldCipher, application: Application) -> dict:
    """Fields the clerk should look at: an applicant ID number unlike the verified profile's."""
    citizen = session.get(Citizen, application.citizen_id)
    typed = (application.form or {}).get(ID_FIELD)
    if not citizen.real_name_verified or not typed:
        return {}
    own = citizen_id_number(citizen, cipher)
    if own and typed.upper() != own.upper():
        return {ID_FIELD: "与申请人实名核验的身份证号不一致，请核对"}
    return {}
