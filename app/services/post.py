"""Results by post (zero trips): the hall packs, the courier picks up and delivers, the carrier
reports by webhook. Days in the post do not count against the promise; a case delivered by post
with no visit stays zero-trip."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.actors import SYSTEM_ACTOR, Actor
from app.clock import Clock
from app.crypto import mask_phone
from app.errors import Conflict, NotFound, ValidationFailed
from app.services import deadlines, workflow
from app.services.notify import notify
from app.services.paging import page_of
from app.services.unit_of_work import transaction
from models.application import Application
from models.catalogue import Carrier, Hall
from models.material import Upload, UploadStatus, wrong_purpose
from models.shipment import CarrierEvent, Shipment, ShipmentStatus, moves_forward
from models.staff import Party
from models.workflow import AppStatus

CARRIER_ACTOR = Actor(Party.carrier.value, None, Party.carrier.value)


def new_shipment(session: Session, application: Application, *, hall_id: int, carrier_id: int, now: datetime) -> Shipment:
    count = session.scalar(select(func.count()).select_from(Shipment).where(Shipment.application_id == application.id))
    shipment = Shipment(number=f"{application.number}-P{count + 1}", application_id=application.id, hall_id=hall_id,
                        carrier_id=carrier_id, address=dict(application.delivery_address), requested_at=now)
    session.add(shipment)
    return shipment


# -- the hall ------------------------------------------------------------------------------

def hall_shipments(session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20):
    stmt = select(Shipment).where(Shipment.hall_id == actor.hall_id)
    if status:
        stmt = stmt.where(Shipment.status == ShipmentStatus(status))
    return page_of(session, stmt, Shipment.id.desc(), page=page, page_size=page_size)


def hall_shipment(session: Session, actor: Actor, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None or shipment.hall_id != actor.hall_id:
        raise NotFound()
    return shipment


def pack(*, session: Session, clock: Clock, actor: Actor, shipment_id: int) -> Shipment:
    """requested -> packed: the result is in the envelope, the label on it."""
    with transaction(session):
        shipment = hall_shipment(session, actor, shipment_id)
        now = clock()
        workflow.move(session, shipment, "pack", actor=actor, at=now, message="办理结果已封装，等待快递揽收")
        shipment.packed_at = now
        return shipment


def label_lines(session: Session, actor: Actor, shipment_id: int) -> tuple[str, list[tuple[str, str]]]:
    """What the waybill of one of the hall's shipments says: its number and the lines under it."""
    shipment = hall_shipment(session, actor, shipment_id)
    application = session.get(Application, shipment.application_id)
    hall = session.get(Hall, shipment.hall_id)
    carrier = session.get(Carrier, shipment.carrier_id)
    a = shipment.address
    return shipment.number, [
        ("收件人", f"{a['recipient']}  {mask_phone(a['phone'])}"),
        ("收件地址", f"{a['detail']}（{a['region_code']}）邮编 {a['postcode']}"),
        ("办件编号", application.number),
        ("寄件", f"{hall.name}  {hall.address}"),
        ("承运", carrier.name),
    ]


def resend(*, session: Session, clock: Clock, actor: Actor, shipment_id: int) -> Shipment:
    """A failed delivery came back: the hall sends it again (to the address as it is now)."""
    with transaction(session):
        shipment = hall_shipment(session, actor, shipment_id)
        application = session.get(Application, shipment.application_id)
        now = clock()
        workflow.move(session, shipment, "return", actor=actor, at=now, message="退回的办理结果已重新寄出")
        if application.delivery_method != "post" or not application.delivery_address:
            raise ValidationFailed("address_missing")
        again = new_shipment(session, application, hall_id=shipment.hall_id, carrier_id=shipment.carrier_id, now=now)
        return again


def switch_to_pickup(*, session: Session, clock: Clock, actor: Actor, shipment_id: int, hall_id: int) -> Shipment:
    """A failed delivery came back and the citizen prefers to collect it at a hall of their choice."""
    with transaction(session):
        shipment = hall_shipment(session, actor, shipment_id)
        hall = session.get(Hall, hall_id)
        if hall is None:
            raise ValidationFailed("unknown_reference", errors={"hall_id": [f"大厅 {hall_id} 不存在"]})
        application = session.get(Application, shipment.application_id)
        now = clock()
        workflow.move(session, shipment, "return", actor=actor, at=now,
                      message=f"改为到{hall.name}窗口领取（{hall.address}）")
        application.delivery_method, application.hall_id = "window", hall.id
        application.pickup_hall_id = hall.id  # only the hall collecting it issues it at the window
        application.updated_at = now
        notify(session, application, "pickup_ready", at=now, hall=hall.name, address=hall.address)
        return shipment


