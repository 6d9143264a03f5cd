"""Who looked at my data: the citizen's view of staff reads, and the supervisors' view of their region."""
from __future__ import annotations

from app.auth import current_actor
from app.extensions import db
from app.blueprint import Blueprint
from app.web import paged
from app.services import access_log as svc
from blueprints.access_log import schemas as s

blp = Blueprint("access_log", __name__, description="个人数据查阅记录：谁在何时、为何查看了我的信息")


@blp.route("/me/access-log")
@blp.auth_required("citizen")
@blp.response(200, s.AccessLogEntrySchema(many=True))
@blp.paginate()
def my_access_log(pagination_parameters):
    """Who looked at my data: every staff read of my applications, files, licenses and profile."""
    return paged(pagination_parameters, svc.for_citizen, db.session, current_actor())


@blp.route("/supervision/access-log")
@blp.auth_required("supervisor", "admin")
@blp.arguments(s.SupervisorAccessLogArgsSchema, location="query")
@blp.response(200, s.AccessLogEntrySchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.paginate()
def supervision_access_log(args, pagination_parameters):
    """Staff reads of personal data in my region, by citizen, staff member and dates."""
    return paged(pagination_parameters, svc.for_supervisor, db.session, current_actor(), **args)
