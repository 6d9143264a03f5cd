"""The web edge's shape (DESIGN rule 17), read from the source of every blueprints/**/routes.py:

- no SQL in routes: no sqlalchemy import, no `db`, no `.session` — a view hands the session to a
  service through `deps()` (app/web.py) and shapes what the service returns;
- no clock in routes: nothing imported from app.clock (`deps()` hands the app's clock);
- named views with the contract's literal path: every `blp.route(...)` decorates a module-level
  function or class and its path is a string literal, so `grep accept` finds the view of
  /hall/applications/{id}/accept — no endpoint factories;
- no edge policy hidden in function attributes (`view.before_parse = ...`): they are decorators."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUTES = sorted((ROOT / "blueprints").rglob("routes.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [f"{_where(path, node)} imports {a.name}" for a in node.names
                      if a.name.split(".")[0] in ("sqlalchemy", "flask_sqlalchemy")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in ("sqlalchemy", "flask_sqlalchemy"):
                found.append(f"{_where(path, node)} imports {module}")
            if module == "app.extensions" and any(a.name == "db" for a in node.names):
                found.append(f"{_where(path, node)} imports db")
            if module == "app.clock":
                found.append(f"{_where(path, node)} imports the clock ({', '.join(a.name for a in node.names)})")
        elif isinstance(node, ast.Attribute) and node.attr == "session":
            found.append(f"{_where(path, node)} uses .session")
        elif isinstance(node, ast.Name) and node.id == "db":
            found.append(f"{_where(path, node)} uses db")
    return found


def _is_route(call: ast.AST) -> bool:
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "route"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "blp")


def factories_in(path: Path) -> list[str]:
    """Routes registered other than as a decorator of a module-level view, or with a computed path."""
    tree = _tree(path)
    decorating = {id(d) for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                  for d in node.decorator_list}
    found = []
    for node in ast.walk(tree):
        if _is_route(node):
            if id(node) not in decorating:
                found.append(f"{_where(path, node)} registers a route outside a module-level view's decorators")
            if not node.args or not isinstance(node.args[0], ast.Constant):
                found.append(f"{_where(path, node)} has a computed path")
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr in ("before_parse",
                                                                                             "accepts_multipart")
                                                 for t in node.targets)):
            found.append(f"{_where(path, node)} sets an edge policy as a function attribute")
    return found


def test_every_blueprint_is_checked():
    assert len(ROUTES) >= 19


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.parent.name)
def test_no_sql_and_no_clock_in_routes(path):
    assert sql_in(path) == []


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.parent.name)
def test_routes_are_named_views_with_literal_paths(path):
    assert factories_in(path) == []


def test_the_checks_see_what_they_refuse(tmp_path):
    bad = tmp_path / "routes.py"
    bad.write_text(
        "from sqlalchemy import select\n"
        "from app.extensions import db\n"
        "from app.clock import utcnow\n"
        "def _command(path):\n"
        "    def view(): return db.session.scalars(select(1))\n"
        "    blp.route(f'/x/{path}')(view)\n"
        "@blp.route('/y')\n"
        "def y(): pass\n"
        "y.before_parse = print\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        sql = sql_in(bad)
        factories = factories_in(bad)
    finally:
        ROOT = saved
    assert any("imports sqlalchemy" in f for f in sql) and any("imports db" in f for f in sql)
    assert any("clock" in f for f in sql) and any(".session" in f for f in sql)
    assert any("outside a module-level" in f for f in factories) and any("computed path" in f for f in factories)
    assert any("function attribute" in f for f in factories)


def test_accept_is_found_by_its_name_and_path():
    source = (ROOT / "blueprints" / "hall" / "routes.py").read_text(encoding="utf-8")
    assert '@blp.route("/hall/applications/<int:application_id>/accept", methods=["POST"])' in source
    assert "\ndef accept(data, application_id):" in source


def test_edge_policies_are_registered_by_endpoint(app):
    from app.blueprint import EDGE_POLICIES

    policies = app.extensions[EDGE_POLICIES]
    assert policies["uploads.direct"].multipart and policies["localstore.signed_upload"].multipart
    assert policies["localstore.signed_upload"].before_parse is not None
    assert policies["webhooks.carrier_webhook"].before_parse is not None
    assert not policies["webhooks.carrier_webhook"].multipart
    assert all(endpoint in app.view_functions for endpoint in policies)


def test_a_policy_for_no_view_fails_at_start_up(app):
    from app.blueprint import Blueprint

    blp = Blueprint("stray", __name__)

    @blp.multipart
    def nowhere():
        pass

    with pytest.raises(RuntimeError, match="stray.nowhere"):
        blp.register_edge_policies(app)
