"""Supervision (跑改办): warnings, statistics, ratings and their rectification, complaints."""
from __future__ import annotations

from flask import Response, current_app, request

from app.auth import current_actor
from app.web import deps, paged, today
from app.extensions import db
from app.blueprint import Blueprint
from app.services import evaluation as ev
from app.services import complaints as cp
from app.services import escalation, stats, supervision
from blueprints.supervision import schemas as s

blp = Blueprint("supervision", __name__, description="监督（跑改办）：电子监察、统计、好差评整改、办不成事")
SUPERVISOR = ("supervisor", "admin")



@blp.route("/supervision/warnings")
@blp.auth_required(*SUPERVISOR)
@blp.arguments(s.WarningQueryArgsSchema, location="query")
@blp.response(200, s.WarningSchema(many=True))
@blp.paginate()
def warnings(args, pagination_parameters):
    """Yellow and red deadlines and overdue pledges I watch: my region's, and those escalated to me."""
    return paged(pagination_parameters, supervision.warnings, db.session, current_actor(), **args)


@blp.route("/supervision/warnings/<int:application_id>/urge", methods=["POST"])
@blp.auth_required(*SUPERVISOR)
@blp.idempotent
@blp.arguments(s.NoteSchema)
@blp.response(200, s.UrgeSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def urge(data, application_id):
    """督办: send a notice to the hall and the late departments of a warned case; recorded on the case."""
    return escalation.urge(**deps(), application_id=application_id, note=data["note"])


@blp.route("/supervision/stats")
@blp.auth_required(*SUPERVISOR)
@blp.arguments(s.StatsQueryArgsSchema, location="query")
@blp.response(200, s.StatsSchema)
@blp.alt_response(403, response="FORBIDDEN")
def get_stats(args):
    """The reform's figures (definitions in the README); `Accept: text/csv` for a spreadsheet."""
    args["region_code"] = supervision.check_region(current_actor(), args.get("region_code"))
    figures = stats.compute(db.session, today=today(), **args)
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return Response(stats.to_csv(figures), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=onetrip-stats.csv"})
    return figures


@blp.route("/supervision/rectifications")
@blp.auth_required("supervisor", "admin", "clerk", "reviewer")
@blp.arguments(s.RectificationQueryArgsSchema, location="query")
@blp.response(200, s.RectificationSchema(many=True))
@blp.paginate()
def rectifications(args, pagination_parameters):
    """Rectifications of bad ratings: a hall's or department's own, or all in a supervisor's region."""
    return paged(pagination_parameters, ev.list_rectifications, db.session, current_actor(), **args)


@blp.route("/supervision/rectifications/<int:rectification_id>/contact", methods=["POST"])
@blp.auth_required("clerk", "reviewer", "supervisor")
@blp.arguments(s.NoteSchema)
@blp.response(200, s.RectificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def contact(data, rectification_id):
    """Record the first contact with the citizen (due within 1 working day)."""
    return ev.contact(**deps(), rectification_id=rectification_id, note=data["note"])


@blp.route("/supervision/rectifications/<int:rectification_id>/resolve", methods=["POST"])
@blp.auth_required("clerk", "reviewer", "supervisor")
@blp.arguments(s.ResolveSchema)
@blp.response(200, s.RectificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def resolve(data, rectification_id):
    """Record the fix; the citizen is told and may rate it."""
    return ev.resolve(**deps(), rectification_id=rectification_id, resolution=data["resolution"])


@blp.route("/supervision/evaluations/<int:evaluation_id>/dismiss", methods=["POST"])
@blp.auth_required(*SUPERVISOR)
@blp.arguments(s.DismissSchema)
@blp.response(200, s.EvaluationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def dismiss(data, evaluation_id):
    """Dismiss a malicious rating; the reason stays in the record."""
    return ev.dismiss(**deps(), evaluation_id=evaluation_id, reason=data["reason"])


@blp.route("/supervision/complaints")
@blp.auth_required("supervisor", "admin", "reviewer")
@blp.arguments(s.ComplaintQueryArgsSchema, location="query")
@blp.response(200, s.ComplaintSchema(many=True))
@blp.paginate()
def complaints(args, pagination_parameters):
    """办不成事 reports in my region (a reviewer: those passed to my department), soonest due first."""
    return paged(pagination_parameters, cp.list_complaints, db.session, current_actor(), **args)


@blp.route("/supervision/complaints/<int:complaint_id>/assign", methods=["POST"])
@blp.auth_required(*SUPERVISOR)
@blp.arguments(s.AssignSchema)
@blp.response(200, s.ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def assign(data, complaint_id):
    """转办: pass a complaint to a department of the region, whose reviewers answer it."""
    return cp.assign(**deps(), complaint_id=complaint_id, department_code=data["department_code"])


@blp.route("/supervision/complaints/<int:complaint_id>/respond", methods=["POST"])
@blp.auth_required("supervisor", "admin", "reviewer")
@blp.arguments(s.RespondSchema)
@blp.response(200, s.ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def respond(data, complaint_id):
    """Answer a complaint (a reviewer: one passed to my department); the citizen is told."""
    return cp.respond(**deps(), complaint_id=complaint_id, response=data["response"])


@blp.route("/complaints")
@blp.auth_required("citizen")
@blp.arguments(s.ComplaintQueryArgsSchema, location="query")
@blp.response(200, s.ComplaintSchema(many=True))
@blp.paginate()
def my_complaints(args, pagination_parameters):
    """My complaints, newest first, with their answers."""
    return paged(pagination_parameters, cp.my_complaints, db.session, current_actor(), **args)


@blp.route("/complaints/<int:complaint_id>")
@blp.auth_required("citizen")
@blp.etag
@blp.response(200, s.ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND")
def my_complaint(complaint_id):
    """One of my complaints, with the answer once given."""
    return cp.my_complaint(db.session, current_actor(), complaint_id)


@blp.route("/complaints", methods=["POST"])
@blp.auth_required("citizen")
@blp.idempotent
@blp.arguments(s.ComplaintCreateSchema)
@blp.response(201, s.ComplaintSchema)
def complain(data):
    """办不成事: tell the supervisors what could not be done, optionally about an item or an application."""
    return cp.complain(**deps(), **data, answer_days=current_app.config["COMPLAINT_WORKING_DAYS"],
                       default_region=current_app.config["DEFAULT_REGION_CODE"])


@blp.route("/applications/<int:application_id>/evaluation", methods=["POST"])
@blp.auth_required("citizen")
@blp.idempotent
@blp.arguments(s.EvaluationCreateSchema)
@blp.response(201, s.EvaluationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def evaluate(data, application_id):
    """好差评, once, after completion: 5 非常满意 .. 1 非常不满意; 2 or less opens a rectification."""
    return ev.rate(**deps(), application_id=application_id, **data,
                   rectification_days=current_app.config["RECTIFICATION_WORKING_DAYS"])


@blp.route("/applications/<int:application_id>/evaluation/rectification-rating", methods=["POST"])
@blp.auth_required("citizen")
@blp.arguments(s.ScoreSchema)
@blp.response(200, s.RectificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def rate_rectification(data, application_id):
    """Rate how a bad rating was put right."""
    return ev.rate_rectification(**deps(), application_id=application_id, score=data["score"])


@blp.route("/alerts")
@blp.auth_required("clerk", "reviewer")
@blp.response(200, s.AlertSchema(many=True))
@blp.paginate()
def alerts(pagination_parameters):
    """Deadline alerts for my hall (applications) or my department (sub-cases), newest first."""
    return paged(pagination_parameters, supervision.alerts_for, db.session, current_actor())
