"""Supervision schemas: warnings, statistics, ratings, rectifications, complaints."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema

F = ma.fields


class WarningQueryArgsSchema(Schema):
    light = F.String(validate=validate.OneOf(["yellow", "red"]))
    hall_id = F.Integer()
    department_id = F.Integer()
    escalated = F.Boolean(metadata={"description": "only cases escalated (督办) from below, or only the others"})


class WarningSchema(Schema):
    id = F.Integer(required=True, metadata={"description": "the application; POST .../warnings/{id}/urge"})
    kind = F.String(required=True, validate=validate.OneOf(["deadline", "commitment"]),
                    metadata={"description": "a late deadline, or a 容缺 pledge past its due date"})
    escalated = F.Boolean(required=True, metadata={"description": "red too long: went up to the parent region"})
    escalated_to = F.String(allow_none=True, required=True)
    application_id = F.Integer(required=True)
    number = F.String(required=True)
    title = F.String(required=True)
    hall_id = F.Integer(allow_none=True, required=True)
    department_id = F.Integer(allow_none=True, required=True)
    item_code = F.String(allow_none=True, required=True, metadata={"description": "set for a sub-case warning"})
    subcase_id = F.Integer(allow_none=True, required=True)
    light = F.String(required=True)
    due = F.Date(allow_none=True, required=True)


class StatsQueryArgsSchema(Schema):
    region_code = F.String(validate=validate.Regexp(r"^\d{6}$"))
    hall_id = F.Integer()
    department_id = F.Integer()
    item_code = F.String(validate=validate.Length(1, 32))
    date_from = F.Date(data_key="from")
    date_to = F.Date(data_key="to")

    @ma.validates_schema
    def _range(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ma.ValidationError("from 不能晚于 to", "from")


class StatsSchema(Schema):
    applications = F.Integer(required=True)
    accepted = F.Integer(required=True)
    completed = F.Integer(required=True)
    mobile_rate = F.Float(allow_none=True, required=True)
    zero_trip_rate = F.Float(allow_none=True, required=True)
    at_most_one_trip_rate = F.Float(allow_none=True, required=True)
    on_time_rate = F.Float(allow_none=True, required=True)
    overdue = F.Integer(required=True)
    avg_working_days = F.Float(allow_none=True, required=True)
    p90_working_days = F.Integer(allow_none=True, required=True)
    promised_days_avg = F.Float(allow_none=True, required=True)
    statutory_days_avg = F.Float(allow_none=True, required=True)
    materials_exempted = F.Integer(required=True)
    post_delivery_rate = F.Float(allow_none=True, required=True)
    satisfaction_rate = F.Float(allow_none=True, required=True)
    ratings = F.Integer(required=True)
    rectified_rate = F.Float(allow_none=True, required=True)
    trips_saved = F.Integer(required=True)
    channel_mobile_rate = F.Float(allow_none=True, required=True)
    channel_agent_rate = F.Float(allow_none=True, required=True)
    channel_assisted_rate = F.Float(allow_none=True, required=True)
    invited_response_rate = F.Float(allow_none=True, required=True)
    satisfaction_rate_spontaneous = F.Float(allow_none=True, required=True)
    satisfaction_rate_invited = F.Float(allow_none=True, required=True)
    commitments_overdue = F.Integer(required=True)
    complaints_overdue = F.Integer(required=True)
    escalations = F.Integer(required=True)


class EvaluationCreateSchema(Schema):
    score = F.Integer(required=True, validate=validate.Range(1, 5))
    tags = F.List(F.String(validate=validate.Length(1, 20)), load_default=list, validate=validate.Length(max=10))
    comment = F.String(load_default="", validate=validate.Length(max=1000))
    about_item = F.String(load_default=None, allow_none=True, validate=validate.Length(1, 32), metadata={
        "description": "the item whose decision the rating is about: its department owns the rectification"})


class EvaluationSchema(Schema):
    id = F.Integer(required=True)
    application_id = F.Integer(required=True)
    score = F.Integer(required=True)
    tags = F.List(F.String(), required=True)
    comment = F.String(required=True)
    invited = F.Boolean(required=True, metadata={"description": "given after an invitation"})
    created_at = F.DateTime(required=True)
    dismissed_at = F.DateTime(allow_none=True, required=True)
    dismiss_reason = F.String(allow_none=True, required=True)


class ScoreSchema(Schema):
    score = F.Integer(required=True, validate=validate.Range(1, 5))


class RectificationQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(["open", "contacted", "resolved", "dismissed"]))


class RectificationSchema(Schema):
    id = F.Integer(required=True)
    application_id = F.Integer(required=True)
    hall_id = F.Integer(allow_none=True, required=True)
    department_id = F.Integer(allow_none=True, required=True)
    status = F.String(required=True)
    first_contact_due = F.Date(required=True)
    fix_due = F.Date(required=True)
    contacted_at = F.DateTime(allow_none=True, required=True)
    contact_note = F.String(allow_none=True, required=True)
    resolved_at = F.DateTime(allow_none=True, required=True)
    resolution = F.String(allow_none=True, required=True)
    citizen_score = F.Integer(allow_none=True, required=True)
    light = F.String(allow_none=True, required=True, metadata={"description": "red once a due date passed unmet"})


class NoteSchema(Schema):
    note = F.String(required=True, validate=validate.Length(1, 2000))


class ResolveSchema(Schema):
    resolution = F.String(required=True, validate=validate.Length(1, 2000))


class DismissSchema(Schema):
    reason = F.String(required=True, validate=validate.Length(1, 2000))


class ComplaintCreateSchema(Schema):
    content = F.String(required=True, validate=validate.Length(5, 2000))
    application_id = F.Integer(load_default=None, allow_none=True)
    item_code = F.String(load_default=None, allow_none=True)


class ComplaintSchema(Schema):
    id = F.Integer(required=True)
    application_id = F.Integer(allow_none=True, required=True)
    item_code = F.String(allow_none=True, required=True)
    region_code = F.String(required=True)
    content = F.String(required=True)
    status = F.String(required=True)
    due_on = F.Date(required=True)
    light = F.String(required=True)
    response = F.String(allow_none=True, required=True)
    responded_at = F.DateTime(allow_none=True, required=True)
    department_id = F.Integer(allow_none=True, required=True, metadata={"description": "转办: who answers it"})
    assigned_at = F.DateTime(allow_none=True, required=True)
    created_at = F.DateTime(required=True)


class ComplaintQueryArgsSchema(Schema):
    status = F.String(validate=validate.OneOf(["open", "answered"]))


class AssignSchema(Schema):
    department_code = F.String(required=True, validate=validate.Length(1, 32))


class UrgeSchema(Schema):
    application_id = F.Integer(required=True)
    number = F.String(required=True)
    note = F.String(required=True)
    urged_at = F.DateTime(required=True)
    hall_id = F.Integer(allow_none=True, required=True)
    department_ids = F.List(F.Integer(), required=True)
    notices = F.Integer(required=True, metadata={"description": "督办 notices sent (hall and late departments)"})


class RespondSchema(Schema):
    response = F.String(required=True, validate=validate.Length(1, 2000))


class AlertSchema(Schema):
    id = F.Integer(required=True)
    kind = F.String(required=True, validate=validate.OneOf(
        ["deadline", "commitment", "complaint", "rectification", "urge", "escalation"]))
    application_id = F.Integer(allow_none=True, required=True)
    subcase_id = F.Integer(allow_none=True, required=True)
    complaint_id = F.Integer(allow_none=True, required=True)
    rectification_id = F.Integer(allow_none=True, required=True)
    light = F.String(required=True)
    message = F.String(required=True)
    created_at = F.DateTime(required=True)
