"""Catalogue (public, no login): items, bundles, halls, departments, carriers, e-license types."""
from __future__ import annotations

from app.extensions import db
from app.blueprint import Blueprint
from app.web import paged
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
    rows = paged(pagination_parameters, svc.list_items, db.session, **args)
    return [svc.item_view(item) for item in rows]


@blp.route("/items/<code>")
@blp.etag
@blp.response(200, s.ItemSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_item(code):
    """The 八统一 guide of one item."""
    return svc.item_view(svc.get_item(db.session, code))


@blp.route("/bundles")
@blp.arguments(s.BundleQueryArgsSchema, location="query")
@blp.response(200, s.BundleSchema(many=True))
@blp.paginate()
def list_bundles(args, pagination_parameters):
    """一件事 bundles with their merged form and materials."""
    rows = paged(pagination_parameters, svc.list_bundles, db.session, **args)
    return [svc.bundle_view(bundle) for bundle in rows]


@blp.route("/bundles/<code>")
@blp.etag
@blp.response(200, s.BundleSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_bundle(code):
    """One 一件事 bundle: each form field and each material asked once."""
    return svc.bundle_view(svc.get_bundle(db.session, code))


@blp.route("/halls")
@blp.arguments(s.HallQueryArgsSchema, location="query")
@blp.response(200, s.HallSchema(many=True))
@blp.paginate()
def list_halls(args, pagination_parameters):
    """Service halls and points at county, township and village level."""
    return paged(pagination_parameters, svc.list_halls, db.session, **args)


def _reference(model):
    def view(pagination_parameters):
        return paged(pagination_parameters, svc.list_reference, db.session, model)
    return view


for _path, _model, _schema, _doc in (
    ("/departments", Department, s.DepartmentSchema, "Departments."),
    ("/carriers", Carrier, s.CarrierSchema, "Postal carriers that deliver results."),
    ("/elicense-types", ElicenseType, s.ElicenseTypeSchema, "E-license (电子证照) types."),
):
    _view = _reference(_model)
    _view.__name__ = "list_" + _path.strip("/").replace("-", "_")
    _view.__doc__ = _doc
    blp.route(_path)(blp.response(200, _schema(many=True))(blp.paginate()(_view)))
