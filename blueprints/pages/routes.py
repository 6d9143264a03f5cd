"""Pages people see in a browser: /v/{code}, the e-license check a QR code opens, and /docs's assets."""
from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import make_response, render_template

from app.errors import NotFound
from app.blueprint import Blueprint
from app.api import retry_after
from app.services import wallet as svc
from app.web import deps, today
from blueprints.elicenses.routes import verify_limit

# Swagger UI's files (swagger-ui-dist 5.x) from a PyPI package, so /docs works on an intranet with no
# internet; app/__init__.py points OPENAPI_SWAGGER_UI_URL here.
SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_UI_ASSETS = "/docs/assets"

blp = Blueprint("pages", __name__, description="面向群众的网页：扫码核验电子证照", template_folder="templates",
                static_folder=str(SWAGGER_UI_DIST), static_url_path=SWAGGER_UI_ASSETS)

# status -> (text, what it means, css class); the text says it too, not only the colour.
STATUSES = {
    "valid": ("有效", "该证照由发证机关签发，真实有效。", "valid"),
    "expired": ("已过期", "该证照真实，但已超过有效期，不能再作为有效证明使用。", "expired"),
    "revoked": ("已撤销", "该证照已被发证机关撤销，不能再使用。", "revoked"),
}

HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",  # a revocation must show at the next scan, not after a cache expires
    "X-Content-Type-Options": "nosniff",
    # No script, no outside resource, no framing: the page is one self-contained document.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",  # the URL carries the code
}


def _page(template: str, status: int, **context):
    response = make_response(render_template(f"pages/{template}", **context), status)
    response.headers.update(HTML_HEADERS)
    return response


@blp.route("/v/<code>")
@verify_limit
@blp.response(200, content_type="text/html", description="zh-CN: type, masked holder, issuer, dates, status")
@blp.alt_response(404, content_type="text/html", description="a page: no such license")
@blp.alt_response(429, content_type="text/html", description="a page: too many checks from this address")
def verification_page(code):
    """Public, no login: the page a phone camera opens from an e-license QR code."""
    checked_on = today()
    try:
        lic = svc.public_view(**deps(actor=False, clock=False), code=code, today=checked_on)
    except NotFound:
        return _page("not_found.html", 404)
    text, meaning, css = STATUSES[lic["status"]]
    return _page("verification.html", 200, lic=lic, status_text=text, meaning=meaning, css=css,
                 checked_on=checked_on)


@blp.errorhandler(429)
def too_many_checks(error):
    response = _page("too_many.html", 429)
    response.headers["Retry-After"] = retry_after()
    return response
