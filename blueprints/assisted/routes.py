"""Help at the desk (窗口人员): assisted applications (帮办) with the citizen's SMS consent, and
forwarding what a village or township point cannot accept (前台受理、后台办理)."""
from __future__ import annotations

from flask import current_app

from app.auth import current_actor
from app.extensions import Blueprint, db, paged, services
from app.services import applications as apps
from app.services import assisted as svc
from app.services import cases, points
from app.web import deps, today
from blueprints.applications import schemas as a
from blueprints.assisted import schemas as s
from blueprints.hall.routes import _view
from blueprints.hall.schemas import EmptySchema, HallApplicationSchema

blp = Blueprint("assisted", __name__, description="帮办与转交（窗口人员）：代群众填报、短信确认、前台受理后台办理")
CLERK = "clerk"
BASE = "/hall/assisted-applications"


def _sms() -> dict:
    return {"sender": services().sms, "secret": current_app.config["SECRET_KEY"],
            "ttl_seconds": current_app.config["SMS_CODE_TTL_SECONDS"]}


@blp.route(BASE, methods=["POST"])
@blp.auth_required(CLERK)
@blp.idempotent
@blp.arguments(s.AssistedCreateSchema)
@blp.response(201, HallApplicationSchema)
@blp.alt_response(502, response="BAD_GATEWAY")
def start_assisted(data):
    """Open a draft for a citizen at this hall and send them the SMS code that is their consent."""
    return _view([svc.start(**deps(), **_sms(), **data)])[0]


@blp.route(BASE, methods=["GET"])
@blp.auth_required(CLERK)
@blp.arguments(s.AssistedQueryArgsSchema, location="query")
@blp.response(200, HallApplicationSchema(many=True))
@blp.paginate()
def list_assisted(args, pagination_parameters):
    """This hall's assisted applications (default: drafts being filled in)."""
    return _view(paged(pagination_parameters, svc.hall_drafts, db.session, current_actor(), status=args.get("status")))


@blp.route(f"{BASE}/<int:application_id>", methods=["GET"])
@blp.auth_required(CLERK)
@blp.response(200, HallApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_assisted(application_id):
    """One assisted application of this hall, draft included."""
    return _view([cases.case_for(db.session, current_actor(), application_id, today=today())])[0]


def _edit(path: str, method: str, name: str, schema, call, doc: str):
    """The clerk writes to the draft as the citizen would on the phone (after their consent)."""

    @blp.auth_required(CLERK)
    @blp.arguments(schema)
    @blp.response(200, HallApplicationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, application_id, **path_args):
        return _view([call(**deps(), application_id=application_id, **path_args, **data)])[0]

    view.__name__, view.__doc__ = name, doc
    blp.route(f"{BASE}/<int:application_id>{path}", methods=[method])(view)


_edit("", "PATCH", "update_assisted_form", a.FormUpdateSchema, apps.update_form,
      "Fill in the form with the citizen (after their consent).")
_edit("/materials/<code>", "PUT", "attach_assisted_material", a.MaterialAttachSchema, apps.attach_material,
      "Attach a scan made at the desk, one of the citizen's files or e-licenses, or a commitment.")
_edit("/delivery", "PUT", "set_assisted_delivery", a.DeliverySchema, apps.set_delivery,
      "Window pickup or post, as the citizen wishes.")


def _command(path: str, name: str, schema, func, doc: str, extra=dict):
    @blp.auth_required(CLERK)
    @blp.idempotent
    @blp.arguments(schema)
    @blp.response(200, HallApplicationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, application_id):
        return _view([func(**deps(), **extra(), application_id=application_id, **data)])[0]

    view.__name__, view.__doc__ = name, doc
    blp.route(path, methods=["POST"])(view)


_command(f"{BASE}/<int:application_id>/confirm", "confirm_assisted", s.ConsentSchema, svc.confirm,
         "The citizen's SMS code, entered at the desk: their consent to be helped.",
         extra=lambda: {"secret": current_app.config["SECRET_KEY"],
                        "max_attempts": current_app.config["SMS_CODE_MAX_ATTEMPTS"]})
_command(f"{BASE}/<int:application_id>/consent-code", "resend_consent_code", EmptySchema, svc.resend_code,
         "Send the citizen a new consent code (the earlier one stops working).", extra=_sms)
_command(f"{BASE}/<int:application_id>/submit", "submit_assisted", EmptySchema, apps.submit,
         "Submit for the citizen (after consent); 422 materials_missing lists everything missing at once.")
_command("/hall/applications/<int:application_id>/forward", "forward", s.ForwardSchema, points.forward,
         "Forward to a hall whose level accepts every item (前台受理、后台办理); the citizen is told.")
