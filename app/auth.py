"""Who is calling: access tokens in, the current actor out; roles checked in one place."""
from __future__ import annotations

from flask import current_app, request
from flask_jwt_extended import create_access_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import ExpiredSignatureError, PyJWTError

from app.actors import CITIZEN, Actor
from app.errors import Forbidden, Unauthenticated
from app.extensions import db
from models.catalogue import Hall
from models.citizen import Citizen
from models.staff import Staff

def actor_for_staff(staff: Staff) -> Actor:
    region = staff.region_code
    if region is None and staff.hall_id is not None:
        region = db.session.get(Hall, staff.hall_id).region_code
    return Actor("staff", staff.id, str(staff.role), staff.hall_id, staff.department_id,
                 staff.carrier_id, region)


def _staff_actor(staff_id: int) -> Actor:
    """The account and the region of its hall in one statement (every staff request reads it)."""
    from sqlalchemy import select

    row = db.session.execute(select(Staff, Hall.region_code).outerjoin(Hall, Hall.id == Staff.hall_id)
                             .where(Staff.id == staff_id)).first()
    if row is None or not row[0].active:
        raise Unauthenticated("account_disabled")
    staff, hall_region = row
    return Actor("staff", staff.id, str(staff.role), staff.hall_id, staff.department_id,
                 staff.carrier_id, staff.region_code or hall_region)


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("unauthorized")
    return token.strip()


def authenticate(roles: tuple[str, ...] = ()) -> Actor:
    """Resolve the bearer token to a live actor and check its role; cached for the request."""
    actor = _load_actor()
    if roles and actor.role not in roles:
        raise Forbidden()
    return actor


def _load_actor() -> Actor:
    cached = request.environ.get("onetrip.actor")
    if cached is not None:
        return cached
    try:
        claims = decode_token(_bearer_token())
    except ExpiredSignatureError as exc:
        raise Unauthenticated("token_expired") from exc
    except (PyJWTError, JWTExtendedException, ValueError) as exc:
        raise Unauthenticated("token_invalid") from exc
    if claims.get("type") != "access":
        raise Unauthenticated("token_invalid")
    kind, _, ident = str(claims.get("sub", "")).partition(":")
    if not ident.isdigit():
        raise Unauthenticated("token_invalid")
    if kind == CITIZEN:
        if db.session.get(Citizen, int(ident)) is None:
            raise Unauthenticated("token_invalid")
        actor = Actor(CITIZEN, int(ident), CITIZEN)
    elif kind == "staff":
        actor = _staff_actor(int(ident))
    else:
        raise Unauthenticated("token_invalid")
    request.environ["onetrip.actor"] = actor  # per request, not per app context
    return actor


def current_actor() -> Actor:
    return _load_actor()


def access_token_for(subject: str, role: str) -> tuple[str, int]:
    """A short-lived JWT; the role claim is informative, every request re-reads the account."""
    minutes = current_app.config["ACCESS_TOKEN_MINUTES"]
    token = create_access_token(identity=subject, additional_claims={"role": role})
    return token, minutes * 60
