"""One state machine for applications, sub-cases and shipments: every allowed move, pure Python.

Each move names the roles that may make it; anything not in TRANSITIONS is illegal (409).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from models.shipment import ShipmentStatus
from models.staff import Party, Role


class AppStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"  # 补正: back to the citizen with every problem in one notice
    accepted = "accepted"  # 受理: the promised deadline starts
    in_review = "in_review"
    completed = "completed"  # every sub-case decided
    delivered = "delivered"  # the result reached the citizen
    rejected = "rejected"  # 不予受理
    withdrawn = "withdrawn"


class SubStatus(enum.StrEnum):
    waiting = "waiting"  # on another sub-case of the same bundle
    pending = "pending"
    materials_requested = "materials_requested"
    approved = "approved"
    rejected = "rejected"


CITIZEN, SYSTEM, CARRIER = Party.citizen, Party.system, Party.carrier
CLERK, REVIEWER, COURIER = Role.clerk, Role.reviewer, Role.courier


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _move(sources, target, *roles) -> Move:
    return Move(frozenset(str(s) for s in sources), str(target), frozenset(str(r) for r in roles))


A, S, P = AppStatus, SubStatus, ShipmentStatus

TRANSITIONS: dict[tuple[str, str], Move] = {
    # A clerk submits an assisted application (帮办) once the citizen has consented.
    ("application", "submit"): _move({A.draft, A.returned}, A.submitted, CITIZEN, CLERK),
    ("application", "withdraw"): _move({A.draft, A.submitted, A.returned}, A.withdrawn, CITIZEN),
    ("application", "accept"): _move({A.submitted}, A.accepted, CLERK),
    ("application", "return"): _move({A.submitted}, A.returned, CLERK),
    ("application", "reject"): _move({A.submitted}, A.rejected, CLERK),
    ("application", "start_review"): _move({A.accepted}, A.in_review, SYSTEM),
    ("application", "complete"): _move({A.accepted, A.in_review}, A.completed, SYSTEM),
    ("application", "issue_window"): _move({A.completed}, A.delivered, CLERK),
    ("application", "deliver"): _move({A.completed}, A.delivered, SYSTEM),
    ("subcase", "open"): _move({S.waiting}, S.pending, SYSTEM),
    ("subcase", "approve"): _move({S.pending}, S.approved, REVIEWER),
    ("subcase", "reject"): _move({S.pending, S.materials_requested}, S.rejected, REVIEWER),
    ("subcase", "request_materials"): _move({S.pending}, S.materials_requested, REVIEWER),
    ("subcase", "supply"): _move({S.materials_requested}, S.pending, CITIZEN),
    ("subcase", "cascade_reject"): _move({S.waiting}, S.rejected, SYSTEM),

    # Shipments (issue by post): the hall packs, the courier or the carrier moves it on.
    # Only workflow.move writes a shipment's status, through these; a carrier's report makes one of
    # them (post.carrier_event), applied only when it moves the shipment forward (shipment.moves_forward).
    ("shipment", "pack"): _move({P.requested}, P.packed, CLERK),
    ("shipment", "pickup"): _move({P.packed}, P.picked_up, COURIER),
    ("shipment", "transit"): _move({P.picked_up, P.in_transit}, P.in_transit, CARRIER),
    ("shipment", "deliver"): _move({P.picked_up, P.in_transit}, P.delivered, COURIER, CARRIER),
    ("shipment", "fail"): _move({P.picked_up, P.in_transit}, P.failed, COURIER, CARRIER),
    ("shipment", "return"): _move({P.failed}, P.returned, CLERK),
}

DECIDED = frozenset({S.approved.value, S.rejected.value})


class IllegalMove(Exception):
    def __init__(self, kind: str, action: str, current: str):
        super().__init__(f"{kind} cannot {action} from {current}")
        self.kind, self.action, self.current = kind, action, current


class RoleNotAllowed(Exception):
    pass


def next_status(kind: str, action: str, current: str, role: str) -> str:
    """The status after `action`, or IllegalMove / RoleNotAllowed."""
    move = TRANSITIONS.get((kind, action))
    if move is None or str(current) not in move.sources:
        raise IllegalMove(kind, action, str(current))
    if role not in move.roles:
        raise RoleNotAllowed(f"{role} may not {action} a {kind}")
    return move.target


def initial_subcase_status(depends_on: list[str]) -> SubStatus:
    return S.waiting if depends_on else S.pending
