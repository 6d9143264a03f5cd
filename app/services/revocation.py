"""E-license revocation (证照注销): only the issuing department revokes; public verification says so at
once, the holder is told, and open drafts that used the license ask for the material again."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.actors import SYSTEM_ACTOR, Actor
from app.clock import Clock, local_date
from app.errors import Conflict, Forbidden, NotFound
from app.services import wallet, workflow
from app.services.notify import notify_citizen
from app.services.unit_of_work import transaction
from models.application import Application, ApplicationMaterial, SubCase
from models.elicense import Elicense


def _issuing_department(session: Session, lic: Elicense) -> int | None:
    if lic.subcase_id is None:
        return None  # photographed by the citizen: no department issued it here
    return session.get(SubCase, lic.subcase_id).department_id


def revoke(*, session: Session, clock: Clock, actor: Actor, license_id: int, reason: str) -> dict:
    with transaction(session):
        lic = session.get(Elicense, license_id)
        if lic is None:
            raise NotFound()
        if _issuing_department(session, lic) != actor.department_id:
            raise Forbidden("not_issuing_department")
        if lic.revoked_at is not None:
            raise Conflict("invalid_transition", errors={"current_status": "revoked", "action": "revoke"})
        now = clock()
        lic.revoked_at, lic.revoked_by, lic.revoke_reason = now, actor.id, reason
        session.flush()
        notify_citizen(session, lic.citizen_id, "elicense_revoked", at=now, type=lic.type.name,
                       license_number=lic.number, issuer=lic.issuer, reason=reason)
        affected = []
        using = select(ApplicationMaterial.application_id).where(ApplicationMaterial.elicense_id == lic.id)
        for application in session.scalars(select(Application).where(Application.id.in_(using),
                                                                     Application.status.in_(wallet.OPEN))):
            for material in application.materials:
                if material.elicense_id == lic.id:
                    material.satisfied_by, material.elicense_id = None, None
            wallet.fill_from_wallet(session, application, local_date(now))  # another valid one, if held
            workflow.record(session, application, "elicense_revoked", actor=SYSTEM_ACTOR, at=now,
                            message=f"「{lic.type.name}」电子证照已被撤销（{reason}），相应材料请重新提交")
            affected.append(application.number)
        return {"id": lic.id, "type": lic.type.code, "number": lic.number, "issuer": lic.issuer,
                "status": "revoked", "revoked_at": now, "revoke_reason": reason, "applications_affected": affected}
