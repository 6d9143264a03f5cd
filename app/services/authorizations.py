"""委托代办: a citizen authorises someone (by phone) to apply for them — for some items, some 一件事
bundles or anything — until a last day; revoking takes effect at once (the agent's next request
about any case under it answers 404)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.crypto import mask_phone
from app.errors import NotFound, ValidationFailed
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.assistance import Authorization
from models.catalogue import Bundle, Item
from models.citizen import Citizen


def _scope(session: Session, scope: dict) -> tuple[str, list[str]]:
    if scope.get("any"):
        return "any", []
    kind, model, field = (("items", Item, "item_codes") if scope.get("item_codes")
                          else ("bundles", Bundle, "bundle_codes"))
    codes = list(dict.fromkeys(scope[field]))
    known = set(session.scalars(select(model.code).where(model.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationFailed("unknown_reference", errors={"scope": {field: [f"{c} 不存在" for c in unknown]}})
    return kind, codes


def grant(*, session: Session, clock: Clock, actor: Actor, agent_phone: str, scope: dict,
          valid_until: date) -> Authorization:
    with transaction(session):
        now = clock()
        if valid_until < local_date(now):
            raise ValidationFailed(errors={"valid_until": ["有效期不能早于今天"]})
        principal = session.get(Citizen, actor.id)
        if principal.phone == agent_phone:
            raise ValidationFailed("agent_is_principal", errors={"agent_phone": ["不能委托给本人"]})
        kind, codes = _scope(session, scope)
        authorization = Authorization(principal_id=actor.id, agent_phone=agent_phone, scope_kind=kind,
                                      scope_codes=codes, valid_until=valid_until, created_at=now)
        session.add(authorization)
        return authorization


def list_authorizations(session: Session, actor: Actor, *, page: int = 1, page_size: int = 20):
    """Granted by me and received by my phone, newest first."""
    me = session.get(Citizen, actor.id)
    stmt = select(Authorization).where(or_(Authorization.principal_id == actor.id,
                                           Authorization.agent_phone == (me.phone or "-")))
    return page_of(session, stmt, Authorization.id.desc(), page=page, page_size=page_size)


def revoke(*, session: Session, clock: Clock, actor: Actor, authorization_id: int) -> None:
    """Only the principal revokes; revoking twice changes nothing."""
    with transaction(session):
        authorization = session.get(Authorization, authorization_id)
        if authorization is None or authorization.principal_id != actor.id:
            raise NotFound()
        if authorization.revoked_at is None:
            authorization.revoked_at = clock()


def views(session: Session, actor: Actor, rows: list[Authorization], today: date) -> list[dict]:
    """What a phone shows of each authorisation, with the other party's name and masked phone."""
    principals = {c.id: c for c in session.scalars(select(Citizen).where(
        Citizen.id.in_({a.principal_id for a in rows})))} if rows else {}
    return [{
        "id": a.id, "direction": "granted" if a.principal_id == actor.id else "received",
        "principal_name": principals[a.principal_id].name,
        "principal_phone_masked": mask_phone(principals[a.principal_id].phone),
        "agent_phone_masked": mask_phone(a.agent_phone),
        "scope": {"any": a.scope_kind == "any", "item_codes": a.scope_codes if a.scope_kind == "items" else [],
                  "bundle_codes": a.scope_codes if a.scope_kind == "bundles" else []},
        "valid_until": a.valid_until, "status": a.status(today), "created_at": a.created_at,
        "revoked_at": a.revoked_at,
    } for a in rows]
