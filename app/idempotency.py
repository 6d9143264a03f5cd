"""Idempotency-Key: a retried creating request answers the first success instead of doing it again.

Phones on weak networks retry. The key is claimed in its own transaction before the work runs, so
two copies of one request arriving together cannot both do it; failures release the key, so the
citizen can correct the request and retry with it — unless the work had already committed when the
failure came (the answer could not be built or sent): then the key stays claimed, and a retry is
told so (409) instead of doing the work a second time.
"""
from __future__ import annotations

import hashlib
import json
from functools import wraps

from flask import request
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import current_actor
from app.jsonio import strict_loads
from app.errors import Conflict, DomainError, ValidationFailed
from app.extensions import db, services
from app.services.unit_of_work import transaction
from models.idempotency import IdempotencyRecord

HEADER = "Idempotency-Key"
COMMITTED = {"committed": True}  # the work committed, the answer was lost


@event.listens_for(Session, "after_commit")
def _count_commits(session) -> None:
    session.info["commits"] = session.info.get("commits", 0) + 1


def _fingerprint() -> str:
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(strict_loads(raw), sort_keys=True, ensure_ascii=False).encode() if raw else b""
    except ValueError:
        body = raw
    return hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(), body])).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str):
    if record.fingerprint != fingerprint:
        raise ValidationFailed("idempotency_key_reused")
    if record.status_code is None:
        if record.response == COMMITTED:
            raise Conflict("conflict", errors={HEADER: ["此请求已办理，但结果未能返回；请刷新查看，勿重复提交"]})
        raise Conflict("conflict", errors={HEADER: ["同一请求仍在处理中"]})
    return record.response, record.status_code, {"Idempotent-Replayed": "true"}


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 64:
            raise ValidationFailed(errors={HEADER: ["长度须为 1 到 64 个字符"]})
        subject = current_actor().subject
        fingerprint = _fingerprint()
        session = db.session
        existing = session.scalars(select(IdempotencyRecord).where(
            IdempotencyRecord.subject == subject, IdempotencyRecord.key == key)).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        claim = IdempotencyRecord(subject=subject, key=key, fingerprint=fingerprint,
                                  created_at=services().clock())
        try:
            with transaction(session):  # the claim commits on its own, before the work
                session.add(claim)
                session.flush()
                claim_id = claim.id
        except IntegrityError:  # the same key arrived twice at once: the other copy does the work
            return _replay(session.scalars(select(IdempotencyRecord).where(
                IdempotencyRecord.subject == subject, IdempotencyRecord.key == key)).one(), fingerprint)
        commits_before = session.info.get("commits", 0)
        try:
            response = view(*args, **kwargs)
        except BaseException as exc:
            session.rollback()  # whatever the view left unfinished
            committed = session.info.get("commits", 0) > commits_before and not isinstance(exc, DomainError)
            with transaction(session):
                if committed:  # the work is in the database: never free the key, or a retry does it twice
                    session.get(IdempotencyRecord, claim_id).response = COMMITTED
                else:
                    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == claim_id))
            raise
        with transaction(session):
            if response.status_code >= 400:
                session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == claim_id))
            else:
                record = session.get(IdempotencyRecord, claim_id)
                record.status_code, record.response = response.status_code, response.get_json()
        return response

    return wrapper
