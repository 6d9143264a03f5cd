"""Who is calling: access tokens in, the current actor out; roles checked in one place."""
from __future__ import annotations

import time

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


def bearer_of(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None for anything else."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _bearer_token() -> str:
    token = bearer_of(request.headers.get("Authorization", ""))
    if token is None:
        raise Unauthenticated("unauthorized")
    return token


def authenticate(roles: tuple[str, ...] = ()) -> Actor:
    """Resolve the bearer token to a live actor and check its role; cached for the request."""
    actor = _load_actor()
    if roles and actor.role not in roles:
        raise Forbidden()
    return actor


def token_subject() -> tuple[str, int]:
    """The (kind, id) the bearer token names: signature, type and expiry checked, no database read.

    A token's signature is checked once per process: later requests with the same token (a phone
    polling its progress) find it in a small cache and only its expiry is checked again."""
    token = _bearer_token()
    key = (current_app.config["JWT_SECRET_KEY"], token)
    known = _known(key)
    if known is not None:
        kind, ident, expired = known
        if expired:
            raise Unauthenticated("token_expired")
        return kind, ident
    try:
        claims = decode_token(token)
    except ExpiredSignatureError as exc:
        raise Unauthenticated("token_expired") from exc
    except (PyJWTError, JWTExtendedException, ValueError) as exc:
        raise Unauthenticated("token_invalid") from exc
    if claims.get("type") != "access":
        raise Unauthenticated("token_invalid")
    kind, _, ident = str(claims.get("sub", "")).partition(":")
    if kind not in (CITIZEN, "staff") or not ident.isdigit():
        raise Unauthenticated("token_invalid")
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (kind, int(ident), claims.get("exp"))
    return kind, int(ident)


def remembered_subject(secret: str, authorization: str) -> tuple[str, int] | None:
    """For a responder in front of Flask (app/progress_front.py): the (kind, id) of an
    `Authorization: Bearer` value whose token `token_subject` already verified in this process
    with this secret, while it has not expired; None for anything else (the full check decides)."""
    token = bearer_of(authorization)
    known = _known((secret, token)) if token is not None else None
    return None if known is None or known[2] else (known[0], known[1])


_VERIFIED: dict[tuple[str, str], tuple[str, int, float | None]] = {}
_VERIFIED_MAX = 10_000


def _known(key: tuple[str, str]) -> tuple[str, int, bool] | None:
    """(kind, id, expired now) of a token this process verified with that secret; None if it did not."""
    known = _VERIFIED.get(key)
    if known is None:
        return None
    return known[0], known[1], known[2] is not None and known[2] <= time.time()


def _load_actor() -> Actor:
    cached = request.environ.get("onetrip.actor")
    if cached is not None:
        return cached
    kind, ident = token_subject()
    if kind == CITIZEN:
        if db.session.get(Citizen, ident) is None:
            raise Unauthenticated("token_invalid")
        actor = Actor(CITIZEN, ident, CITIZEN)
    else:
        actor = _staff_actor(ident)
    request.environ["onetrip.actor"] = actor  # per request, not per app context
    return actor


def claimed_citizen(roles: tuple[str, ...] = ()) -> int | None:
    """For a view that reads the account in its own statement (progress, polled by every phone):
    the citizen id the token names, not yet checked against the database. The view must then call
    `citizen_confirmed` or raise Unauthenticated("token_invalid"). Staff tokens are authenticated
    in full here (their role lives in the account) and give None."""
    if request.environ.get("onetrip.actor") is None:
        kind, ident = token_subject()
        if kind == CITIZEN and (not roles or CITIZEN in roles):
            return ident
    authenticate(roles)
    return None


def citizen_confirmed(citizen_id: int) -> Actor:
    """The view's statement found the account `claimed_citizen` named: it is the request's actor."""
    actor = Actor(CITIZEN, citizen_id, CITIZEN)
    request.environ["onetrip.actor"] = actor
    return actor


def current_actor() -> Actor:
    return _load_actor()


def access_token_for(subject: str, role: str) -> tuple[str, int]:
    """A short-lived JWT; the role claim is informative, every request re-reads the account."""
    minutes = current_app.config["ACCESS_TOKEN_MINUTES"]
    token = create_access_token(identity=subject, additional_claims={"role": role})
    return token, minutes * 60
