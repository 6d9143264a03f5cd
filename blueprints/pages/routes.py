"""Pages people see in a browser: /docs's assets."""
from __future__ import annotations

from pathlib import Path

import flask_swagger_ui

from app.extensions import Blueprint

# Swagger UI's files (swagger-ui-dist 5.x) from a PyPI package, so /docs works on an intranet with no
# internet; app/__init__.py points OPENAPI_SWAGGER_UI_URL here.
SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_UI_ASSETS = "/docs/assets"

blp = Blueprint("pages", __name__, description="面向群众的网页",
                static_folder=str(SWAGGER_UI_DIST), static_url_path=SWAGGER_UI_ASSETS)
