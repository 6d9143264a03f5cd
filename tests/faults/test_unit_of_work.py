"""One unit of work in the services (DESIGN rule 18): no commit or rollback outside transaction(),
and what the blocks promise around the outbox's send."""
from __future__ import annotations

import ast
from pathlib import Path

from app.services import outbox
from tests.factories import submitted_and_accepted
from tests.helpers import app_now

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"


def test_services_commit_and_roll_back_only_through_transaction():
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        if path.name == "unit_of_work.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("commit", "rollback", "begin", "begin_nested"):
                found.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
            if isinstance(node, ast.Attribute) and node.attr in ("concurrent_safe",):
                found.append(f"{path.name}:{node.lineno} {node.attr}")
    assert found == [], "use `with transaction(session):` (app/services/unit_of_work.py)"


def test_the_outbox_sends_with_no_transaction_open(client, sms, db_session):
    """The claim commits and the gateway is called with nothing open (no lock, no snapshot held
    through a slow send): nothing the send needs is reloaded after the claim's commit."""
    submitted_and_accepted(client, sms)
    open_during_send = []

    class Watching:
        def send(self, phone, template, params, text, *, message_id=None):
            open_during_send.append(db_session().in_transaction())

    report = outbox.deliver_due(session=db_session, clock=app_now, sms=Watching(), wechat=None)
    assert report.sent == 2 and open_during_send == [False, False]
