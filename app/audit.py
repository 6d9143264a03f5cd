"""The web edge's record of staff reads of personal data (API.md v1.1): the purpose comes from the
`X-Purpose` header (URL-encoded UTF-8, up to 200 characters) or the endpoint's default."""
from __future__ import annotations

from urllib.parse import unquote

from flask import after_this_request, request

from app.auth import current_actor
from app.observability import request_id
from app.services import access_log
from app.services.access_log import Read
from app.web import deps

PURPOSE_HEADER = "X-Purpose"

__all__ = ["PURPOSE_HEADER", "Read", "staff_read"]


def staff_read(reads: list[Read], default_purpose: str) -> None:
    """Record that the calling staff member was shown these pieces of citizens' data.

    Written once the answer is built (its own transaction, a constant number of statements), so
    the view's objects are not expired under it; an answer that failed showed nothing."""
    if current_actor().kind != "staff" or not reads:
        return
    purpose = unquote((request.headers.get(PURPOSE_HEADER) or "").strip())[:200] or default_purpose
    handed, rid = deps(), request_id()

    @after_this_request
    def _record(response):
        if response.status_code < 400:
            access_log.record(**handed, reads=reads, purpose=purpose, request_id=rid)
        return response
