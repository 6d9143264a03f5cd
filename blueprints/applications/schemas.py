"""Application schemas: what the phone sends and what it is shown."""
import marshmallow as ma
from marshmallow import validate

from app.crypto import mask_phone, masked_form
from app.schemas import Schema
from blueprints.auth.schemas import Mobile
from blueprints.catalogue.schemas import FormFieldSchema
from models.assistance import CHANNELS
from models.workflow import AppStatus

F = ma.fields
STATUSES = [s.value for s in AppStatus]


class OneTargetSchema(Schema):
    """An item or a 一件事 bundle, exactly one of them."""
    item_code = F.String(validate=validate.Length(1, 32))
    bundle_code = F.String(validate=validate.Length(1, 32))

    @ma.validates_schema
    def _one_target(self, data, **kwargs):
        if bool(data.get("item_code")) == bool(data.get("bundle_code")):
            raise ma.ValidationError("须且只须给出 item_code 或 bundle_code 之一", "_schema")


class ApplicationCreateSchema(OneTargetSchema):
    hall_id = F.Integer(allow_none=True, metadata={"description": "the hall the citizen prefers"})
    form = F.Dict(keys=F.String(), load_default=dict)
    on_behalf_of = F.Integer(allow_none=True, metadata={"description": "委托代办: the authorisation's id"})
    pickup_hall_id = F.Integer(allow_none=True, metadata={
        "description": "where the result is collected; default the hall where one applies"})
    competent_region_code = F.String(allow_none=True, validate=validate.Regexp(r"^\d{6}$"), metadata={
        "description": "异地可办: where the household or social insurance is registered; default the hall's region"})


class FormUpdateSchema(Schema):
    form = F.Dict(keys=F.String(), required=True)


class MaterialAttachSchema(Schema):
    upload_ids = F.List(F.Integer(), validate=validate.Length(1, 20))
    elicense_id = F.Integer()
    commitment = F.Boolean(metadata={"description": "容缺: a written commitment to supply it later"})

    @ma.validates_schema
    def _one_source(self, data, **kwargs):
        given = [k for k in ("upload_ids", "elicense_id") if data.get(k) is not None] + (
            ["commitment"] if data.get("commitment") else [])
        if len(given) != 1:
            raise ma.ValidationError("须且只须给出 upload_ids、elicense_id 或 commitment 之一", "_schema")


class AddressSchema(Schema):
    recipient = F.String(required=True, validate=validate.Length(1, 50))
    phone = Mobile(required=True)
    region_code = F.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="行政区划代码应为 6 位数字"))
    detail = F.String(required=True, validate=validate.Length(4, 200))
    postcode = F.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="邮政编码应为 6 位数字"))


class DeliverySchema(Schema):
    method = F.String(required=True, validate=validate.OneOf(["window", "post"]))
    address = F.Nested(AddressSchema, allow_none=True, load_default=None)
    pickup_hall_id = F.Integer(allow_none=True, load_default=None, metadata={
        "description": "window pickup: the hall where the result waits; default the hall applied at"})

    @ma.validates_schema
    def _address_for_post(self, data, **kwargs):
        if data["method"] == "post" and not data.get("address"):
            raise ma.ValidationError("邮寄须填写收件地址", "address")


class ApplicationMaterialSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    required = F.Boolean(required=True)
    elicense_type = F.String(allow_none=True, required=True)
    commitment_allowed = F.Boolean(required=True)
    formats = F.List(F.String(), required=True)
    max_size_mb = F.Integer(required=True)
    items = F.List(F.String(), required=True)
    satisfied_by = F.String(allow_none=True, required=True,
                            validate=validate.OneOf(["upload", "elicense", "commitment", "data"]))
    upload_ids = F.List(F.Integer(), required=True)
    elicense_id = F.Integer(allow_none=True, required=True)
    pending = F.Boolean(required=True, metadata={"description": "容缺: still owed after acceptance"})
    commitment_state = F.String(allow_none=True, required=True, validate=validate.OneOf(
        ["pending", "supplied", "checked", "overdue"]), metadata={"description": "容缺 follow-up; null if not pledged"})
    check_note = F.String(allow_none=True, required=True,
                          metadata={"description": "why the clerk sent a supplied material back"})
    data_check = F.String(allow_none=True, required=True,
                          metadata={"description": "无证明: the data source kind that can prove it"})
    data_note = F.String(allow_none=True, required=True,
                         metadata={"description": "why the data check did not prove it (then upload it)"})


class PartySchema(Schema):
    id = F.Integer(required=True)
    name = F.String(allow_none=True, required=True)
    phone_masked = F.Function(lambda c: mask_phone(c.phone), required=True, allow_none=True)


