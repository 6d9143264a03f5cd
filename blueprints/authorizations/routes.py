"""Authorisations (委托代办): a citizen lets someone apply for them; revoking takes effect at once."""
from __future__ import annotations

from app.actors import CITIZEN
from app.blueprint import Blueprint
from app.web import deps, paged, today
from app.services import authorizations as svc
from blueprints.authorizations import schemas as s

blp = Blueprint("authorizations", __name__, description="委托代办（群众）：授权他人代为申请、撤销授权")


@blp.route("/authorizations", methods=["POST"])
@blp.auth_required(CITIZEN)
@blp.idempotent
@blp.arguments(s.AuthorizationCreateSchema)
@blp.response(201, s.AuthorizationSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def grant(data):
    """Authorise the holder of a phone number to apply for me, for some items or bundles or any."""
    authorization = svc.grant(**deps(), **data)
    return svc.views(**deps(clock=False), rows=[authorization], today=today())[0]


@blp.route("/authorizations", methods=["GET"])
@blp.auth_required(CITIZEN)
@blp.response(200, s.AuthorizationSchema(many=True))
@blp.paginate()
def list_authorizations(pagination_parameters):
    """Authorisations I granted and those granted to my phone, newest first."""
    rows = paged(pagination_parameters, svc.list_authorizations, **deps(clock=False))
    return svc.views(**deps(clock=False), rows=rows, today=today())


@blp.route("/authorizations/<int:authorization_id>", methods=["DELETE"])
@blp.auth_required(CITIZEN)
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def revoke(authorization_id):
    """Revoke: the agent loses access to every case under it at once."""
    svc.revoke(**deps(), authorization_id=authorization_id)
