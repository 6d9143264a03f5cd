"""无证明: a material the government's own data proves is not asked for. Each material may name a
`data_check` (a data-source kind); the check runs when the application is created (so the phone
never asks for it) and again at submission. A failed or unavailable check falls back to asking
for the upload, and says why (`data_note`)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.crypto import FieldCipher
from app.gateways.datasource import DataSource, DataSourceUnavailable
from app.services.accounts import citizen_id_number
from models.application import Application, ApplicationMaterial
from models.citizen import Citizen

NO_ID = "个人资料中还没有身份证号，无法从政府数据核验，请上传"
UNAVAILABLE = "政府数据暂时无法查询，请上传"
NOT_YOU = "人口库中的姓名与您的实名信息不一致，请上传"
NO_RECORD = {"population": "人口库中没有您的记录", "household": "户籍库中没有您的户籍记录",
             "marriage": "婚姻登记库中没有您的记录", "social_insurance": "社保库中没有您的参保记录"}


def _proves(kind: str, record: dict) -> str | None:
    """None when the record proves the material, else why not (in words the citizen reads)."""
    if kind == "marriage" and record.get("status") != "married":
        return "婚姻登记记录显示您当前不是已婚状态"
    if kind == "social_insurance" and not record.get("insured"):
        return "社保库显示您当前没有参保"
    return None


def _verdicts(source: DataSource, kinds: set[str], id_number: str, name: str | None) -> dict[str, str | None]:
    """kind -> None (proved) or the reason; every check is bound to the person by the population record."""
    try:
        person = source.lookup("population", id_number)
        if person is None:
            return {kind: NO_RECORD["population"] + "，请上传" for kind in kinds}
        if name and person.get("name") != name:
            return {kind: NOT_YOU for kind in kinds}
        verdicts = {}
        for kind in kinds:
            record = person if kind == "population" else source.lookup(kind, id_number)
            verdicts[kind] = (NO_RECORD[kind] + "，请上传") if record is None else _proves(kind, record)
            if verdicts[kind] and record is not None:
                verdicts[kind] += "，请上传"
        return verdicts
    except DataSourceUnavailable:
        return {kind: UNAVAILABLE for kind in kinds}


def check_materials(session: Session, source: DataSource, cipher: FieldCipher, application: Application) -> int:
    """Run every data check the application's materials name; returns how many the data proves.

    Materials the citizen filled otherwise (upload, e-license, pledge) are left alone.
    """
    wanted: list[ApplicationMaterial] = [m for m in application.materials
                                         if m.data_check and m.satisfied_by in (None, "data")]
    if not wanted:
        return 0
    citizen = session.get(Citizen, application.citizen_id)
    id_number = citizen_id_number(citizen, cipher)
    if not id_number:
        verdicts = {m.data_check: NO_ID for m in wanted}
    else:
        verdicts = _verdicts(source, {m.data_check for m in wanted}, id_number, citizen.name)
    proved = 0
    for material in wanted:
        reason = verdicts[material.data_check]
        material.satisfied_by = None if reason else "data"
        material.data_note = reason
        proved += reason is None
    application.recount_exempted()
    return proved
