"""The e-license wallet (citizen), public QR verification, and the clerk's check of an original."""
from __future__ import annotations

import io

from flask import current_app, send_file
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from app.audit import Read, staff_read
from app.actors import CITIZEN
from app.web import deps, paged, today
from app.errors import NotFound
from app.extensions import limiter
from app.blueprint import Blueprint
from app.services import wallet as svc
from blueprints.elicenses import schemas as s
from blueprints.elicenses.presenters import license_view, verification_page_url
from models.staff import Role
from storage.qrcodes import qr_png

blp = Blueprint("elicenses", __name__, description="电子证照：卡包、二维码核验")


# One budget per address for /api/v1/verify/{code} and the page /v/{code}: codes cannot be guessed
# twice as fast by alternating between the two.
verify_limit = limiter.shared_limit(lambda: current_app.config["VERIFY_IP_LIMITS"], scope="verify",
                                    key_func=get_remote_address)


@blp.route("/elicenses")
class Elicenses(MethodView):
    @blp.auth_required(CITIZEN)
    @blp.response(200, s.ElicenseSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """My wallet."""
        return [license_view(lic) for lic in paged(pagination_parameters, svc.list_licenses,
                                                   **deps(clock=False))]

    @blp.auth_required(CITIZEN)
    @blp.idempotent
    @blp.arguments(s.ElicenseCreateSchema)
    @blp.response(201, s.ElicenseSchema)
    def post(self, data):
        """Add a license from photos of it; it counts once a clerk has verified the original."""
        return license_view(svc.add_license(**deps(), **data))


@blp.route("/elicenses/<int:license_id>")
@blp.auth_required(CITIZEN)
@blp.etag
@blp.response(200, s.ElicenseSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_license(license_id):
    """One license of my wallet."""
    return license_view(svc.own_license(**deps(clock=False), license_id=license_id))


@blp.route("/elicenses/<int:license_id>/qrcode.png")
@blp.auth_required(CITIZEN)
@blp.response(200, content_type="image/png")
@blp.alt_response(404, response="NOT_FOUND")
def qrcode(license_id):
    """A QR code of the license's public verification page, /v/{code}."""
    lic = svc.own_license(**deps(clock=False), license_id=license_id)
    if not lic.verification_code:
        raise NotFound()
    png = qr_png(verification_page_url(lic.verification_code), scale=8, border=2)
    answer = send_file(io.BytesIO(png), mimetype="image/png", max_age=300)
    # send_file marks a cacheable answer public; this one is the holder's alone (a shared cache
    # must not hand the verification code to the next caller of the URL).
    answer.cache_control.public = False
    answer.cache_control.private = True
    return answer


@blp.route("/verify/<code>")
@verify_limit
@blp.etag
@blp.response(200, s.PublicVerificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def verify(code):
    """Public, no login: is this license genuine and still valid? The holder's name is masked."""
    return svc.public_view(**deps(actor=False, clock=False), code=code, today=today())


@blp.route("/hall/elicenses/<int:license_id>/verify", methods=["POST"])
@blp.command(Role.clerk, out=s.ElicenseSchema, idempotent=False)
def clerk_verify(license_id):
    """A clerk confirms an uploaded e-license against the original (only for an application they handle)."""
    lic = svc.verify_license(**deps(), license_id=license_id)
    shown = license_view(lic, for_staff=True)
    staff_read([Read(lic.citizen_id, "elicense", lic.id, lic.number[:64])], "核验电子证照原件")
    return shown
