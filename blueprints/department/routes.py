"""Department back office (reviewer): decide the department's sub-cases, in parallel."""
from __future__ import annotations

from app.audit import Read, staff_read
from app.blueprint import Blueprint
from app.extensions import services
from app.services import department as svc
from app.services import revocation
from app.web import deps, paged
from blueprints.department import schemas as s
from blueprints.department.presenters import subcase_view
from models.staff import Role

blp = Blueprint("department", __name__, description="部门后台（审批人员）：并联审批")


def shown(subcase) -> dict:
    return subcase_view(*svc.shown(**deps(actor=False, clock=False), subcase=subcase))


@blp.route("/department/subcases")
@blp.auth_required(Role.reviewer)
@blp.arguments(s.SubcaseQueryArgsSchema, location="query")
@blp.response(200, s.SubcaseSchema(many=True))
@blp.paginate()
def inbox(args, pagination_parameters):
    """The department's sub-cases; `waiting` ones wait on another department's decision."""
    rows = paged(pagination_parameters, svc.inbox, **deps(clock=False), status=args.get("status"))
    staff_read([Read(a.citizen_id, "application", a.id, a.number, a.region_code) for _, a, *_ in rows], "并联审批")
    return [subcase_view(*row) for row in rows]


@blp.route("/department/subcases/<int:subcase_id>/approve", methods=["POST"])
@blp.command(Role.reviewer, body=s.ApproveSchema, out=s.SubcaseSchema)
def approve(data, subcase_id):
    """Approve; dependent sub-cases open; the last decision completes. 409 identity_unverified while the applicant's real name is not verified (实名), 409 applicant_mismatch if the form names someone else."""  # noqa: E501
    return shown(svc.approve(**deps(), cipher=services().cipher, subcase_id=subcase_id, **data))


@blp.route("/department/subcases/<int:subcase_id>/reject", methods=["POST"])
@blp.command(Role.reviewer, body=s.SubcaseRejectSchema, out=s.SubcaseSchema)
def reject(data, subcase_id):
    """Refuse; sub-cases waiting on this one are refused with it."""
    return shown(svc.reject(**deps(), subcase_id=subcase_id, **data))


@blp.route("/department/subcases/<int:subcase_id>/request-materials", methods=["POST"])
@blp.command(Role.reviewer, body=s.RequestMaterialsSchema, out=s.SubcaseSchema)
def request_materials(data, subcase_id):
    """Ask the citizen for materials; the deadline pauses until they are supplied."""
    return shown(svc.request_materials(**deps(), subcase_id=subcase_id, **data))


@blp.route("/department/elicenses/<int:license_id>/revoke", methods=["POST"])
@blp.command(Role.reviewer, body=s.RevokeSchema, out=s.RevokedSchema)
@blp.alt_response(403, response="FORBIDDEN")
def revoke(data, license_id):
    """Revoke an e-license my department issued: verification says 已撤销 at once, the holder is told."""
    return revocation.revoke(**deps(), license_id=license_id, reason=data["reason"])
