"""The citizen's messages: SMS, WeChat and in-app notifications with delivery status and read marks."""
from __future__ import annotations

from app.actors import CITIZEN
from app.blueprint import Blueprint
from app.web import deps, paged
from app.services import messages as svc
from blueprints.messages import schemas as s

blp = Blueprint("messages", __name__, description="我的消息：短信、微信与站内通知，投递状态与已读")


@blp.route("/me/messages")
@blp.auth_required(CITIZEN)
@blp.arguments(s.MessageQueryArgsSchema, location="query")
@blp.response(200, s.MessageSchema(many=True))
@blp.paginate()
def list_messages(args, pagination_parameters):
    """My notifications, newest first, with status (queued, sent, failed) and read_at."""
    return paged(pagination_parameters, svc.list_messages, **deps(clock=False), unread=args.get("unread"))


@blp.route("/me/messages/<int:message_id>/read", methods=["POST"])
@blp.auth_required(CITIZEN)
@blp.response(200, s.MessageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def read_message(message_id):
    """Mark a message read (the first time counts)."""
    return svc.mark_read(**deps(), message_id=message_id)
