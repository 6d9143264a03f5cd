"""Logging in: SMS codes, WeChat openids, staff passwords, rotating refresh tokens."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.actors import CITIZEN
from app.clock import Clock
from app.crypto import Passwords, token_hash
from app.errors import Unauthenticated, UpstreamUnavailable
from app.gateways import GatewayError
from app.gateways.sms import SmsSender
from app.gateways.wechat import WechatClient, WechatLoginRefused
from app.services.unit_of_work import transaction
from models.citizen import Citizen, SmsCode
from models.staff import RefreshToken, Staff


def _code_hash(secret: str, phone: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def login_code_text(code: str, ttl_seconds: int) -> str:
    """The login SMS (signed 【最多跑一次】, as carriers require of a registered template)."""
    return f"【最多跑一次】您的登录验证码为 {code}，{max(1, ttl_seconds // 60)} 分钟内有效。如非本人操作，请忽略。"


def send_login_code(*, session: Session, clock: Clock, sender: SmsSender, secret: str,
                    phone: str, ttl_seconds: int) -> None:
    """Send a 6-digit code; a new code replaces any earlier one for the phone."""
    code = f"{secrets.randbelow(10**6):06d}"
    text = login_code_text(code, ttl_seconds)
    try:
        sender.send(phone, "login_code", {"code": code}, text)
    except GatewayError as exc:
        raise UpstreamUnavailable("sms_unavailable") from exc
    now = clock()
    with transaction(session):
        session.execute(update(SmsCode).where(SmsCode.phone == phone, SmsCode.consumed_at.is_(None))
                        .values(consumed_at=now))
        session.add(SmsCode(phone=phone, code_hash=_code_hash(secret, phone, code), created_at=now,
                            expires_at=now + timedelta(seconds=ttl_seconds), attempts=0))


def verify_login_code(*, session: Session, clock: Clock, secret: str, phone: str, code: str,
                      max_attempts: int) -> Citizen:
    """Check a code (5 wrong tries burn it) and return the citizen, created on first login."""
    now = clock()
    with transaction(session):
        row = session.scalars(select(SmsCode).where(SmsCode.phone == phone, SmsCode.consumed_at.is_(None))
                              .order_by(SmsCode.id.desc()).limit(1)).first()
        if row is None:
            raise Unauthenticated("sms_code_invalid")
        if row.expires_at <= now:
            raise Unauthenticated("sms_code_expired")
        if row.attempts >= max_attempts:
            raise Unauthenticated("sms_code_exhausted")
        if hmac.compare_digest(row.code_hash, _code_hash(secret, phone, code)):
            used = session.execute(update(SmsCode).where(SmsCode.id == row.id, SmsCode.consumed_at.is_(None),
                                                         SmsCode.attempts < max_attempts)
                                   .values(consumed_at=now))
            if used.rowcount != 1:
                raise Unauthenticated("sms_code_invalid")
            citizen = session.scalars(select(Citizen).where(Citizen.phone == phone)).first()
            if citizen is None:
                citizen = Citizen(phone=phone)
                session.add(citizen)
            return citizen
        # Counted in the database, not in Python: parallel guesses cannot exceed the budget.
        before = row.attempts
        result = session.execute(update(SmsCode).where(SmsCode.id == row.id, SmsCode.attempts < max_attempts)
                                 .values(attempts=SmsCode.attempts + 1))
        left = max(0, max_attempts - before - 1) if result.rowcount else 0
    # A wrong code is refused once the block has committed the attempt.
    raise Unauthenticated("sms_code_invalid" if left else "sms_code_exhausted", errors={"attempts_left": left})


def wechat_login(*, session: Session, client: WechatClient, js_code: str) -> Citizen:
    try:
        openid = client.openid_for(js_code)
    except WechatLoginRefused as exc:
        raise Unauthenticated("wechat_login_failed") from exc
    except GatewayError as exc:
        raise UpstreamUnavailable("wechat_unavailable") from exc
    try:
        with transaction(session):
            citizen = session.scalars(select(Citizen).where(Citizen.wechat_openid == openid)).first()
            if citizen is None:
                citizen = Citizen(wechat_openid=openid)
                session.add(citizen)
            return citizen
    except IntegrityError:  # the same openid logging in twice at once: the other one created it
        return session.scalars(select(Citizen).where(Citizen.wechat_openid == openid)).one()


def staff_login(*, session: Session, clock: Clock, passwords: Passwords, username: str, password: str,
                max_failures: int, lock_minutes: int) -> Staff:
    """Password check with a lockout after repeated failures (等保 login-failure handling)."""
    now = clock()
    with transaction(session):
        staff = session.scalars(select(Staff).where(Staff.username == username)).first()
        # An unknown name and a locked account answer exactly alike (same code, no Retry-After, a hash
        # checked either way), so that failures cannot tell which staff usernames exist.
        if staff is None or (staff.locked_until and staff.locked_until > now):
            passwords.check_nothing(password)
            raise Unauthenticated("invalid_credentials")
        if passwords.check(staff.password_hash, password):
            if not staff.active:
                raise Unauthenticated("account_disabled")
            if staff.failed_logins or staff.locked_until:
                staff.failed_logins, staff.locked_until = 0, None
            return staff
        session.execute(update(Staff).where(Staff.id == staff.id)
                        .values(failed_logins=Staff.failed_logins + 1))
        session.refresh(staff)
        if staff.failed_logins >= max_failures:
            staff.locked_until = now + timedelta(minutes=lock_minutes)
            staff.failed_logins = 0
    # A wrong password is refused once the block has committed the failure (and any lock).
    raise Unauthenticated("invalid_credentials")


@dataclass
class IssuedRefresh:
    token: str
    subject: str


def issue_refresh_token(*, session: Session, clock: Clock, subject: str, days: int) -> str:
    with transaction(session):
        return _new_refresh_token(session, clock(), subject=subject, days=days, family_id=None)


def _new_refresh_token(session: Session, now: datetime, *, subject: str, days: int, family_id: str | None) -> str:
    token = secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=token_hash(token), family_id=family_id or secrets.token_hex(16),
                             subject=subject, created_at=now, expires_at=now + timedelta(days=days)))
    return token


def rotate_refresh_token(*, session: Session, clock: Clock, token: str, days: int) -> IssuedRefresh:
    """Spend a refresh token for a new one in the same family; a second spend revokes the family."""
    now = clock()
    with transaction(session):
        row = session.scalars(select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))).first()
        if row is None:
            raise Unauthenticated("refresh_token_invalid")
        if row.used_at is None and row.revoked_at is None:
            if row.expires_at <= now:
                raise Unauthenticated("refresh_token_expired")
            ensure_subject_active(session=session, subject=row.subject)
            spent = session.execute(update(RefreshToken)
                                    .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
                                    .values(used_at=now))
            if spent.rowcount == 1:
                new = _new_refresh_token(session, now, subject=row.subject, days=days, family_id=row.family_id)
                return IssuedRefresh(token=new, subject=row.subject)
            # else another request spent it a moment ago: treated as reuse
        session.execute(update(RefreshToken)
                        .where(RefreshToken.family_id == row.family_id, RefreshToken.revoked_at.is_(None))
                        .values(revoked_at=now))
    # A second spend is refused once the block has committed the family's revocation.
    raise Unauthenticated("refresh_token_reused")


def ensure_subject_active(*, session: Session, subject: str) -> None:
    """A refresh must not revive a deleted citizen or a disabled staff account."""
    kind, _, ident = subject.partition(":")
    if kind == CITIZEN:
        if session.get(Citizen, int(ident)) is None:
            raise Unauthenticated("refresh_token_invalid")
        return
    staff = session.get(Staff, int(ident))
    if staff is None or not staff.active:
        raise Unauthenticated("account_disabled")

