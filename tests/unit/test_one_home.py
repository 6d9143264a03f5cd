"""One home per rule (DESIGN.md rule 19), checked on the source: statuses move only through the
state machine, roles are named only through their enums, working days are counted only by the
deadline rules."""
from __future__ import annotations

import ast
from pathlib import Path

from models.shipment import CARRIER_STATUSES, RANK, ShipmentStatus
from models.staff import Party, Role
from models.workflow import TRANSITIONS, AppStatus, SubStatus
from tests.helpers import parsed

ROOT = Path(__file__).resolve().parents[2]


def _sources(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), parsed(path)


def test_every_shipment_status_is_in_the_state_machine_and_ranked():
    moves = [move for (kind, _), move in TRANSITIONS.items() if kind == "shipment"]
    reached = {ShipmentStatus.requested} | {move.target for move in moves}
    left = set().union(*(move.sources for move in moves))
    assert {str(s) for s in ShipmentStatus} == reached
    assert left <= reached
    assert set(RANK) == set(ShipmentStatus)
    assert set(CARRIER_STATUSES) <= {str(s) for s in ShipmentStatus}


def test_only_workflow_move_writes_a_status_of_the_state_machine():
    machine = {str(s) for enum in (AppStatus, SubStatus, ShipmentStatus) for s in enum}
    owners = ("application", "subcase", "sub", "shipment", "target")
    found = []
    for path, tree in _sources("app"):
        if path == "app/services/workflow.py":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if not (isinstance(t, ast.Attribute) and t.attr == "status"):
                        continue
                    owner = t.value.id if isinstance(t.value, ast.Name) else ""
                    literal = isinstance(node.value, ast.Constant) and node.value.value in machine
                    enum_member = any(name in ast.unparse(node.value)
                                      for name in ("AppStatus", "SubStatus", "ShipmentStatus"))
                    if owner in owners or literal or enum_member:
                        found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "statuses move through app.services.workflow.move:\n" + "\n".join(found)


def test_roles_are_named_through_their_enums():
    """`actor.role == "clerk"` drifts from the Role enum unnoticed; `actor.role == Role.clerk` cannot."""
    names = {str(r) for r in Role} | {str(p) for p in Party}
    found = []
    for path, tree in _sources("app", "models"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    values = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                    if any(isinstance(v, ast.Constant) and v.value in names for v in values):
                        found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "use models.staff.Role / Party (app.actors.CITIZEN for an actor's kind):\n" + "\n".join(found)


def test_working_days_are_counted_only_by_the_deadline_rules():
    """add_working_days / working_days_between are called by the deadline rules alone."""
    allowed = {"app/services/deadlines.py", "models/calendar.py"}
    found = []
    for path, tree in _sources("app", "models", "blueprints"):
        if path in allowed:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("add_working_days", "working_days_between"):
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "count working days in app/services/deadlines.py:\n" + "\n".join(found)
