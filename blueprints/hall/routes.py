"""Service hall (clerk): accept any item at any window, return once, reject, visits, issue results."""
from __future__ import annotations

import io

from flask import current_app, send_file

from app.audit import Read, staff_read
from app.blueprint import Blueprint
from app.extensions import services
from app.services import post, real_name
from app.services import hall as svc
from app.web import deps, paged
from blueprints.auth.presenters import citizen_view
from blueprints.hall import schemas as s
from blueprints.hall.presenters import with_applicant, with_applicants
from models.staff import Role

blp = Blueprint("hall", __name__, description="综合窗口（窗口人员）：受理、补正、不予受理、现场、出件")


def _read(application) -> Read:
    return Read(application.citizen_id, "application", application.id, application.number,
                application.region_code)


@blp.route("/hall/applications")
@blp.auth_required(Role.clerk)
@blp.arguments(s.HallQueryArgsSchema, location="query")
@blp.response(200, s.HallApplicationSchema(many=True))
@blp.paginate()
def inbox(args, pagination_parameters):
    """Every application in the clerk's region, whatever its department (无差别全科受理)."""
    rows = paged(pagination_parameters, svc.inbox, **deps(clock=False), status=args.get("status"))
    rows = with_applicants(rows)
    staff_read([_read(a) for a in rows], "窗口待办列表")
    return rows


@blp.route("/hall/applications/<int:application_id>")
@blp.auth_required(Role.clerk)
@blp.etag
@blp.response(200, s.HallApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_application(application_id):
    """One application in the clerk's region (the read is recorded in the citizen's access log)."""
    application = with_applicant(svc.hall_application(**deps(clock=False), application_id=application_id))
    staff_read([_read(application)], "受理审查")
    return application


@blp.route("/hall/applications/<int:application_id>/accept", methods=["POST"])
@blp.command(Role.clerk, body=s.AcceptSchema, out=s.HallApplicationSchema)
def accept(data, application_id):
    """Accept (受理): the deadline starts; pending non-key materials on a commitment (容缺受理)."""
    return with_applicant(svc.accept(**deps(), application_id=application_id, **data))


@blp.route("/hall/applications/<int:application_id>/return", methods=["POST"])
@blp.command(Role.clerk, body=s.ReturnSchema, out=s.HallApplicationSchema)
def return_application(data, application_id):
    """Return with every problem in one notice (一次性告知); refused twice unless the citizen changed something."""
    return with_applicant(svc.return_application(**deps(), application_id=application_id, **data))


@blp.route("/hall/applications/<int:application_id>/reject", methods=["POST"])
@blp.command(Role.clerk, body=s.HallRejectSchema, out=s.HallApplicationSchema)
def reject(data, application_id):
    """Reject (不予受理) with the legal basis."""
    return with_applicant(svc.reject(**deps(), application_id=application_id, **data))


@blp.route("/hall/applications/<int:application_id>/visits", methods=["POST"])
@blp.command(Role.clerk, body=s.VisitCreateSchema, out=s.VisitOutSchema, status=201)
def record_visit(data, application_id):
    """Record that the citizen came in person."""
    return svc.record_visit(**deps(), application_id=application_id, **data)


@blp.route("/hall/applications/<int:application_id>/issue", methods=["POST"])
@blp.command(Role.clerk, body=s.IssueSchema, out=s.HallApplicationSchema)
def issue(data, application_id):
    """Hand the result over: at the window (a visit) or by post (a shipment is requested)."""
    return with_applicant(svc.issue(**deps(), application_id=application_id, **data))


@blp.route("/hall/applications/<int:application_id>/materials/<material_code>/check", methods=["POST"])
@blp.command(Role.clerk, body=s.MaterialCheckSchema, out=s.HallApplicationSchema)
def check_material(data, application_id, material_code):
    """Check a 容缺 material the citizen supplied: checked, or owed again with the reason."""
    return with_applicant(svc.check_material(**deps(), application_id=application_id, code=material_code, **data))


@blp.route("/hall/citizens/<int:citizen_id>/verify-identity", methods=["POST"])
@blp.command(Role.clerk, body=s.HallVerifyIdentitySchema, out=s.HallCitizenSchema)
def verify_identity(data, citizen_id):
    """Real-name verification in person: the clerk reads the citizen's 居民身份证, which must match the
    profile (or fills an empty one); the clerk and time are recorded."""
    citizen = real_name.verify_in_person(**deps(), cipher=services().cipher, citizen_id=citizen_id, **data)
    return citizen_view(citizen, for_clerk=True)


@blp.route("/hall/shipments")
@blp.auth_required(Role.clerk)
@blp.arguments(s.HallShipmentQueryArgsSchema, location="query")
@blp.response(200, s.HallShipmentSchema(many=True))
@blp.paginate()
def shipments(args, pagination_parameters):
    """The hall's outgoing mail."""
    return paged(pagination_parameters, post.hall_shipments, **deps(clock=False), status=args.get("status"))


@blp.route("/hall/shipments/<int:shipment_id>/label.png")
@blp.auth_required(Role.clerk)
@blp.arguments(s.LabelQueryArgsSchema, location="query")
@blp.response(200, content_type="image/png", description="`?format=pdf`: application/pdf")
@blp.alt_response(404, response="NOT_FOUND")
def label(args, shipment_id):
    """A 100 x 150 mm thermal waybill: a QR code of the shipment number, the address, the case number."""
    from storage.labels import FORMATS, shipping_label  # Pillow and the font: only for labels

    number, lines = post.label_lines(**deps(clock=False), shipment_id=shipment_id)
    kind = args["format"]
    drawn = shipping_label(shipment_number=number, lines=lines, kind=kind,
                           font_path=current_app.config.get("LABEL_FONT_PATH"))
    return send_file(io.BytesIO(drawn), mimetype=FORMATS[kind], download_name=f"{number}.{kind}")


@blp.route("/hall/shipments/<int:shipment_id>/pack", methods=["POST"])
@blp.command(Role.clerk, body=s.EmptySchema, out=s.HallShipmentSchema)
def pack(data, shipment_id):
    """requested -> packed: ready for the courier."""
    return post.pack(**deps(), shipment_id=shipment_id, **data)


@blp.route("/hall/shipments/<int:shipment_id>/resend", methods=["POST"])
@blp.command(Role.clerk, body=s.EmptySchema, out=s.HallShipmentSchema)
def resend(data, shipment_id):
    """A failed delivery came back: send it again (a new shipment)."""
    return post.resend(**deps(), shipment_id=shipment_id, **data)


@blp.route("/hall/shipments/<int:shipment_id>/switch-to-pickup", methods=["POST"])
@blp.command(Role.clerk, body=s.SwitchToPickupSchema, out=s.HallShipmentSchema)
def switch_to_pickup(data, shipment_id):
    """A failed delivery came back: the citizen collects it at the hall of their choice."""
    return post.switch_to_pickup(**deps(), shipment_id=shipment_id, **data)
