"""Who may act on a case besides the applicant (Help at every door).

- the agent (代办人) of a 委托代办 authorisation, only while it is active: a revoked or expired
  authorisation stops their access at once (404, like any stranger);
- the clerk of the hall that opened an assisted application (帮办), for the draft they fill in with
  the citizen — and to write anything only after the citizen's SMS-code consent.
Everyone else gets 404: the case's existence is not revealed.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.actors import CITIZEN, Actor
from app.errors import Conflict, NotFound, ValidationFailed
from models.application import Application
from models.assistance import Authorization
from models.citizen import Citizen
from models.staff import Role


def authorization_active(today: date):
    """SQL: the application's authorisation is neither revoked nor past its last day."""
    return exists(select(Authorization.id).where(Authorization.id == Application.authorization_id,
                                                 Authorization.revoked_at.is_(None),
                                                 Authorization.valid_until >= today))


def visible_to(actor: Actor, today: date):
    """SQL condition: the applications this actor may see and act on."""
    if actor.kind == CITIZEN:
        return or_(Application.citizen_id == actor.id,
                   and_(Application.submitted_by_id == actor.id, authorization_active(today)))
    if actor.role == Role.clerk:
        return and_(Application.channel == "assisted", Application.assisted_hall_id == actor.hall_id)
    return Application.id.is_(None)


def case_for(session: Session, actor: Actor, application_id: int, *, today: date,
             write: bool = False) -> Application:
    """The application if the actor is its applicant, its active agent or its assisting hall; else 404.

    A clerk writes only after the citizen's consent (409 consent_required)."""
    application = session.scalars(select(Application).where(Application.id == application_id,
                                                            visible_to(actor, today))).first()
    if application is None:
        raise NotFound()
    if write and actor.kind != CITIZEN and application.consented_at is None:
        raise Conflict("consent_required")
    return application


def applicant_actor(application: Application) -> Actor:
    """The applicant as an actor: whose wallet and uploads an agent or a clerk draws on."""
    return Actor(CITIZEN, application.citizen_id, CITIZEN)


def usable_authorization(session: Session, actor: Actor, authorization_id: int, today: date, *,
                         item_code: str | None, bundle_code: str | None) -> Authorization:
    """The authorisation an agent applies under: theirs (by phone), active, and covering the item."""
    agent = session.get(Citizen, actor.id)
    authorization = session.get(Authorization, authorization_id)
    if (authorization is None or agent is None or authorization.agent_phone != agent.phone
            or authorization.status(today) != "active"):
        raise ValidationFailed("authorization_invalid", errors={"on_behalf_of": [f"委托授权 {authorization_id} 不可用"]})
    if not authorization.covers(item_code=item_code, bundle_code=bundle_code):
        raise ValidationFailed("authorization_out_of_scope",
                               errors={"on_behalf_of": [f"委托授权不包含 {item_code or bundle_code}"]})
    return authorization


def with_applicants(session: Session, applications: list[Application]) -> list[Application]:
    """The applications with their applicants and agents loaded, so that `application.applicant` /
    `.submitted_by` (and a staff view of them) run no more SQL: those a list already joined to its
    page cost nothing, the others are read in one statement."""
    missing = [a for a in applications if {"applicant", "submitted_by"} & inspect(a).unloaded]
    ids = {a.citizen_id for a in missing} | {a.submitted_by_id for a in missing if a.submitted_by_id}
    citizens = {c.id: c for c in session.scalars(select(Citizen).where(Citizen.id.in_(ids)))} if ids else {}
    for a in missing:
        set_committed_value(a, "applicant", citizens[a.citizen_id])
        set_committed_value(a, "submitted_by", citizens.get(a.submitted_by_id))
    return applications
