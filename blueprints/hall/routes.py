"""Service hall (clerk): accept any item at any window, return once, reject, visits, issue results."""
from __future__ import annotations

from app.auth import current_actor
from app.clock import utcnow
from app.crypto import mask_phone
from app.extensions import Blueprint, db, paged
from app.services import hall as svc
from blueprints.hall import schemas as s
from models.citizen import Citizen

blp = Blueprint("hall", __name__, description="综合窗口（窗口人员）：受理、补正、不予受理、现场、出件")
CLERK = "clerk"


def _args():
    return {"session": db.session, "clock": utcnow, "actor": current_actor()}


def _view(applications):
    citizens = {c.id: c for c in db.session.query(Citizen).filter(
        Citizen.id.in_({a.citizen_id for a in applications}))} if applications else {}
    fields = [name for name in s.HallApplicationSchema().fields if not name.startswith("citizen_")]
    return [{**{name: getattr(a, name) for name in fields}, "citizen_name": citizens[a.citizen_id].name,
             "citizen_phone_masked": mask_phone(citizens[a.citizen_id].phone)} for a in applications]


@blp.route("/hall/applications")
@blp.auth_required(CLERK)
@blp.arguments(s.HallQueryArgsSchema, location="query")
@blp.response(200, s.HallApplicationSchema(many=True))
@blp.paginate()
def inbox(args, pagination_parameters):
    """Every application in the clerk's region, whatever its department (无差别全科受理)."""
    rows = paged(pagination_parameters, svc.inbox, db.session, current_actor(), status=args.get("status"))
    return _view(rows)


@blp.route("/hall/applications/<int:application_id>")
@blp.auth_required(CLERK)
@blp.etag
@blp.response(200, s.HallApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_application(application_id):
    """One application in the clerk's region."""
    return _view([svc.hall_application(db.session, current_actor(), application_id)])[0]


def _command(path: str, name: str, schema, func, doc: str, status: int = 200, out=s.HallApplicationSchema):
    @blp.auth_required(CLERK)
    @blp.idempotent
    @blp.arguments(schema)
    @blp.response(status, out)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, application_id):
        result = func(**_args(), application_id=application_id, **data)
        return _view([result])[0] if out is s.HallApplicationSchema else result

    view.__name__, view.__doc__ = name, doc
    blp.route(f"/hall/applications/<int:application_id>/{path}", methods=["POST"])(view)


_command("accept", "accept", s.AcceptSchema, svc.accept,
         "Accept (受理): the deadline starts; pending non-key materials on a commitment (容缺受理).")
_command("return", "return_application", s.ReturnSchema, svc.return_application,
         "Return with every problem in one notice (一次性告知); refused twice unless the citizen changed something.")
_command("reject", "reject", s.HallRejectSchema, svc.reject, "Reject (不予受理) with the legal basis.")
_command("visits", "record_visit", s.VisitCreateSchema, svc.record_visit,
         "Record that the citizen came in person.", status=201, out=s.VisitOutSchema)
_command("issue", "issue", s.IssueSchema, svc.issue,
         "Hand the result over: at the window (a visit) or by post (a shipment is requested).")
