"""The citizen's side of "one thing": create, fill, attach, choose delivery, submit, withdraw.

Submitting answers with every missing material and field at once (一次性告知), never one by one.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.actors import CITIZEN, Actor
from app.crypto import unmasked_echoes
from app.clock import Clock, local_date
from app.crypto import FieldCipher, mask_phone
from app.gateways.datasource import DataSource
from app.errors import Conflict, NotFound, ValidationFailed
from app.services import back_office_notice, cases, commitments, deadlines, real_name, regions, wallet, workflow
from app.services.catalogue import bundle_parts, find_hall, material_view
from app.services.datacheck import check_materials
from app.services.notify import notify
from app.services.numbers import next_number
from app.services.paging import page_of, with_parties
from app.services.prefill import prefill, profile_flags
from app.services.unit_of_work import transaction
from models.application import Application, ApplicationMaterial, SubCase
from models.bundling import critical_path_days, merge_materials
from models.catalogue import Bundle, Hall, Item
from models.citizen import Citizen
from models.forms import clean_form, missing_fields
from models.material import Upload, UploadStatus, wrong_purpose
from models.shipment import Shipment, ShipmentStatus
from models.workflow import AppStatus, SubStatus

EDITABLE = {AppStatus.draft, AppStatus.returned}
OWING = {AppStatus.accepted, AppStatus.in_review, AppStatus.completed}  # 容缺 and 补齐补正 after acceptance
DELIVERY_LOCKED = {ShipmentStatus.picked_up, ShipmentStatus.in_transit, ShipmentStatus.delivered}


def own_application(session: Session, actor: Actor, application_id: int) -> Application:
    """The applicant's own application (only they rate it or complain about it, not their agent);
    anyone else's answers 404 (its existence is not revealed)."""
    stmt = select(Application).where(Application.id == application_id, Application.citizen_id == actor.id)
    application = session.scalars(stmt).first()
    if application is None:
        raise NotFound()
    return application


def _case(session: Session, clock: Clock, actor: Actor, application_id: int) -> Application:
    """The applicant's case, or one the actor may write to as their agent or assisting clerk."""
    return cases.case_for(session, actor, application_id, today=local_date(clock()), write=True)


def _may_use(actor: Actor, application: Application, upload: Upload) -> bool:
    """The applicant's files, the agent's own, or a scan the assisting clerk made at the desk."""
    if upload.citizen_id is not None:
        return upload.citizen_id in (application.citizen_id, actor.id if actor.kind == CITIZEN else None)
    return actor.kind == "staff" and upload.staff_id == actor.id


def _catalogue_entries(session: Session, item_code: str | None, bundle_code: str | None):
    """(title, [(item, depends_on)], merged form spec, merged materials) for an item or a bundle."""
    if item_code:
        item = session.scalars(select(Item).where(Item.code == item_code)).first()
        if item is None:
            raise ValidationFailed("unknown_reference", errors={"item_code": [f"事项 {item_code} 不存在"]})
        materials = merge_materials([(item.code, material_view(link)) for link in item.materials])
        return f"{item.main_name}（{item.sub_name}）", [(item, [])], list(item.form), materials
    bundle = session.scalars(select(Bundle).where(Bundle.code == bundle_code)).first()
    if bundle is None:
        raise ValidationFailed("unknown_reference", errors={"bundle_code": [f"一件事 {bundle_code} 不存在"]})
    form, _, materials = bundle_parts(bundle.items)
    return bundle.name, [(link.item, list(link.depends_on)) for link in bundle.items], form, materials


def create_application(*, session: Session, clock: Clock, actor: Actor, cipher: FieldCipher,
                       data_source: DataSource, item_code: str | None = None, bundle_code: str | None = None,
                       hall_id: int | None = None,
                       form: dict | None = None, on_behalf_of: int | None = None,
                       pickup_hall_id: int | None = None, competent_region_code: str | None = None) -> Application:
    """A draft for oneself (channel mobile), or for a principal under their authorisation (委托代办,
    channel agent: the principal is the applicant, the agent `submitted_by`)."""
    with transaction(session):
        applicant_id, origin = actor.id, {"channel": "mobile"}
        if on_behalf_of is not None:
            authorization = cases.usable_authorization(session, actor, on_behalf_of, local_date(clock()),
                                                       item_code=item_code, bundle_code=bundle_code)
            applicant_id = authorization.principal_id
            origin = {"channel": "agent", "submitted_by_id": actor.id, "authorization_id": authorization.id}
        application = new_application(session, clock=clock, actor=actor, cipher=cipher, data_source=data_source,
                                      applicant_id=applicant_id,
                                      item_code=item_code, bundle_code=bundle_code, hall=_hall(session, hall_id, "hall_id"),
                                      pickup_hall=_hall(session, pickup_hall_id, "pickup_hall_id"), form=form,
                                      competent_region_code=competent_region_code, origin=origin)
        if on_behalf_of is not None:
            agent = session.get(Citizen, actor.id)
            notify(session, application, "agent_started", at=clock(), agent=agent.name or mask_phone(agent.phone))
        return application


