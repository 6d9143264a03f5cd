"""Carrier webhooks: HMAC-signed, timestamped, applied once, never backwards."""
from __future__ import annotations

import time

from flask import current_app, request
from sqlalchemy import select

from app.errors import Unauthenticated
from app.web import deps
from app.extensions import db
from app.blueprint import Blueprint
from app.gateways import carrier as signing
from app.services import post as svc
from blueprints.webhooks import schemas as s
from models.catalogue import Carrier

blp = Blueprint("webhooks", __name__, description="承运商回调：签名、时效、去重、防回退")


def _authenticate(carrier_code: str) -> Carrier:
    """Before the body is parsed: a forged, stale or unknown call learns nothing but 401."""
    secret = current_app.config["CARRIER_WEBHOOK_SECRETS"].get(carrier_code)
    problem = signing.verify(secret, request.headers.get("X-Timestamp"), request.headers.get("X-Signature"),
                             request.get_data(cache=True), time.time())
    carrier = db.session.scalars(select(Carrier).where(Carrier.code == carrier_code)).first()
    if problem or carrier is None:
        current_app.logger.warning("carrier webhook %s refused: %s", carrier_code, problem or "unknown carrier")
        raise Unauthenticated("webhook_signature_invalid")
    return carrier


@blp.route("/webhooks/carriers/<carrier_code>", methods=["POST"])
@blp.arguments(s.CarrierEventSchema)
@blp.response(200, s.CarrierEventAnswerSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(parameters=[
    {"in": "header", "name": "X-Timestamp", "required": True, "schema": {"type": "string"}},
    {"in": "header", "name": "X-Signature", "required": True, "schema": {"type": "string"},
     "description": "hex(HMAC-SHA256(secret, timestamp + '.' + body))"}])
def carrier_webhook(data, carrier_code):
    """A carrier's tracking event; a repeated event id changes nothing, a late one moves nothing back."""
    record = svc.carrier_event(**deps(actor=False), carrier=request.environ["onetrip.carrier"],
                               event=data)
    return {"event_id": record.event_id, "applied": record.applied, "outcome": record.outcome}


def _authenticate_before_parsing():
    request.environ["onetrip.carrier"] = _authenticate(request.view_args["carrier_code"])


carrier_webhook.before_parse = _authenticate_before_parsing