# -- the courier ---------------------------------------------------------------------------

def courier_shipments(session: Session, actor: Actor, *, status: str | None = None, page: int = 1, page_size: int = 20):
    """Only the courier's carrier's shipments, and only once the hall has packed them; each with the
    hall to collect it from, in one statement (no query per row)."""
    mine = select(Shipment).where(Shipment.carrier_id == actor.carrier_id, Shipment.status != ShipmentStatus.requested)
    if status:
        mine = mine.where(Shipment.status == ShipmentStatus(status))
    stmt = mine.add_columns(Hall).join(Hall, Hall.id == Shipment.hall_id)
    # Counted without the hall (every shipment has one): an index-only count.
    rows, total = page_of(session, stmt, Shipment.id.desc(), page=page, page_size=page_size, rows=True, count=mine)
    return [tuple(row) for row in rows], total


def with_pickup_hall(session: Session, shipment: Shipment) -> tuple[Shipment, Hall]:
    """A shipment and the hall the courier collects it from."""
    return shipment, session.get(Hall, shipment.hall_id)


def courier_shipment(session: Session, actor: Actor, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None or shipment.carrier_id != actor.carrier_id or shipment.status == ShipmentStatus.requested:
        raise NotFound()
    return shipment


def pickup(*, session: Session, clock: Clock, actor: Actor, shipment_id: int, tracking_number: str) -> Shipment:
    """揽收: the result leaves the hall; from here on the days do not count (in the post)."""
    with transaction(session):
        shipment = courier_shipment(session, actor, shipment_id)
        taken = session.scalar(select(Shipment.id).where(Shipment.carrier_id == shipment.carrier_id,
                                                         Shipment.tracking_number == tracking_number,
                                                         Shipment.id != shipment.id))
        if taken:
            raise Conflict("tracking_number_taken")
        _picked_up(session, shipment, actor, clock(), tracking_number)
        try:
            session.flush()
        except IntegrityError as exc:  # another pickup took the number a moment ago
            raise Conflict("tracking_number_taken") from exc
        return shipment


def _picked_up(session: Session, shipment: Shipment, actor: Actor, now: datetime, tracking_number: str) -> None:
    carrier = session.get(Carrier, shipment.carrier_id)
    workflow.move(session, shipment, "pickup", actor=actor, at=now,
                  message=f"{carrier.name}已揽收，运单号 {tracking_number}")
    shipment.tracking_number, shipment.picked_up_at = tracking_number, now
    shipment.courier_id = actor.id if actor.kind == "staff" else None
    application = session.get(Application, shipment.application_id)
    deadlines.start_pause(session, application_id=application.id, reason=deadlines.IN_POST, now=now)
    notify(session, application, "shipment_picked_up", at=now, carrier=carrier.name, tracking=tracking_number)


def deliver(*, session: Session, clock: Clock, actor: Actor, shipment_id: int, recipient_name: str,
            proof_upload_id: int) -> Shipment:
    """妥投, with the recipient's name and a photo sent through the upload flow."""
    with transaction(session):
        shipment = courier_shipment(session, actor, shipment_id)
        proof = session.get(Upload, proof_upload_id)
        if proof is None or proof.staff_id != actor.id or proof.status != UploadStatus.ready \
                or not (proof.content_type or "").startswith("image/") or wrong_purpose(proof, "delivery_proof"):
            raise ValidationFailed("upload_not_acceptable", errors={"proof_upload_id": ["须为本人以 delivery_proof 用途上传并已通过检查的照片"]})
        _delivered(session, shipment, actor, clock(), recipient_name)
        shipment.proof_upload_id = proof.id
        return shipment


def _delivered(session: Session, shipment: Shipment, actor: Actor, now: datetime, recipient_name: str | None) -> None:
    workflow.move(session, shipment, "deliver", actor=actor, at=now,
                  message="办理结果已妥投" + (f"，签收人：{recipient_name}" if recipient_name else ""))
    shipment.delivered_at, shipment.recipient_name = now, recipient_name
    application = session.get(Application, shipment.application_id)
    deadlines.end_pauses(session, application_id=application.id, now=now, reason=deadlines.IN_POST)
    if application.status == AppStatus.completed:
        workflow.move(session, application, "deliver", actor=SYSTEM_ACTOR, at=now, message="办理结果已送达")
        application.delivered_at = now
    notify(session, application, "application_delivered", at=now)


def fail(*, session: Session, clock: Clock, actor: Actor, shipment_id: int, reason: str) -> Shipment:
    """投递失败: the envelope goes back to the hall, which re-sends it or switches to pickup."""
    with transaction(session):
        shipment = courier_shipment(session, actor, shipment_id)
        _failed(session, shipment, actor, clock(), reason)
        return shipment


def _failed(session: Session, shipment: Shipment, actor: Actor, now: datetime, reason: str) -> None:
    workflow.move(session, shipment, "fail", actor=actor, at=now, message=f"投递未成功：{reason}，将退回大厅")
    shipment.failed_at, shipment.failure_reason = now, reason
    application = session.get(Application, shipment.application_id)
    deadlines.end_pauses(session, application_id=application.id, now=now, reason=deadlines.IN_POST)
    notify(session, application, "shipment_failed", at=now, reason=reason)


# -- the carrier's webhook -----------------------------------------------------------------

def carrier_by_code(session: Session, code: str) -> Carrier | None:
    """The carrier a webhook path names, if there is one."""
    return session.scalars(select(Carrier).where(Carrier.code == code)).first()


def carrier_event(*, session: Session, clock: Clock, carrier: Carrier, event: dict) -> CarrierEvent:
    """Apply a tracking event once; never move a shipment backwards (events arrive out of order)."""
    now = clock()
    try:
        with transaction(session):
            record = CarrierEvent(carrier_id=carrier.id, event_id=event["event_id"],
                                  tracking_number=event["tracking_number"], status=event["status"], at=event["at"],
                                  detail=event.get("detail") or "", applied=False, outcome="pending", received_at=now)
            session.add(record)
            try:
                session.flush()
            except IntegrityError as exc:
                raise _SeenBefore from exc
            shipment = session.scalars(select(Shipment).where(
                Shipment.carrier_id == carrier.id, Shipment.tracking_number == event["tracking_number"])).first()
            if shipment is None:
                record.outcome = "unknown_tracking_number"
            else:
                record.shipment_id = shipment.id
                current = str(shipment.status)
                stale = shipment.last_event_at is not None and event["at"] < shipment.last_event_at
                if stale or not moves_forward(current, event["status"]):
                    record.outcome = "stale"
                else:
                    _apply(session, shipment, event, now)
                    shipment.last_event_at = event["at"]
                    record.applied, record.outcome = True, "applied"
            return record
    except _SeenBefore:  # the same event id again: it changes nothing
        return session.scalars(select(CarrierEvent).where(CarrierEvent.carrier_id == carrier.id,
                                                          CarrierEvent.event_id == event["event_id"])).one()


class _SeenBefore(Exception):
    """The carrier sent an event id already recorded (its block rolled back; the first record answers)."""


def _apply(session: Session, shipment: Shipment, event: dict, now: datetime) -> None:
    status, detail = ShipmentStatus(event["status"]), event.get("detail") or ""
    if status == ShipmentStatus.in_transit:
        if shipment.status == ShipmentStatus.in_transit:
            workflow.record(session, session.get(Application, shipment.application_id), "shipment_tracking",
                            actor=CARRIER_ACTOR, at=now, message=f"运输中：{detail}" if detail else "运输中")
            return
        workflow.move(session, shipment, "transit", actor=CARRIER_ACTOR, at=now,
                      message=f"运输中：{detail}" if detail else "运输中")
    elif status == ShipmentStatus.delivered:
        _delivered(session, shipment, CARRIER_ACTOR, now, detail or None)
    elif status == ShipmentStatus.failed:
        _failed(session, shipment, CARRIER_ACTOR, now, detail or "承运商报告投递失败")
