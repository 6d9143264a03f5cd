"""Department back office (reviewer): decide the department's sub-cases, in parallel."""
from __future__ import annotations

from app.audit import Read, staff_read
from app.auth import current_actor
from app.web import deps, paged
from app.extensions import db, services
from app.blueprint import Blueprint
from app.services import department as svc
from app.services import revocation
from blueprints.department import schemas as s
from models.application import Application, SubCase
from models.catalogue import Item
from models.citizen import Citizen

blp = Blueprint("department", __name__, description="部门后台（审批人员）：并联审批")
REVIEWER = "reviewer"


def _view(subcase: SubCase, application: Application, item: Item, applicant_verified: bool) -> dict:
    return {"id": subcase.id, "application_id": application.id, "application_number": application.number,
            "applicant_real_name_verified": applicant_verified,
            "title": application.title, "item_code": subcase.item_code, "item_name": item.main_name,
            "status": str(subcase.status), "depends_on": list(subcase.depends_on),
            "promised_days": subcase.promised_days, "opened_on": subcase.opened_on,
            "decided_at": subcase.decided_at, "decision_note": subcase.decision_note,
            "form": application.form}


@blp.route("/department/subcases")
@blp.auth_required(REVIEWER)
@blp.arguments(s.SubcaseQueryArgsSchema, location="query")
@blp.response(200, s.SubcaseSchema(many=True))
@blp.paginate()
def inbox(args, pagination_parameters):
    """The department's sub-cases; `waiting` ones wait on another department's decision."""
    rows = paged(pagination_parameters, svc.inbox, db.session, current_actor(), status=args.get("status"))
    shown = [_view(*row) for row in rows]
    staff_read([Read(a.citizen_id, "application", a.id, a.number, a.region_code) for _, a, *_ in rows], "并联审批")
    return shown


def _command(path: str, schema, func, doc: str, extra=dict):
    @blp.auth_required(REVIEWER)
    @blp.idempotent
    @blp.arguments(schema)
    @blp.response(200, s.SubcaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, subcase_id):
        subcase = func(**deps(), **extra(), subcase_id=subcase_id, **data)
        application = db.session.get(Application, subcase.application_id)
        return _view(subcase, application, db.session.get(Item, subcase.item_id),
                     db.session.get(Citizen, application.citizen_id).real_name_verified)

    view.__name__, view.__doc__ = path.replace("-", "_"), doc
    blp.route(f"/department/subcases/<int:subcase_id>/{path}", methods=["POST"])(view)


_command("approve", s.ApproveSchema, svc.approve,
         "Approve; dependent sub-cases open; the last decision completes. 409 identity_unverified while the "
         "applicant's real name is not verified (实名), 409 applicant_mismatch if the form names someone else.",
         extra=lambda: {"cipher": services().cipher})
_command("reject", s.SubcaseRejectSchema, svc.reject, "Refuse; sub-cases waiting on this one are refused with it.")
_command("request-materials", s.RequestMaterialsSchema, svc.request_materials,
         "Ask the citizen for materials; the deadline pauses until they are supplied.")


@blp.route("/department/elicenses/<int:license_id>/revoke", methods=["POST"])
@blp.command(REVIEWER, s.RevokeSchema, s.RevokedSchema)
@blp.alt_response(403, response="FORBIDDEN")
def revoke(data, license_id):
    """Revoke an e-license my department issued: verification says 已撤销 at once, the holder is told."""
    return revocation.revoke(**deps(), license_id=license_id, reason=data["reason"])