def _hall(session: Session, hall_id: int | None, field: str) -> Hall | None:
    if hall_id is None:
        return None
    hall = find_hall(session, hall_id)
    if hall is None:
        raise ValidationFailed("unknown_reference", errors={field: [f"大厅 {hall_id} 不存在"]})
    return hall


def new_application(session: Session, *, clock: Clock, actor: Actor, cipher: FieldCipher, data_source: DataSource,
                    applicant_id: int, item_code: str | None,
                    bundle_code: str | None, hall: Hall | None, pickup_hall: Hall | None, form: dict | None,
                    competent_region_code: str | None, origin: dict) -> Application:
    """Build a draft (not committed). Any hall or village point takes it in: one whose level cannot
    accept an item forwards it (前台受理、后台办理); the result waits at the pickup hall chosen."""
    title, entries, form_spec, materials = _catalogue_entries(session, item_code, bundle_code)
    region, competent = regions.place(session, [item for item, _ in entries], hall, competent_region_code)
    if pickup_hall is not None and pickup_hall.region_code != region:  # 异地可办: collected where accepted, or posted
        raise ValidationFailed(errors={"pickup_hall_id": [f"领取大厅须在受理地区 {region}，或选择邮寄"]})
    cleaned, errors = clean_form(form_spec, form or {}, today=local_date(clock()))
    if errors:
        raise ValidationFailed(errors={"form": errors})
    prefilled, form_sources = prefill(session, cipher, applicant_id, form_spec, cleaned)  # the applicant's data
    now = clock()
    days = {item.code: item.promised_days for item, _ in entries}
    statutory = {item.code: item.statutory_days for item, _ in entries}
    deps = {item.code: deps for item, deps in entries}
    pickup = pickup_hall or hall
    application = Application(
        number=next_number(session, region, local_date(now)), citizen_id=applicant_id,
        item_id=entries[0][0].id if item_code else None,
        bundle_id=None if item_code else session.scalars(select(Bundle.id).where(Bundle.code == bundle_code)).one(),
        item_code=item_code, bundle_code=bundle_code, title=title, hall_id=hall.id if hall else None, region_code=region, status=AppStatus.draft,
        form={**prefilled, **cleaned}, form_sources=form_sources, form_spec=form_spec, promised_days=critical_path_days(days, deps),
        statutory_days=critical_path_days(statutory, deps),
        delivery_method=None, pickup_hall_id=pickup.id if pickup else None, competent_region_code=competent,
        **origin,
    )
    application.materials = [
        ApplicationMaterial(position=n, code=m.code, name=m.name, required=m.required,
                            commitment_allowed=m.commitment_allowed, elicense_type=m.elicense_type,
                            data_check=m.data_check,
                            formats=m.formats, max_size_mb=m.max_size_mb, items=m.items)
        for n, m in enumerate(materials)
    ]
    session.add(application)
    session.flush()
    exempted = wallet.fill_from_wallet(session, application, local_date(now))
    proved = check_materials(session, data_source, cipher, application)
    message = (f"已创建申请：{title}" + (f"；{exempted} 项材料由电子证照免提交" if exempted else "")
               + (f"；{proved} 项材料已由政府数据核验，无需提交" if proved else ""))
    workflow.record(session, application, "created", actor=actor, at=now, message=message,
                    details={"channel": application.channel})
    return application


def list_applications(session: Session, actor: Actor, *, today, status: str | None = None, page: int = 1,
                      page_size: int = 20):
    """Mine, and those I apply for as an agent while the authorisation is active. The page comes with
    its applicants, agents and materials in the same statement (the page, then joins)."""
    stmt = select(Application).where(cases.visible_to(actor, today)).options(*with_parties())
    if status:
        stmt = stmt.where(Application.status == AppStatus(status))
    return page_of(session, stmt, Application.id.desc(), page=page, page_size=page_size)


def _mark_changed(application: Application) -> None:
    if application.status == AppStatus.returned:
        application.changed_since_return = True


