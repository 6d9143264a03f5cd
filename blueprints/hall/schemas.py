"""Service hall schemas."""
import marshmallow as ma
from marshmallow import validate

from app.crypto import mask_phone
from app.schemas import Schema
from blueprints.applications.schemas import STATUSES, ApplicationSchema
from blueprints.auth.schemas import CitizenSchema, ResidentId

F = ma.fields


class HallQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(STATUSES), metadata={"description": "default submitted"})


class MaskedPhone(F.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return mask_phone(value)


class HallApplicationSchema(ApplicationSchema):
    """A staff view of an application (models.application.Application), its applicant loaded with it
    (app.services.cases.with_applicants)."""

    MASK_PERSONAL = False  # the clerk checks the numbers against the originals

    citizen_name = F.String(attribute="applicant.name", allow_none=True, required=True)
    citizen_phone_masked = MaskedPhone(attribute="applicant.phone", allow_none=True, required=True)
    citizen_id = F.Integer(required=True, metadata={"description": "for POST /hall/citizens/{id}/verify-identity"})
    citizen_real_name_verified = F.Boolean(attribute="applicant.real_name_verified", required=True, metadata={
        "description": "实名: unverified applicants may submit, but no sub-case is approved until verified"})
    changed_since_return = F.Boolean(required=True)
    profile_flags = F.Dict(keys=F.String(), values=F.String(), required=True, metadata={
        "description": "form fields that differ from the citizen's verified profile (check them)"})


class AcceptSchema(Schema):
    pending_materials = F.List(F.String(), load_default=list,
                               metadata={"description": "容缺: material codes owed after acceptance"})
    commitment_due = F.Date(allow_none=True, load_default=None)


class MaterialCheckSchema(Schema):
    ok = F.Boolean(required=True, metadata={"description": "the supplied 容缺 material is right"})
    reason = F.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                      metadata={"description": "required when not ok: told to the citizen"})


class ProblemSchema(Schema):
    target = F.String(required=True, validate=validate.Length(1, 64),
                      metadata={"description": "a material code, a form field name, or 'other'"})
    reason = F.String(required=True, validate=validate.Length(1, 500))


class ReturnSchema(Schema):
    problems = F.List(F.Nested(ProblemSchema), required=True, validate=validate.Length(1, 50))


class HallRejectSchema(Schema):
    reason = F.String(required=True, validate=validate.Length(1, 500))
    legal_basis = F.String(required=True, validate=validate.Length(1, 500))


class VisitCreateSchema(Schema):
    purpose = F.String(required=True, validate=validate.Length(1, 200))


class VisitOutSchema(Schema):
    id = F.Integer(required=True)
    application_id = F.Integer(required=True)
    hall_id = F.Integer(required=True)
    purpose = F.String(required=True)
    at = F.DateTime(required=True)


class IssueSchema(Schema):
    method = F.String(validate=validate.OneOf(["window", "post"]), load_default=None,
                      metadata={"description": "default: the citizen's delivery choice"})
    carrier = F.String(load_default=None, metadata={"description": "carrier code for post"})


class HallShipmentQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(["requested", "packed", "picked_up", "in_transit", "delivered",
                                               "failed", "returned"]))


class LabelQueryArgsSchema(Schema):
    format = F.String(validate=validate.OneOf(["png", "pdf"]), load_default="png",
                      metadata={"description": "png (8 dots/mm, 100 x 150 mm recorded in the file) or a "
                                               "one-page pdf of 100 x 150 mm"})


class ShipmentAddressSchema(Schema):
    recipient = F.String(required=True)
    phone = F.String(required=True)
    region_code = F.String(required=True)
    detail = F.String(required=True)
    postcode = F.String(required=True)


class HallShipmentSchema(Schema):
    id = F.Integer(required=True)
    number = F.String(required=True)
    application_id = F.Integer(required=True)
    status = F.String(required=True)
    carrier_id = F.Integer(required=True)
    tracking_number = F.String(allow_none=True, required=True)
    address = F.Nested(ShipmentAddressSchema, required=True)
    requested_at = F.DateTime(required=True)
    packed_at = F.DateTime(allow_none=True, required=True)
    picked_up_at = F.DateTime(allow_none=True, required=True)
    delivered_at = F.DateTime(allow_none=True, required=True)
    recipient_name = F.String(allow_none=True, required=True)
    failed_at = F.DateTime(allow_none=True, required=True)
    failure_reason = F.String(allow_none=True, required=True)


class SwitchToPickupSchema(Schema):
    hall_id = F.Integer(required=True, metadata={"description": "the hall the citizen chose"})


class EmptySchema(Schema):
    pass


class HallVerifyIdentitySchema(Schema):
    name = F.String(required=True, validate=validate.Length(1, 50), metadata={"description": "as on the card"})
    id_number = ResidentId(required=True, metadata={"description": "as on the card (read or scanned)"})


class HallCitizenSchema(CitizenSchema):
    real_name_verified_by = F.Integer(allow_none=True, required=True, metadata={"description": "the clerk"})
