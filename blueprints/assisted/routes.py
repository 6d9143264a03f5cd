"""Help at the desk (窗口人员): assisted applications (帮办) with the citizen's SMS consent, and
forwarding what a village or township point cannot accept (前台受理、后台办理)."""
from __future__ import annotations

from flask import current_app

from app.blueprint import Blueprint
from app.extensions import services
from app.services import applications as apps
from app.services import assisted as svc
from app.services import cases, points
from app.web import deps, paged, today
from blueprints.applications import schemas as a
from blueprints.assisted import schemas as s
from blueprints.hall.presenters import with_applicant, with_applicants
from blueprints.hall.schemas import EmptySchema, HallApplicationSchema
from models.staff import Role

blp = Blueprint("assisted", __name__, description="帮办与转交（窗口人员）：代群众填报、短信确认、前台受理后台办理")


def _sms() -> dict:
    return {"sender": services().sms, "secret": current_app.config["SECRET_KEY"],
            "ttl_seconds": current_app.config["SMS_CODE_TTL_SECONDS"]}


@blp.route("/hall/assisted-applications", methods=["POST"])
@blp.auth_required(Role.clerk)
@blp.idempotent
@blp.arguments(s.AssistedCreateSchema)
@blp.response(201, HallApplicationSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.alt_response(502, response="BAD_GATEWAY")
def start_assisted(data):
    """Open a draft for a citizen at this hall and send them the SMS code that is their consent."""
    return with_applicant(svc.start(**deps(outside=True), **_sms(), **data))


@blp.route("/hall/assisted-applications", methods=["GET"])
@blp.auth_required(Role.clerk)
@blp.arguments(s.AssistedQueryArgsSchema, location="query")
@blp.response(200, HallApplicationSchema(many=True))
@blp.paginate()
def list_assisted(args, pagination_parameters):
    """This hall's assisted applications (default: drafts being filled in)."""
    return with_applicants(paged(pagination_parameters, svc.hall_drafts, **deps(clock=False),
                                 status=args.get("status")))


@blp.route("/hall/assisted-applications/<int:application_id>", methods=["GET"])
@blp.auth_required(Role.clerk)
@blp.response(200, HallApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_assisted(application_id):
    """One assisted application of this hall, draft included."""
    return with_applicant(cases.case_for(**deps(clock=False), application_id=application_id, today=today()))


def _edit_doc(func):
    """The clerk writes to the draft as the citizen would on the phone, after their consent."""
    for wrap in (blp.alt_response(409, response="CONFLICT"), blp.alt_response(404, response="NOT_FOUND"),
                 blp.response(200, HallApplicationSchema)):
        func = wrap(func)
    return blp.auth_required(Role.clerk)(func)


@blp.route("/hall/assisted-applications/<int:application_id>", methods=["PATCH"])
@_edit_doc
@blp.arguments(a.FormUpdateSchema)
def update_assisted_form(data, application_id):
    """Fill in the form with the citizen (after their consent)."""
    return with_applicant(apps.update_form(**deps(), application_id=application_id, form=data["form"]))


@blp.route("/hall/assisted-applications/<int:application_id>/materials/<code>", methods=["PUT"])
@_edit_doc
@blp.arguments(a.MaterialAttachSchema)
def attach_assisted_material(data, application_id, code):
    """Attach a scan made at the desk, one of the citizen's files or e-licenses, or a commitment."""
    return with_applicant(apps.attach_material(**deps(), application_id=application_id, code=code, **data))


@blp.route("/hall/assisted-applications/<int:application_id>/delivery", methods=["PUT"])
@_edit_doc
@blp.arguments(a.DeliverySchema)
def set_assisted_delivery(data, application_id):
    """Window pickup or post, as the citizen wishes."""
    return with_applicant(apps.set_delivery(**deps(), application_id=application_id, **data))


@blp.route("/hall/assisted-applications/<int:application_id>/confirm", methods=["POST"])
@blp.command(Role.clerk, body=s.ConsentSchema, out=HallApplicationSchema)
def confirm_assisted(data, application_id):
    """The citizen's SMS code, entered at the desk: their consent to be helped."""
    return with_applicant(svc.confirm(**deps(), secret=current_app.config["SECRET_KEY"], application_id=application_id,
                                      max_attempts=current_app.config["SMS_CODE_MAX_ATTEMPTS"], **data))


@blp.route("/hall/assisted-applications/<int:application_id>/consent-code", methods=["POST"])
@blp.command(Role.clerk, body=EmptySchema, out=HallApplicationSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.alt_response(502, response="BAD_GATEWAY")
def resend_consent_code(data, application_id):
    """Send the citizen a new consent code (the earlier one stops working); at most 5 an hour a phone."""
    return with_applicant(svc.resend_code(**deps(), **_sms(), application_id=application_id))


@blp.route("/hall/assisted-applications/<int:application_id>/submit", methods=["POST"])
@blp.command(Role.clerk, body=EmptySchema, out=HallApplicationSchema)
def submit_assisted(data, application_id):
    """Submit for the citizen (after consent); 422 materials_missing lists everything missing at once."""
    return with_applicant(apps.submit(**deps(outside=True), application_id=application_id))


@blp.route("/hall/applications/<int:application_id>/forward", methods=["POST"])
@blp.command(Role.clerk, body=s.ForwardSchema, out=HallApplicationSchema)
def forward(data, application_id):
    """Forward to a hall whose level accepts every item (前台受理、后台办理); the citizen is told."""
    return with_applicant(points.forward(**deps(), application_id=application_id, **data))
