"""One unit of work in the services (DESIGN rule 18): no commit or rollback outside transaction(),
and what the blocks promise around the outbox's send."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.services import outbox
from tests.factories import submitted_and_accepted
from tests.helpers import app_now, parsed

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"


def test_services_commit_and_roll_back_only_through_transaction():
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        if path.name == "unit_of_work.py":
            continue
        for node in ast.walk(parsed(path)):
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


RACING = {
    "material": ("app.services.catalogue_admin", "save_material",
                 {"code": "RACE_M", "name": "竞争材料", "formats": ["pdf"], "max_size_mb": 5}),
    "hall": ("app.services.regions", "save_hall",
             {"code": "RACE_H", "name": "竞争大厅", "level": "county", "region_code": "330825",
              "address": "龙游县荣昌大道", "hours": "9:00-17:00"}),
}


@pytest.mark.parametrize("kind", sorted(RACING))
def test_two_admins_create_one_code_at_once(app, db_session, monkeypatch, kind):
    """The other admin's create commits after this one looked for the code and before its INSERT:
    the same 409 `already_exists` as a create that saw it, not a 500; one row."""
    import importlib

    from app.extensions import db

    module_name, name, data = RACING[kind]
    module = importlib.import_module(module_name)
    save, looked, raced = getattr(module, name), module._get_or_new, []

    def look_then_lose_the_race(session, model, code, create):
        row = looked(session, model, code, create)
        if not raced:
            raced.append(code)
            with Session(db.engine) as other:
                save(session=other, data=dict(data))
        return row

    monkeypatch.setattr(module, "_get_or_new", look_then_lose_the_race)
    with pytest.raises(Conflict) as lost:
        save(session=db_session, data=dict(data))
    assert lost.value.code == "already_exists" and raced == [data["code"]]
    model = {"material": "Material", "hall": "Hall"}[kind]
    table = getattr(importlib.import_module("models.catalogue"), model)
    assert db_session.scalar(select(func.count()).select_from(table).where(table.code == data["code"])) == 1


def test_two_admins_create_one_username_at_once(app, db_session, passwords):
    """Another admin's create of the same username commits after this one looked for it and before its
    INSERT: 409 `username_taken` like a create that saw it, not a 500; one account."""
    from app.extensions import db
    from app.services import accounts
    from models.staff import Staff

    raced = []

    class HashThenLoseTheRace(type(passwords)):
        def hash(self, password):
            if not raced:
                raced.append(True)
                with Session(db.engine) as other:
                    accounts.create_staff(session=other, passwords=passwords, username="race-clerk",
                                          password="Race#2026!", role="supervisor", region_code="330825")
            return super().hash(password)

    with pytest.raises(Conflict) as lost:
        accounts.create_staff(session=db_session, passwords=HashThenLoseTheRace(passwords.method),
                              username="race-clerk", password="Race#2026!", role="supervisor",
                              region_code="330825")
    assert lost.value.code == "username_taken" and raced == [True]
    assert db_session.scalar(select(func.count()).select_from(Staff).where(Staff.username == "race-clerk")) == 1
