"""/healthz (the process answers) and /readyz (the database and the object store answer)."""
from __future__ import annotations

from flask import current_app

from app.errors import ServiceUnavailable
from app.extensions import services
from app.services.readiness import database_ready
from app.web import deps
from app.blueprint import Blueprint
from blueprints.health.schemas import HealthSchema, ReadinessSchema
from storage import StoreError

blp = Blueprint("health", __name__, description="存活与就绪检查")


@blp.route("/healthz")
@blp.response(200, HealthSchema)
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="errors names the failing part")
def readyz():
    """The database and the object store are reachable."""
    checks = {"database": "ok" if database_ready(**deps(actor=False, clock=False)) else "unavailable"}
    try:
        services().store.check()
        checks["object_store"] = "ok"
    except StoreError as exc:
        current_app.logger.warning("readyz: object store: %s", exc)
        checks["object_store"] = "unavailable"
    if any(v != "ok" for v in checks.values()):
        raise ServiceUnavailable(errors=checks)
    return {"status": "ok", "checks": checks}
