"""Carrier webhooks: HMAC-signed, timestamped, applied once, never backwards."""
from __future__ import annotations

import time

from flask import current_app, request

from app.blueprint import Blueprint
from app.errors import Unauthenticated
from app.gateways import carrier as signing
from app.services import post as svc
from app.web import deps
from blueprints.webhooks import schemas as s

blp = Blueprint("webhooks", __name__, description="承运商回调：签名、时效、去重、防回退")
CARRIER = "onetrip.carrier"  # request.environ key: the carrier the signature proved


def _authenticate_carrier() -> None:
    """Before the body is parsed: a forged, stale or unknown call learns nothing but 401."""
    carrier_code = request.view_args["carrier_code"]
    secret = current_app.config["CARRIER_WEBHOOK_SECRETS"].get(carrier_code)
    problem = signing.verify(secret, request.headers.get("X-Timestamp"), request.headers.get("X-Signature"),
                             request.get_data(cache=True), time.time())
    carrier = svc.carrier_by_code(**deps(actor=False, clock=False), code=carrier_code)
    if problem or carrier is None:
        current_app.logger.warning("carrier webhook %s refused: %s", carrier_code, problem or "unknown carrier")
        raise Unauthenticated("webhook_signature_invalid")
    request.environ[CARRIER] = carrier


@blp.route("/webhooks/carriers/<carrier_code>", methods=["POST"])
@blp.before_parse(_authenticate_carrier)
@blp.arguments(s.CarrierEventSchema)
@blp.response(200, s.CarrierEventAnswerSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.doc(parameters=[
    {"in": "header", "name": "X-Timestamp", "required": True, "schema": {"type": "string"}},
    {"in": "header", "name": "X-Signature", "required": True, "schema": {"type": "string"},
     "description": "hex(HMAC-SHA256(secret, timestamp + '.' + body))"}])
def carrier_webhook(data, carrier_code):
    """A carrier's tracking event; a repeated event id changes nothing, a late one moves nothing back."""
    return svc.carrier_event(**deps(actor=False), carrier=request.environ[CARRIER], event=data)
