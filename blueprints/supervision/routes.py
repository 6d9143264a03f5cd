"""Supervision (跑改办): warnings, statistics, ratings and their rectification, complaints."""
from __future__ import annotations

from flask import Response, current_app, request

from app.actors import CITIZEN
from app.auth import current_actor
from app.web import deps, paged, today
from app.blueprint import Blueprint
from app.services import evaluation as ev
from app.services import complaints as cp
from app.services import escalation, stats, supervision
from blueprints.supervision import schemas as s
from models.staff import Role

blp = Blueprint("supervision", __name__, description="监督（跑改办）：电子监察、统计、好差评整改、办不成事")
SUPERVISOR = (Role.supervisor, Role.admin)
RECTIFIERS = (Role.clerk, Role.reviewer, Role.supervisor)  # who puts a bad rating right


@blp.route("/supervision/warnings")
@blp.auth_required(*SUPERVISOR)
@blp.arguments(s.WarningQueryArgsSchema, location="query")
@blp.response(200, s.WarningSchema(many=True))
@blp.paginate()
def warnings(args, pagination_parameters):
    """Yellow and red deadlines and overdue pledges I watch: my region's, and those escalated to me."""
    return paged(pagination_parameters, supervision.warnings, **deps(clock=False), **args)


@blp.route("/supervision/warnings/<int:application_id>/urge", methods=["POST"])
@blp.command(*SUPERVISOR, body=s.NoteSchema, out=s.UrgeSchema)
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
    figures = stats.compute(**deps(actor=False, clock=False), today=today(), **args)
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return Response(stats.to_csv(figures), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=onetrip-stats.csv"})
    return figures


@blp.route("/supervision/rectifications")
@blp.auth_required(Role.supervisor, Role.admin, Role.clerk, Role.reviewer)
@blp.arguments(s.RectificationQueryArgsSchema, location="query")
@blp.response(200, s.RectificationSchema(many=True))
@blp.paginate()
def rectifications(args, pagination_parameters):
    """Rectifications of bad ratings: a hall's or department's own, or all in a supervisor's region."""
    return paged(pagination_parameters, ev.list_rectifications, **deps(clock=False), **args)


@blp.route("/supervision/rectifications/<int:rectification_id>/contact", methods=["POST"])
@blp.command(*RECTIFIERS, body=s.NoteSchema, out=s.RectificationSchema, idempotent=False)
def contact(data, rectification_id):
    """Record the first contact with the citizen (due within 1 working day)."""
    return ev.contact(**deps(), rectification_id=rectification_id, note=data["note"])


@blp.route("/supervision/rectifications/<int:rectification_id>/resolve", methods=["POST"])
@blp.command(*RECTIFIERS, body=s.ResolveSchema, out=s.RectificationSchema, idempotent=False)
def resolve(data, rectification_id):
    """Record the fix; the citizen is told and may rate it."""
    return ev.resolve(**deps(), rectification_id=rectification_id, resolution=data["resolution"])


@blp.route("/supervision/evaluations/<int:evaluation_id>/dismiss", methods=["POST"])
@blp.command(*SUPERVISOR, body=s.DismissSchema, out=s.EvaluationSchema, idempotent=False)
def dismiss(data, evaluation_id):
    """Dismiss a malicious rating; the reason stays in the record."""
    return ev.dismiss(**deps(), evaluation_id=evaluation_id, reason=data["reason"])


@blp.route("/supervision/complaints")
@blp.auth_required(Role.supervisor, Role.admin, Role.reviewer)
@blp.arguments(s.ComplaintQueryArgsSchema, location="query")
@blp.response(200, s.ComplaintSchema(many=True))
@blp.paginate()
def complaints(args, pagination_parameters):
    """办不成事 reports in my region (a reviewer: those passed to my department), soonest due first."""
    return paged(pagination_parameters, cp.list_complaints, **deps(clock=False), **args)


@blp.route("/supervision/complaints/<int:complaint_id>/assign", methods=["POST"])
@blp.command(*SUPERVISOR, body=s.AssignSchema, out=s.ComplaintSchema, idempotent=False)
def assign(data, complaint_id):
    """转办: pass a complaint to a department of the region, whose reviewers answer it."""
    return cp.assign(**deps(), complaint_id=complaint_id, department_code=data["department_code"])


@blp.route("/supervision/complaints/<int:complaint_id>/respond", methods=["POST"])
@blp.command(Role.supervisor, Role.admin, Role.reviewer, body=s.RespondSchema, out=s.ComplaintSchema, idempotent=False)
def respond(data, complaint_id):
    """Answer a complaint (a reviewer: one passed to my department); the citizen is told."""
    return cp.respond(**deps(), complaint_id=complaint_id, response=data["response"])


@blp.route("/complaints")
@blp.auth_required(CITIZEN)
@blp.arguments(s.ComplaintQueryArgsSchema, location="query")
@blp.response(200, s.ComplaintSchema(many=True))
@blp.paginate()
def my_complaints(args, pagination_parameters):
    """My complaints, newest first, with their answers."""
    return paged(pagination_parameters, cp.my_complaints, **deps(clock=False), **args)


@blp.route("/complaints/<int:complaint_id>")
@blp.auth_required(CITIZEN)
@blp.etag
@blp.response(200, s.ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND")
def my_complaint(complaint_id):
    """One of my complaints, with the answer once given."""
    return cp.my_complaint(**deps(clock=False), complaint_id=complaint_id)


@blp.route("/complaints", methods=["POST"])
@blp.auth_required(CITIZEN)
@blp.idempotent
@blp.arguments(s.ComplaintCreateSchema)
@blp.response(201, s.ComplaintSchema)
def complain(data):
    """办不成事: tell the supervisors what could not be done, optionally about an item or an application."""
    return cp.complain(**deps(), **data, answer_days=current_app.config["COMPLAINT_WORKING_DAYS"],
                       default_region=current_app.config["DEFAULT_REGION_CODE"])


@blp.route("/applications/<int:application_id>/evaluation", methods=["POST"])
@blp.command(CITIZEN, body=s.EvaluationCreateSchema, out=s.EvaluationSchema, status=201)
def evaluate(data, application_id):
    """好差评, once, after completion: 5 非常满意 .. 1 非常不满意; 2 or less opens a rectification."""
    return ev.rate(**deps(), application_id=application_id, **data,
                   rectification_days=current_app.config["RECTIFICATION_WORKING_DAYS"])


@blp.route("/applications/<int:application_id>/evaluation/rectification-rating", methods=["POST"])
@blp.command(CITIZEN, body=s.ScoreSchema, out=s.RectificationSchema, idempotent=False)
def rate_rectification(data, application_id):
    """Rate how a bad rating was put right."""
    return ev.rate_rectification(**deps(), application_id=application_id, score=data["score"])


@blp.route("/alerts")
@blp.auth_required(Role.clerk, Role.reviewer)
@blp.response(200, s.AlertSchema(many=True))
@blp.paginate()
def alerts(pagination_parameters):
    """Deadline alerts for my hall (applications) or my department (sub-cases), newest first."""
    return paged(pagination_parameters, supervision.alerts_for, **deps(clock=False))
