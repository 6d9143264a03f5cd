"""HTTP layer: one package per resource, each with routes.py and schemas.py."""
from __future__ import annotations

from importlib import import_module

API_PREFIX = "/api/v1"

# (package, url prefix) in the order they appear in the OpenAPI document.
MODULES = (
    ("health", ""),
    ("localstore", ""),
    ("pages", ""),
    ("auth", API_PREFIX),
    ("catalogue", API_PREFIX),
    ("uploads", API_PREFIX),
    ("elicenses", API_PREFIX),
    ("applications", API_PREFIX),
    ("hall", API_PREFIX),
    ("department", API_PREFIX),
    ("courier", API_PREFIX),
    ("webhooks", API_PREFIX),
    ("supervision", API_PREFIX),
    ("admin", API_PREFIX + "/admin"),
    # Help at every door (issue 13)
    ("authorizations", API_PREFIX),
    ("assisted", API_PREFIX),
    ("places", API_PREFIX + "/admin"),
    # trust (issue 11)
    ("messages", API_PREFIX),
    ("access_log", API_PREFIX),
)


def register_blueprints(api, app) -> None:
    for name, prefix in MODULES:
        module = import_module(f"blueprints.{name}.routes")
        api.register_blueprint(module.blp, url_prefix=prefix or None)
        module.blp.register_edge_policies(app)
