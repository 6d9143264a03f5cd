"""Catalogue (public, no login): items, bundles, halls, departments, carriers, e-license types."""
from __future__ import annotations

from app.blueprint import Blueprint
from app.web import deps, paged
from app.services import catalogue as svc
from blueprints.catalogue import schemas as s
from models.catalogue import Carrier, Department, ElicenseType

blp = Blueprint("catalogue", __name__, description="办事指南：事项、一件事、大厅与参考数据（无需登录）")


@blp.route("/items")
@blp.arguments(s.ItemQueryArgsSchema, location="query")
@blp.response(200, s.ItemSummarySchema(many=True))
@blp.paginate()
def list_items(args, pagination_parameters):
    """Search service items (事项)."""
    rows = paged(pagination_parameters, svc.list_items, **deps(actor=False, clock=False), **args)
    return [svc.item_view(item) for item in rows]


@blp.route("/items/<code>")
@blp.etag
@blp.response(200, s.ItemSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_item(code):
    """The 八统一 guide of one item."""
    return svc.item_view(svc.get_item(**deps(actor=False, clock=False), code=code))


@blp.route("/bundles")
@blp.arguments(s.BundleQueryArgsSchema, location="query")
@blp.response(200, s.BundleSchema(many=True))
@blp.paginate()
def list_bundles(args, pagination_parameters):
    """一件事 bundles with their merged form and materials."""
    rows = paged(pagination_parameters, svc.list_bundles, **deps(actor=False, clock=False), **args)
    return [svc.bundle_view(bundle) for bundle in rows]


@blp.route("/bundles/<code>")
@blp.etag
@blp.response(200, s.BundleSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_bundle(code):
    """One 一件事 bundle: each form field and each material asked once."""
    return svc.bundle_view(svc.get_bundle(**deps(actor=False, clock=False), code=code))


@blp.route("/halls")
@blp.arguments(s.HallQueryArgsSchema, location="query")
@blp.response(200, s.HallSchema(many=True))
@blp.paginate()
def list_halls(args, pagination_parameters):
    """Service halls and points at county, township and village level."""
    return paged(pagination_parameters, svc.list_halls, **deps(actor=False, clock=False), **args)


@blp.route("/departments")
@blp.response(200, s.DepartmentSchema(many=True))
@blp.paginate()
def list_departments(pagination_parameters):
    """Departments."""
    return paged(pagination_parameters, svc.list_reference, **deps(actor=False, clock=False), model=Department)


@blp.route("/carriers")
@blp.response(200, s.CarrierSchema(many=True))
@blp.paginate()
def list_carriers(pagination_parameters):
    """Postal carriers that deliver results."""
    return paged(pagination_parameters, svc.list_reference, **deps(actor=False, clock=False), model=Carrier)


@blp.route("/elicense-types")
@blp.response(200, s.ElicenseTypeSchema(many=True))
@blp.paginate()
def list_elicense_types(pagination_parameters):
    """E-license (电子证照) types."""
    return paged(pagination_parameters, svc.list_reference, **deps(actor=False, clock=False), model=ElicenseType)
