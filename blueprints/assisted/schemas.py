"""Assisted applications (帮办) and forwarding (前台受理、后台办理) schemas."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from blueprints.applications.schemas import OneTargetSchema
from blueprints.auth.schemas import Mobile

F = ma.fields


class AssistedCreateSchema(OneTargetSchema):
    citizen_phone = Mobile(required=True, validate=validate.Length(max=20), metadata={"example": "13700137000"})
    form = F.Dict(keys=F.String(), load_default=dict)
    competent_region_code = F.String(allow_none=True, validate=validate.Regexp(r"^\d{6}$"), metadata={
        "description": "异地可办: where the citizen's household or social insurance is registered"})


class ConsentSchema(Schema):
    code = F.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="验证码为 6 位数字"))


class AssistedQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(["draft", "submitted", "returned", "withdrawn"]),
                      metadata={"description": "default draft"})


class ForwardSchema(Schema):
    hall_code = F.String(required=True, validate=validate.Length(1, 32),
                         metadata={"description": "a hall of the same region whose level accepts every item"})
