"""Service hall (clerk): accept any item at any window, return once, reject, visits, issue results."""
from __future__ import annotations

from app.audit import Read, staff_read
from app.auth import current_actor
from app.web import deps, paged
from app.crypto import mask_phone
from app.extensions import db, services
from app.blueprint import Blueprint
from app.services import hall as svc
from app.services import post, real_name
from blueprints.auth.routes import citizen_view
from blueprints.hall import schemas as s

blp = Blueprint("hall", __name__, description="综合窗口（窗口人员）：受理、补正、不予受理、现场、出件")
CLERK = "clerk"



def _view(applications):
    """The applicant comes with the application (the inbox joins it to the page: no look-up here)."""
    fields = [name for name in s.HallApplicationSchema().fields if not name.startswith("citizen_")]
    return [{**{name: getattr(a, name) for name in fields}, "citizen_id": a.citizen_id,
             "citizen_name": a.applicant.name,
             "citizen_phone_masked": mask_phone(a.applicant.phone),
             "citizen_real_name_verified": a.applicant.real_name_verified} for a in applications]


@blp.route("/hall/applications")
@blp.auth_required(CLERK)
@blp.arguments(s.HallQueryArgsSchema, location="query")
@blp.response(200, s.HallApplicationSchema(many=True))
@blp.paginate()
def inbox(args, pagination_parameters):
    """Every application in the clerk's region, whatever its department (无差别全科受理)."""
    rows = paged(pagination_parameters, svc.inbox, db.session, current_actor(), status=args.get("status"))
    shown = _view(rows)
    staff_read([_read(a) for a in shown], "窗口待办列表")
    return shown


@blp.route("/hall/applications/<int:application_id>")
@blp.auth_required(CLERK)
@blp.etag
@blp.response(200, s.HallApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_application(application_id):
    """One application in the clerk's region (the read is recorded in the citizen's access log)."""
    shown = _view([svc.hall_application(db.session, current_actor(), application_id)])[0]
    staff_read([_read(shown)], "受理审查")
    return shown


def _read(shown: dict) -> Read:
    return Read(shown["citizen_id"], "application", shown["id"], shown["number"], shown["region_code"])


def _command(path: str, name: str, schema, func, doc: str, status: int = 200, out=s.HallApplicationSchema):
    @blp.auth_required(CLERK)
    @blp.idempotent
    @blp.arguments(schema)
    @blp.response(status, out)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, application_id):
        result = func(**deps(), application_id=application_id, **data)
        return _view([result])[0] if out is s.HallApplicationSchema else result

    view.__name__, view.__doc__ = name, doc
    blp.route(f"/hall/applications/<int:application_id>/{path}", methods=["POST"])(view)


_command("accept", "accept", s.AcceptSchema, svc.accept,
         "Accept (受理): the deadline starts; pending non-key materials on a commitment (容缺受理).")
_command("return", "return_application", s.ReturnSchema, svc.return_application,
         "Return with every problem in one notice (一次性告知); refused twice unless the citizen changed something.")
_command("reject", "reject", s.HallRejectSchema, svc.reject, "Reject (不予受理) with the legal basis.")
_command("visits", "record_visit", s.VisitCreateSchema, svc.record_visit,
         "Record that the citizen came in person.", status=201, out=s.VisitOutSchema)
_command("issue", "issue", s.IssueSchema, svc.issue,
         "Hand the result over: at the window (a visit) or by post (a shipment is requested).")


@blp.route("/hall/applications/<int:application_id>/materials/<material_code>/check", methods=["POST"])
@blp.command(CLERK, s.MaterialCheckSchema, s.HallApplicationSchema)
def check_material(data, application_id, material_code):
    """Check a 容缺 material the citizen supplied: checked, or owed again with the reason."""
    result = svc.check_material(**deps(), application_id=application_id, code=material_code, **data)
    return _view([result])[0]


@blp.route("/hall/citizens/<int:citizen_id>/verify-identity", methods=["POST"])
@blp.auth_required(CLERK)
@blp.idempotent
@blp.arguments(s.HallVerifyIdentitySchema)
@blp.response(200, s.HallCitizenSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def verify_identity(data, citizen_id):
    """Real-name verification in person: the clerk reads the citizen's 居民身份证, which must match the
    profile (or fills an empty one); the clerk and time are recorded."""
    citizen = real_name.verify_in_person(**deps(), cipher=services().cipher, citizen_id=citizen_id, **data)
    return {**citizen_view(citizen), "real_name_verified_by": citizen.real_name_verified_by}


@blp.route("/hall/shipments")
@blp.auth_required(CLERK)
@blp.arguments(s.HallShipmentQueryArgsSchema, location="query")
@blp.response(200, s.HallShipmentSchema(many=True))
@blp.paginate()
def shipments(args, pagination_parameters):
    """The hall's outgoing mail."""
    return paged(pagination_parameters, post.hall_shipments, db.session, current_actor(), status=args.get("status"))


@blp.route("/hall/shipments/<int:shipment_id>/label.png")
@blp.auth_required(CLERK)
@blp.arguments(s.LabelQueryArgsSchema, location="query")
@blp.response(200, content_type="image/png", description="`?format=pdf`: application/pdf")
@blp.alt_response(404, response="NOT_FOUND")
def label(args, shipment_id):
    """A 100 x 150 mm thermal waybill: a QR code of the shipment number, the address, the case number."""
    import io

    from flask import current_app, send_file

    from storage.labels import FORMATS, shipping_label

    shipment = post.hall_shipment(db.session, current_actor(), shipment_id)
    number, lines = post.label_lines(db.session, shipment)
    kind = args["format"]
    drawn = shipping_label(shipment_number=number, lines=lines, kind=kind,
                           font_path=current_app.config.get("LABEL_FONT_PATH"))
    return send_file(io.BytesIO(drawn), mimetype=FORMATS[kind], download_name=f"{number}.{kind}")


def _shipment_command(path: str, name: str, schema, func, doc: str):
    @blp.auth_required(CLERK)
    @blp.idempotent
    @blp.arguments(schema)
    @blp.response(200, s.HallShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def view(data, shipment_id):
        return func(**deps(), shipment_id=shipment_id, **data)

    view.__name__, view.__doc__ = name, doc
    blp.route(f"/hall/shipments/<int:shipment_id>/{path}", methods=["POST"])(view)


_shipment_command("pack", "pack", s.EmptySchema, post.pack, "requested -> packed: ready for the courier.")
_shipment_command("resend", "resend", s.EmptySchema, post.resend,
                  "A failed delivery came back: send it again (a new shipment).")
_shipment_command("switch-to-pickup", "switch_to_pickup", s.SwitchToPickupSchema, post.switch_to_pickup,
                  "A failed delivery came back: the citizen collects it at the hall of their choice.")