def update_form(*, session: Session, clock: Clock, actor: Actor, application_id: int, form: dict) -> Application:
    with transaction(session):
        application = _case(session, clock, actor, application_id)
        if application.status not in EDITABLE:
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "edit"})
        form = unmasked_echoes(form, application.form or {}, application.form_spec)
        cleaned, errors = clean_form(application.form_spec, form, today=local_date(clock()))
        if errors:
            raise ValidationFailed(errors={"form": errors})
        application.form = {**application.form, **cleaned}
        # A field the citizen retyped is theirs now, not the prefill's.
        application.form_sources = {k: v for k, v in (application.form_sources or {}).items() if k not in cleaned}
        _mark_changed(application)
        return application


def _material(application: Application, code: str) -> ApplicationMaterial:
    material = next((m for m in application.materials if m.code == code), None)
    if material is None:
        raise NotFound()
    return material


def _owes_materials(session: Session, application: Application) -> bool:
    if any(m.pending for m in application.materials):
        return True
    return session.scalar(select(func.count()).select_from(SubCase).where(
        SubCase.application_id == application.id, SubCase.status == SubStatus.materials_requested)) > 0


def attach_material(*, session: Session, clock: Clock, actor: Actor, application_id: int, code: str,
                    upload_ids: list[int] | None = None, elicense_id: int | None = None,
                    commitment: bool = False) -> Application:
    """Attach files, a wallet e-license, or a written commitment (容缺) to one material."""
    with transaction(session):
        application = _case(session, clock, actor, application_id)
        if application.status not in EDITABLE and not (
                application.status in OWING and _owes_materials(session, application)):
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "attach"})
        material = _material(application, code)
        if upload_ids is not None:
            uploads = session.scalars(select(Upload).where(Upload.id.in_(upload_ids))).all()
            found = {u.id: u for u in uploads if _may_use(actor, application, u)}
            problems = {}
            for upload_id in upload_ids:
                upload = found.get(upload_id)
                if upload is None:
                    problems[str(upload_id)] = ["文件不存在"]
                elif upload.status != UploadStatus.ready:
                    problems[str(upload_id)] = ["文件尚未通过检查"]
                elif wrong_purpose(upload, "material"):
                    problems[str(upload_id)] = [wrong_purpose(upload, "material")]
                elif _extension(upload.content_type) not in material.formats:
                    problems[str(upload_id)] = [f"此材料只接受 {'/'.join(material.formats)} 格式"]
                elif (upload.size or 0) > material.max_size_mb * 1024 * 1024:
                    problems[str(upload_id)] = [f"此材料的文件不能超过 {material.max_size_mb} MB"]
            if problems:
                raise ValidationFailed("upload_not_acceptable", errors={"upload_ids": problems})
            material.upload_ids, material.elicense_id, material.satisfied_by = list(upload_ids), None, "upload"
            material.pending = False
        elif elicense_id is not None:
            wallet.attach_license(session, cases.applicant_actor(application), material, elicense_id, local_date(clock()))
        elif commitment:
            if application.status not in EDITABLE:  # after acceptance a pledge is kept, not made again
                raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "pledge"})
            if not material.commitment_allowed:
                raise ValidationFailed("commitment_not_allowed", errors={"code": [f"{material.name} 不支持容缺受理"]})
            material.upload_ids, material.elicense_id, material.satisfied_by = [], None, "commitment"
        if application.status in OWING and material.satisfied_by in ("upload", "elicense"):
            commitments.supplied(material)
        _mark_changed(application)
        if application.status in (AppStatus.accepted, AppStatus.in_review):
            back_office_notice.mark_changed(session, application, list(material.items))
        application.recount_exempted()
        workflow.record(session, application, "material_attached", actor=actor, at=clock(),
                        message=f"已提交材料：{material.name}", details={"material": code, "by": material.satisfied_by})
        return application


