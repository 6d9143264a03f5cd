"""seed-demo is idempotent; create-staff binds roles; the migrations match the models."""
from __future__ import annotations

from sqlalchemy import func, select

from app.services import demo_data
from models.catalogue import Bundle, Department, Hall, Item
from models.staff import Staff
from tests.helpers import login_staff


def _dump(db):
    with db.engine.connect() as conn:
        return {t.name: sorted(map(repr, (tuple(r) for r in conn.execute(select(t)))))
                for t in db.metadata.sorted_tables}


def test_seed_twice_changes_nothing(app):
    from app.extensions import db
    from app.services.seed import seed_demo

    with app.app_context():
        before = _dump(db)
        counts = seed_demo(session=db.session, clock=app.extensions["onetrip"].clock,
                           cipher=app.extensions["onetrip"].cipher, passwords=app.extensions["onetrip"].passwords)
        assert counts["staff_created"] == 0
        assert _dump(db) == before


def test_seed_content(app):
    from app.extensions import db

    with app.app_context():
        s = db.session
        assert s.scalar(select(func.count()).select_from(Item)) >= 14
        used = s.scalars(select(Department.code).join(Item, Item.department_id == Department.id).distinct()).all()
        assert len(used) >= 6
        levels = sorted(str(h.level) for h in s.scalars(select(Hall)))
        assert levels == ["county", "county", "township", "township", "village", "village"]  # + 柯城区
        assert {b.name for b in s.scalars(select(Bundle))} == {"退休一件事", "新生儿出生一件事", "开办企业一件事"}
        roles = {str(r) for r in s.scalars(select(Staff.role).distinct())}
        assert roles == {"clerk", "reviewer", "courier", "supervisor", "admin"}


def test_cli_seed_and_create_staff(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "staff_created=0" in result.output
    result = runner.invoke(args=["create-staff", "--username", "clerk-hz", "--password", "Window#2026",
                                 "--role", "clerk", "--hall", "LY-HZZ"])
    assert result.exit_code == 0, result.output
    tokens = client.post("/api/v1/auth/staff-tokens", json={"username": "clerk-hz", "password": "Window#2026"})
    assert tokens.status_code == 200 and tokens.json["staff"]["hall_id"]
    bad = runner.invoke(args=["create-staff", "--username", "r2", "--password", "Review#2026",
                              "--role", "reviewer", "--hall", "LY-HZZ"])
    assert bad.exit_code != 0 and "department" in bad.output
    dup = runner.invoke(args=["create-staff", "--username", "clerk-hz", "--password", "Window#2026",
                              "--role", "clerk", "--hall", "LY-HZZ"])
    assert dup.exit_code != 0 and "username_taken" in dup.output
    unknown = runner.invoke(args=["create-staff", "--username", "c3", "--password", "Window#2026",
                                  "--role", "clerk", "--hall", "NOPE"])
    assert unknown.exit_code != 0 and "unknown_reference" in unknown.output


def test_readme_lists_every_demo_account():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for username, password, *_ in demo_data.STAFF:
        assert f"`{username}`" in readme and password in readme, username


def test_demo_accounts_log_in(client):
    for username, *_ in demo_data.STAFF[:5]:
        assert login_staff(client, username)["staff"]["username"] == username


def test_migrations_match_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
