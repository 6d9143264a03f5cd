"""帮办: a clerk at a window or a village point fills in an application with a citizen who cannot
or would rather not do it on their own phone (变群众跑为干部跑).

The draft is the citizen's (created at first contact if new); the SMS code sent to their phone,
read out at the desk, is their consent — only then may the clerk attach materials and submit for
them. The consent, the clerk and the hall are recorded on the case.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock, local_date
from app.crypto import FieldCipher
from app.errors import Conflict, TooManyRequests, UpstreamUnavailable, ValidationFailed
from app.gateways import GatewayError
from app.gateways.datasource import DataSource
from app.gateways.sms import SmsSender
from app.services import cases, workflow
from app.services.applications import new_application
from app.services.notify import notify
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.application import Application
from models.assistance import AssistConsent
from models.catalogue import Hall
from models.citizen import Citizen
from models.workflow import AppStatus


CODES_PER_HOUR = 5


def _hash(secret: str, application_id: int, code: str) -> str:
    return hmac.new(secret.encode(), f"assist:{application_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _send_code(session: Session, *, now, sender: SmsSender, secret: str, application: Application,
               phone: str, hall: Hall, ttl_seconds: int) -> None:
    """A fresh code replaces any earlier one; sent at once (the citizen is waiting at the desk).
    A phone gets at most CODES_PER_HOUR consent codes an hour, whatever the desk: no clerk can
    flood a citizen's phone."""
    recent = session.scalar(select(func.count()).select_from(AssistConsent).where(
        AssistConsent.phone == phone, AssistConsent.created_at > now - timedelta(hours=1)))
    if recent >= CODES_PER_HOUR:
        raise TooManyRequests(headers={"Retry-After": "3600"})
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = max(1, ttl_seconds // 60)
    text = (f"【最多跑一次】{hall.name}工作人员正在为您代为填报「{application.title}」，验证码 {code}，"
            f"{minutes} 分钟内有效。告知工作人员此验证码即表示您同意由其帮办；如您不在现场，请勿告知任何人。")
    try:
        sender.send(phone, "assist_consent", {"code": code, "hall": hall.name}, text)
    except GatewayError as exc:
        raise UpstreamUnavailable("sms_unavailable") from exc
    session.execute(update(AssistConsent).where(AssistConsent.application_id == application.id,
                                                AssistConsent.consumed_at.is_(None)).values(consumed_at=now))
    session.add(AssistConsent(application_id=application.id, phone=phone, code_hash=_hash(secret, application.id, code),
                              created_at=now, expires_at=now + timedelta(seconds=ttl_seconds), attempts=0))


def start(*, session: Session, clock: Clock, actor: Actor, cipher: FieldCipher, data_source: DataSource,
          sender: SmsSender, secret: str, ttl_seconds: int, citizen_phone: str, item_code: str | None = None, bundle_code: str | None = None,
          form: dict | None = None, competent_region_code: str | None = None) -> Application:
    """A draft for the citizen at this clerk's hall (channel assisted), and their consent code by SMS."""
    with transaction(session):
        now = clock()
        citizen = session.scalars(select(Citizen).where(Citizen.phone == citizen_phone)).first()
        if citizen is None:  # first contact: the account exists from now on, as at a first SMS login
            citizen = Citizen(phone=citizen_phone)
            session.add(citizen)
            session.flush()
        hall = session.get(Hall, actor.hall_id)
        application = new_application(
            session, clock=clock, actor=actor, cipher=cipher, data_source=data_source, applicant_id=citizen.id, item_code=item_code, bundle_code=bundle_code,
            hall=hall, pickup_hall=None, form=form, competent_region_code=competent_region_code,
            origin={"channel": "assisted", "assisted_by": actor.id, "assisted_hall_id": hall.id})
        _send_code(session, now=now, sender=sender, secret=secret, application=application, phone=citizen_phone,
                   hall=hall, ttl_seconds=ttl_seconds)
        return application


def resend_code(*, session: Session, clock: Clock, actor: Actor, sender: SmsSender, secret: str, ttl_seconds: int,
                application_id: int) -> Application:
    with transaction(session):
        application = _unconsented(session, clock, actor, application_id)
        _send_code(session, now=clock(), sender=sender, secret=secret, application=application,
                   phone=application.applicant.phone, hall=session.get(Hall, actor.hall_id), ttl_seconds=ttl_seconds)
        return application


def _unconsented(session: Session, clock: Clock, actor: Actor, application_id: int) -> Application:
    application = cases.case_for(session, actor, application_id, today=local_date(clock()))
    if application.consented_at is not None:
        raise Conflict("already_consented", errors={"consented_at": application.consented_at.isoformat()})
    if application.status != AppStatus.draft:
        raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "consent"})
    return application


def confirm(*, session: Session, clock: Clock, actor: Actor, secret: str, max_attempts: int, application_id: int,
            code: str) -> Application:
    """The citizen's code, entered at the desk: their consent to be helped, recorded on the case."""
    with transaction(session):
        application = _unconsented(session, clock, actor, application_id)
        now = clock()
        row = session.scalars(select(AssistConsent).where(AssistConsent.application_id == application.id,
                                                          AssistConsent.consumed_at.is_(None))
                              .order_by(AssistConsent.id.desc()).limit(1)).first()
        if row is None:
            raise ValidationFailed("sms_code_invalid", errors={"code": ["请先发送验证码"]})
        if row.expires_at <= now:
            raise ValidationFailed("sms_code_expired")
        if row.attempts >= max_attempts:
            raise ValidationFailed("sms_code_exhausted")
        if hmac.compare_digest(row.code_hash, _hash(secret, application.id, code)):
            row.consumed_at = application.consented_at = now
            hall = session.get(Hall, actor.hall_id)
            workflow.record(session, application, "assisted_consent", actor=actor, at=now,
                            message=f"您已同意由{hall.name}工作人员帮办",
                            details={"staff_id": actor.id, "hall_id": hall.id, "phone": row.phone[-4:]})
            notify(session, application, "assisted_started", at=now, hall=hall.name)
            return application
        before = row.attempts  # counted in the database: parallel guesses cannot exceed the budget
        session.execute(update(AssistConsent).where(AssistConsent.id == row.id, AssistConsent.attempts < max_attempts)
                        .values(attempts=AssistConsent.attempts + 1))
    # A wrong code is refused once the block has committed the attempt.
    left = max(0, max_attempts - before - 1)
    raise ValidationFailed("sms_code_invalid" if left else "sms_code_exhausted", errors={"attempts_left": left})


def hall_drafts(session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20):
    """The hall's assisted applications (default: drafts still being filled in)."""
    stmt = select(Application).where(Application.channel == "assisted", Application.assisted_hall_id == actor.hall_id,
                                     Application.status == AppStatus(status or AppStatus.draft))
    return page_of(session, stmt, Application.id.desc(), page=page, page_size=page_size)
