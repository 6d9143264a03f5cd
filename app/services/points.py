"""Village and township points (就近办): 前台受理、后台办理 — a point takes in what its level cannot
accept and forwards it to a hall that can; the citizen is told, and still collects the result at
the pickup hall they chose (村统一窗口出件)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.actors import Actor
from app.clock import Clock
from app.errors import Conflict, ValidationFailed
from app.services import workflow
from app.services.catalogue import find_hall
from app.services.hall import _items_with_dependencies, hall_application
from app.services.notify import notify
from app.services.unit_of_work import transaction
from models.application import Application
from models.catalogue import Hall
from models.workflow import AppStatus


def forward(*, session: Session, clock: Clock, actor: Actor, application_id: int, hall_code: str) -> Application:
    """A submitted case moves to a hall of the same region whose level accepts every item in it."""
    with transaction(session):
        application = hall_application(session, actor, application_id)
        if application.status != AppStatus.submitted:
            raise Conflict("invalid_transition", errors={"current_status": str(application.status), "action": "forward"})
        target = find_hall(session, hall_code)
        if target is None:
            raise ValidationFailed("unknown_reference", errors={"hall_code": [f"大厅 {hall_code} 不存在"]})
        items = [item for item, _ in _items_with_dependencies(session, application)]
        refused = [item.code for item in items if str(target.level) not in item.level_names]
        if refused or target.region_code != application.region_code or target.id == actor.hall_id:
            raise ValidationFailed("forward_not_allowed", errors={"hall_code": [f"{target.name} 不能受理此申请"],
                                                                  "items": refused})
        here = session.get(Hall, actor.hall_id)
        now = clock()
        application.pickup_hall_id = application.pickup_hall_id or here.id
        application.hall_id = target.id
        application.updated_at = now  # the version moves: a concurrent accept at the point loses cleanly
        workflow.record(session, application, "forwarded", actor=actor, at=now,
                        message=f"{here.name}已将申请转交{target.name}办理（前台受理、后台办理）",
                        details={"from_hall_id": here.id, "to_hall_id": target.id})
        notify(session, application, "application_forwarded", at=now, hall=target.name, from_hall=here.name)
        return application
