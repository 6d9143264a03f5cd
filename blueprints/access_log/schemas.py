"""Staff reads of personal data."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from blueprints.supervision.schemas import StatsQueryArgsSchema

F = ma.fields


class AccessLogEntrySchema(Schema):
    id = F.Integer(required=True)
    at = F.DateTime(required=True)
    citizen_id = F.Integer(required=True)
    staff_id = F.Integer(required=True)
    staff_name = F.String(required=True)
    staff_role = F.String(required=True)
    organisation = F.String(allow_none=True, required=True, metadata={"description": "the hall or department"})
    resource = F.String(required=True, validate=validate.OneOf(["application", "upload", "elicense", "profile"]))
    resource_id = F.Integer(required=True)
    label = F.String(allow_none=True, required=True, metadata={"description": "e.g. the application number"})
    purpose = F.String(required=True, metadata={"description": "the X-Purpose header, or the endpoint's default"})


class SupervisorAccessLogArgsSchema(Schema):
    citizen_id = F.Integer(validate=validate.Range(min=1))
    staff_id = F.Integer(validate=validate.Range(min=1))
    region_code = F.String(validate=validate.Regexp(r"^\d{6}$"))
    date_from = F.Date(data_key="from")
    date_to = F.Date(data_key="to")

    _range = StatsQueryArgsSchema._range  # from <= to, as for the statistics