def _extension(content_type: str | None) -> str:
    return {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(content_type or "", "")


def set_delivery(*, session: Session, clock: Clock, actor: Actor, application_id: int, method: str,
                 address: dict | None, pickup_hall_id: int | None = None) -> Application:
    """Window pickup (at which hall) or post; changeable until the result is handed to the carrier.

    最多跑一次 is promised up front: the choice is made before submitting (see `submit`).
    """
    with transaction(session):
        application = _case(session, clock, actor, application_id)
        if application.status in (AppStatus.delivered, AppStatus.withdrawn, AppStatus.rejected):
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "delivery"})
        shipment = session.scalars(select(Shipment).where(Shipment.application_id == application.id)
                                   .order_by(Shipment.id.desc())).first()
        if shipment is not None and shipment.status in DELIVERY_LOCKED:
            raise Conflict("delivery_locked", errors={"shipment_status": str(shipment.status)})
        if method == "post":
            items = _items_of(session, application)
            refused = [item.code for item in items if "post" not in item.delivery_options]
            if refused:
                raise ValidationFailed("post_not_available", errors={"items": refused})
        hall = None
        if method == "window":
            hall = find_hall(session, pickup_hall_id or application.pickup_hall_id or application.hall_id or 0)
            if hall is None and pickup_hall_id:
                raise ValidationFailed("unknown_reference", errors={"pickup_hall_id": [f"大厅 {pickup_hall_id} 不存在"]})
            if hall is None:  # applied without naming a hall: the citizen must say where to collect
                raise ValidationFailed("pickup_hall_missing", errors={"pickup_hall_id": ["请选择领取结果的大厅"]})
        application.delivery_method = method
        application.delivery_address = address if method == "post" else None
        application.pickup_hall_id = hall.id if hall else None
        if shipment is not None and shipment.status in (ShipmentStatus.requested, ShipmentStatus.packed):
            shipment.address = address if method == "post" else shipment.address
        workflow.record(session, application, "delivery_chosen", actor=actor, at=clock(),
                        message="结果领取方式：" + ("邮寄到家" if method == "post" else f"到{hall.name}窗口领取"),
                        details={"method": method, "hall_id": hall.id if hall else None})
        return application


def _items_of(session: Session, application: Application) -> list[Item]:
    if application.item_id:
        return [session.get(Item, application.item_id)]
    return [link.item for link in session.get(Bundle, application.bundle_id).items]


DELIVERY_FIELD = {"name": "delivery", "label": "结果领取方式（窗口领取或邮寄）"}


def missing_for_submit(application: Application) -> dict:
    """Everything missing, at once; the delivery choice counts as a field (最多跑一次 promised up front)."""
    materials = [{"code": m.code, "name": m.name, **({"reason": m.data_note} if m.data_note else {})}
                 for m in application.materials if m.required and m.satisfied_by is None]
    fields = missing_fields(application.form_spec, application.form)
    if application.delivery_method is None:
        fields.append(dict(DELIVERY_FIELD))
    return {"materials": materials, "fields": fields}


def submit(*, session: Session, clock: Clock, actor: Actor, cipher: FieldCipher, data_source: DataSource,
           application_id: int) -> Application:
    """draft/returned -> submitted, or 422 listing everything missing at once (一次性告知); fields
    naming the applicant must match a verified profile (实名; an unverified citizen may submit)."""
    with transaction(session):
        application = _case(session, clock, actor, application_id)
        application.profile_flags = profile_flags(session, cipher, application)
        missing = None
        if application.status in EDITABLE:
            check_materials(session, data_source, cipher, application)  # the data may have changed since
            missing = missing_for_submit(application)
            if not (missing["materials"] or missing["fields"]):
                missing = None
                real_name.check_applicant(session, cipher, application.citizen_id, application.form_spec,
                                          application.form, deciding=False)
        if missing is None:
            now = clock()
            workflow.move(session, application, "submit", actor=actor, at=now, message="申请已提交，等待窗口受理")
            application.submitted_at = now
            notify(session, application, "application_submitted", at=now)
            return application
    # Refused once the block has committed: what the data said stays on the materials (the phone asks for them now).
    raise ValidationFailed("materials_missing", errors=missing)


def withdraw(*, session: Session, clock: Clock, actor: Actor, application_id: int) -> Application:
    with transaction(session):
        application = _case(session, clock, actor, application_id)
        workflow.move(session, application, "withdraw", actor=actor, at=clock(), message="申请已撤回")
        return application


def supply(*, session: Session, clock: Clock, actor: Actor, application_id: int) -> Application:
    """The citizen has supplied what reviewers asked for: their sub-cases resume, the clock restarts."""
    with transaction(session):
        application = _case(session, clock, actor, application_id)
        subcases = session.scalars(select(SubCase).where(SubCase.application_id == application.id,
                                                         SubCase.status == SubStatus.materials_requested)).all()
        if not subcases:
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "supply"})
        now = clock()
        for subcase in subcases:
            workflow.move(session, subcase, "supply", actor=actor, at=now, message="已补充材料，恢复审核")
        deadlines.end_pauses(session, application_id=application.id, now=now, subcase_ids=[s.id for s in subcases])
        return application
