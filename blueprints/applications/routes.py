"""Applications (citizen): one thing, one form, one set of materials, one trip at most."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest.etag import _get_etag_ctx as etag_context

from app.actors import CITIZEN
from app.auth import citizen_confirmed, current_actor
from app.blueprint import Blueprint
from app.errors import NotFound, Unauthenticated
from app.services import applications as svc
from app.services import cases
from app.services.progress import progress_answer, progress_stamp
from app.web import deps, paged, progress_cache, request_lang, today
from blueprints.applications import schemas as s

blp = Blueprint("applications", __name__, description="办件（群众）：申请、材料、提交、进度")


@blp.route("/applications")
class Applications(MethodView):
    @blp.auth_required(CITIZEN)
    @blp.idempotent
    @blp.arguments(s.ApplicationCreateSchema)
    @blp.response(201, s.ApplicationSchema)
    def post(self, data):
        """Start an application for an item or a 一件事 bundle (status draft)."""
        return svc.create_application(**deps(outside=True), **data)

    @blp.auth_required(CITIZEN)
    @blp.arguments(s.ApplicationQueryArgsSchema, location="query")
    @blp.response(200, s.ApplicationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """My applications, newest first."""
        return paged(pagination_parameters, svc.list_applications, **deps(clock=False), today=today(),
                     status=args.get("status"))


@blp.route("/applications/<int:application_id>")
class ApplicationById(MethodView):
    @blp.auth_required(CITIZEN)
    @blp.etag
    @blp.response(200, s.ApplicationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, application_id):
        """One of my applications, or one I file as an agent while the authorisation is active."""
        return cases.case_for(**deps(clock=False), application_id=application_id, today=today())

    @blp.auth_required(CITIZEN)
    @blp.arguments(s.FormUpdateSchema)
    @blp.response(200, s.ApplicationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, application_id):
        """Fill in the form while draft or returned (fields are checked against the form spec)."""
        return svc.update_form(**deps(), application_id=application_id, form=data["form"])


@blp.route("/applications/<int:application_id>/materials/<code>", methods=["PUT"])
@blp.auth_required(CITIZEN)
@blp.arguments(s.MaterialAttachSchema)
@blp.response(200, s.ApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def attach_material(data, application_id, code):
    """Attach uploads, a wallet e-license or a written commitment (容缺) to one material."""
    return svc.attach_material(**deps(), application_id=application_id, code=code, **data)


@blp.route("/applications/<int:application_id>/delivery", methods=["PUT"])
@blp.auth_required(CITIZEN)
@blp.arguments(s.DeliverySchema)
@blp.response(200, s.ApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def set_delivery(data, application_id):
    """Window pickup or post to an address; changeable until the result is handed to the carrier."""
    return svc.set_delivery(**deps(), application_id=application_id, **data)


@blp.route("/applications/<int:application_id>/submit", methods=["POST"])
@blp.command(CITIZEN, out=s.ApplicationSchema)
def submit(application_id):
    """Submit; 422 materials_missing lists every missing material and field (and the delivery choice) at once (a material the government's data no longer proves says why); 422 applicant_mismatch if a field naming the applicant differs from the verified profile."""  # noqa: E501 (one line: the summary)
    return svc.submit(**deps(outside=True), application_id=application_id)


@blp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@blp.command(CITIZEN, out=s.ApplicationSchema)
def withdraw(application_id):
    """Withdraw before acceptance."""
    return svc.withdraw(**deps(), application_id=application_id)


@blp.route("/applications/<int:application_id>/supply", methods=["POST"])
@blp.command(CITIZEN, out=s.ApplicationSchema)
def supply(application_id):
    """Tell the departments the requested materials are supplied (the clock restarts)."""
    return svc.supply(**deps(), application_id=application_id)


@blp.route("/applications/<int:application_id>/progress")
@blp.auth_required(CITIZEN, account_read_by_view=True)
@blp.etag
@blp.response(200, s.ProgressSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_progress(application_id, claimed_citizen):
    """What the phone shows: stage, next action, sub-cases, trips, deadline, timeline.

    `stage`, `next_action.message` and timeline messages follow Accept-Language (zh-CN default, en);
    the catalogue's own names stay as published."""
    # Polled by every phone (issue 12): one statement reads the account, checks the case is the
    # caller's and stamps it; an unchanged case answers 304 from that alone, a changed one is built
    # by one more statement and dumped as is (app/services/progress.py, bench/progress_rps.py). A
    # worker that hears every change remembers stamps and bodies (app/services/progress_cache.py):
    # a poll of a case it knows needs no statement at all.
    lang = request_lang()
    citizen_id = claimed_citizen if claimed_citizen is not None else current_actor().id
    cache = progress_cache()
    tag = progress_stamp(**deps(actor=False), citizen_id=citizen_id, application_id=application_id, lang=lang,
                         cache=cache)
    if tag is None:
        raise Unauthenticated("token_invalid")
    citizen_confirmed(citizen_id)
    if not tag:
        raise NotFound()
    etag_context()["etag"] = tag  # @blp.etag puts it on the answer
    if tag in request.if_none_match:
        answer = Response(status=304)
    else:
        body, given = progress_answer(**deps(actor=False), application_id=application_id, lang=lang, tag=tag,
                                      cache=cache)
        etag_context()["etag"] = given  # another when the names it shows are not those the tag names
        answer = Response(body, mimetype="application/json")
    answer.vary.add("Accept-Language")
    return answer
