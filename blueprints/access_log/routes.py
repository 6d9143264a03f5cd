"""Who looked at my data: the citizen's view of staff reads, and the supervisors' view of their region."""
from __future__ import annotations

from app.actors import CITIZEN
from app.blueprint import Blueprint
from app.web import deps, paged
from app.services import access_log as svc
from blueprints.access_log import schemas as s
from models.staff import Role

blp = Blueprint("access_log", __name__, description="个人数据查阅记录：谁在何时、为何查看了我的信息")


@blp.route("/me/access-log")
@blp.auth_required(CITIZEN)
@blp.response(200, s.AccessLogEntrySchema(many=True))
@blp.paginate()
def my_access_log(pagination_parameters):
    """Who looked at my data: every staff read of my applications, files, licenses and profile."""
    return paged(pagination_parameters, svc.for_citizen, **deps(clock=False))


@blp.route("/supervision/access-log")
@blp.auth_required(Role.supervisor, Role.admin)
@blp.arguments(s.SupervisorAccessLogArgsSchema, location="query")
@blp.response(200, s.AccessLogEntrySchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.paginate()
def supervision_access_log(args, pagination_parameters):
    """Staff reads of personal data in my region, by citizen, staff member and dates."""
    return paged(pagination_parameters, svc.for_supervisor, **deps(clock=False), **args)
