"""Department back-office schemas."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from blueprints.hall.schemas import ProblemSchema
from models.workflow import SubStatus

F = ma.fields


class SubcaseQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf([s.value for s in SubStatus]))


class SubcaseSchema(Schema):
    id = F.Integer(required=True)
    application_id = F.Integer(required=True)
    application_number = F.String(required=True)
    applicant_real_name_verified = F.Boolean(required=True, metadata={
        "description": "实名: a sub-case of an unverified applicant cannot be approved (409 identity_unverified)"})
    title = F.String(required=True)
    item_code = F.String(required=True)
    item_name = F.String(required=True)
    status = F.String(required=True, validate=validate.OneOf([s.value for s in SubStatus]))
    depends_on = F.List(F.String(), required=True)
    promised_days = F.Integer(required=True)
    opened_on = F.Date(allow_none=True, required=True)
    decided_at = F.DateTime(allow_none=True, required=True)
    decision_note = F.String(allow_none=True, required=True)
    form = F.Dict(required=True)


class ApproveSchema(Schema):
    note = F.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class SubcaseRejectSchema(Schema):
    reason = F.String(required=True, validate=validate.Length(1, 1000))


class RequestMaterialsSchema(Schema):
    problems = F.List(F.Nested(ProblemSchema), required=True, validate=validate.Length(1, 50))


class RevokeSchema(Schema):
    reason = F.String(required=True, validate=validate.Length(1, 500))


class RevokedSchema(Schema):
    id = F.Integer(required=True)
    type = F.String(required=True)
    number = F.String(required=True)
    issuer = F.String(required=True)
    status = F.String(required=True)
    revoked_at = F.DateTime(required=True)
    revoke_reason = F.String(required=True)
    applications_affected = F.List(F.String(), required=True,
                                   metadata={"description": "open drafts that must supply the material again"})