class ApplicationSchema(Schema):
    id = F.Integer(required=True)
    number = F.String(required=True, metadata={"example": "330825-20261123-00042-7"})
    title = F.String(required=True)
    item_code = F.String(allow_none=True, required=True)
    bundle_code = F.String(allow_none=True, required=True)
    hall_id = F.Integer(allow_none=True, required=True)
    region_code = F.String(required=True)
    status = F.String(required=True, dump_only=True, validate=validate.OneOf(STATUSES))
    form = F.Dict(required=True)
    form_spec = F.List(F.Nested(FormFieldSchema), required=True)
    materials = F.List(F.Nested(ApplicationMaterialSchema), required=True)
    delivery_method = F.String(allow_none=True, required=True)
    delivery_address = F.Nested(AddressSchema, allow_none=True, required=True)
    pickup_hall_id = F.Integer(allow_none=True, required=True, metadata={
        "description": "window pickup: where the result waits"})
    promised_days = F.Integer(required=True, dump_only=True)
    materials_exempted = F.Integer(required=True, dump_only=True,
                                   metadata={"description": "materials filled from the e-license wallet (免提交)"})
    return_count = F.Integer(required=True, dump_only=True)
    form_sources = F.Dict(keys=F.String(), values=F.String(), required=True, dump_only=True, metadata={
        "description": "一次录入: prefilled fields and where from: profile or application:{number}"})
    commitment_due = F.Date(allow_none=True, required=True, dump_only=True,
                            metadata={"description": "容缺: pledged materials are due by this date"})
    created_at = F.DateTime(required=True)
    submitted_at = F.DateTime(allow_none=True, required=True, dump_only=True)
    accepted_at = F.DateTime(allow_none=True, required=True, dump_only=True)
    completed_at = F.DateTime(allow_none=True, required=True, dump_only=True)
    # Help at every door
    channel = F.String(required=True, dump_only=True, validate=validate.OneOf(CHANNELS))
    applicant = F.Nested(PartySchema, required=True, dump_only=True, metadata={"description": "the principal"})
    submitted_by = F.Nested(PartySchema, allow_none=True, required=True, dump_only=True,
                            metadata={"description": "the agent (代办人) who files for the applicant"})
    on_behalf_of = F.Integer(allow_none=True, required=True, dump_only=True,
                             metadata={"description": "委托代办: the authorisation the agent files under"})
    assisted_by = F.Integer(allow_none=True, required=True, dump_only=True, metadata={"description": "帮办: staff id"})
    assisted_hall_id = F.Integer(allow_none=True, required=True, dump_only=True)
    consented_at = F.DateTime(allow_none=True, required=True, dump_only=True,
                              metadata={"description": "帮办: when the citizen consented with their SMS code"})
    pickup_hall_id = F.Integer(allow_none=True, required=True, dump_only=True)
    competent_region_code = F.String(allow_none=True, required=True, dump_only=True,
                                     metadata={"description": "异地可办: whose departments decide"})

    # A citizen's view never carries ID numbers or phones whole (API.md Conventions); staff
    # views subclass this schema and turn it off.
    MASK_PERSONAL = True

    @ma.post_dump
    def _mask_personal(self, data, **kwargs):
        if self.MASK_PERSONAL:
            if "form" in data:
                data["form"] = masked_form(data["form"], data.get("form_spec"))
            if data.get("delivery_address"):
                data["delivery_address"] = {**data["delivery_address"],
                                            "phone": mask_phone(data["delivery_address"].get("phone"))}
        return data


class ApplicationQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(STATUSES))


class NextActionSchema(Schema):
    code = F.String(required=True)
    message = F.String(required=True)
    due = F.String(allow_none=True)


class DeadlineSchema(Schema):
    promised_date = F.Date(required=True)
    remaining_working_days = F.Integer(required=True)
    light = F.String(required=True, validate=validate.OneOf(["green", "yellow", "red", "paused"]))
    promised_days = F.Integer(required=True)
    paused = F.Boolean(required=True)
    paused_working_days = F.Integer(required=True)
    calendar_fallback_years = F.List(F.Integer(), required=True, metadata={
        "description": "years whose holidays are not published yet: weekends only were used"})


class SubcaseProgressSchema(Schema):
    id = F.Integer(required=True)
    item_code = F.String(required=True)
    item_name = F.String(required=True)
    department = F.String(required=True)
    department_name = F.String(required=True)
    status = F.String(required=True)
    depends_on = F.List(F.String(), required=True)


class VisitSchema(Schema):
    at = F.DateTime(required=True)
    hall = F.String(required=True, metadata={"description": "the hall's name"})
    purpose = F.String(required=True, metadata={"description": "why the citizen came, as the clerk recorded it"})


class ShipmentProgressSchema(Schema):
    id = F.Integer(required=True)
    status = F.String(required=True)
    carrier = F.String(allow_none=True, required=True)
    tracking_number = F.String(allow_none=True, required=True)


class PauseSchema(Schema):
    reason = F.String(required=True)
    started_at = F.DateTime(required=True)
    ended_at = F.DateTime(allow_none=True, required=True)


class TimelineEntrySchema(Schema):
    at = F.DateTime(required=True)
    event = F.String(required=True)
    message = F.String(required=True)


class ProgressSchema(Schema):
    id = F.Integer(required=True)
    number = F.String(required=True)
    title = F.String(required=True)
    status = F.String(required=True)
    stage = F.String(required=True)
    next_action = F.Nested(NextActionSchema, allow_none=True, required=True)
    deadline = F.Nested(DeadlineSchema, allow_none=True, required=True)
    subcases = F.List(F.Nested(SubcaseProgressSchema), required=True)
    visits = F.List(F.Nested(VisitSchema), required=True, metadata={
        "description": "every trip the citizen made in person, oldest first: recorded by a clerk "
                       "(POST /hall/applications/{id}/visits) or by handing the result over at a window"})
    visit_count = F.Integer(required=True, metadata={"description": "len(visits): trips made so far (最多跑一次)"})
    zero_trip = F.Boolean(required=True, metadata={"description": "visit_count == 0 (零跑腿)"})
    at_most_one_trip = F.Boolean(required=True, metadata={"description": "visit_count <= 1 (最多跑一次)"})
    shipment = F.Nested(ShipmentProgressSchema, allow_none=True, required=True)
    pauses = F.List(F.Nested(PauseSchema), required=True)
    timeline = F.List(F.Nested(TimelineEntrySchema), required=True)
