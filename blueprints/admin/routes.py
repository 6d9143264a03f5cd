"""Catalogue administration (admin): materials, items and bundles, validated before saving."""
from __future__ import annotations

from app.blueprint import Blueprint
from app.web import deps, paged
from app.services import catalogue, catalogue_admin
from blueprints.admin import schemas as s
from blueprints.catalogue.schemas import BundleSchema, ItemSchema
from models.staff import Role

blp = Blueprint("admin", __name__, description="目录管理（管理员）：材料、事项、一件事")


def _material_view(m):
    return {"code": m.code, "name": m.name, "elicense_type": m.elicense_type.code if m.elicense_type else None,
            "formats": list(m.formats), "max_size_mb": m.max_size_mb, "data_check": m.data_check}


def _write_doc(func):
    for status, name in ((409, "CONFLICT"), (422, "UNPROCESSABLE_ENTITY")):
        func = blp.alt_response(status, response=name)(func)
    return blp.auth_required(Role.admin)(func)


@blp.route("/materials", methods=["POST"])
@_write_doc
@blp.arguments(s.MaterialWriteSchema)
@blp.response(201, s.MaterialReadSchema)
def create_material(data):
    """Add a material to the standard list."""
    return _material_view(catalogue_admin.save_material(**deps(actor=False, clock=False), data=data))


@blp.route("/materials/<code>", methods=["PUT"])
@_write_doc
@blp.arguments(s.MaterialUpdateSchema)
@blp.response(200, s.MaterialReadSchema)
@blp.alt_response(404, response="NOT_FOUND")
def update_material(data, code):
    """Replace a material's definition."""
    return _material_view(catalogue_admin.save_material(**deps(actor=False, clock=False), data=data, code=code))


@blp.route("/items", methods=["POST"])
@_write_doc
@blp.arguments(s.ItemWriteSchema)
@blp.response(201, ItemSchema)
def create_item(data):
    """Add a service item with every 八统一 field."""
    return catalogue.item_view(catalogue_admin.save_item(**deps(actor=False, clock=False), data=data))


@blp.route("/items/<code>", methods=["PUT"])
@_write_doc
@blp.arguments(s.ItemUpdateSchema)
@blp.response(200, ItemSchema)
@blp.alt_response(404, response="NOT_FOUND")
def update_item(data, code):
    """Replace a service item; bundles containing it must stay consistent."""
    return catalogue.item_view(catalogue_admin.save_item(**deps(actor=False, clock=False), data=data, code=code))


@blp.route("/bundles", methods=["POST"])
@_write_doc
@blp.arguments(s.BundleWriteSchema)
@blp.response(201, BundleSchema)
def create_bundle(data):
    """Add a 一件事 bundle: its items must exist and their dependencies must not loop."""
    return catalogue.bundle_view(catalogue_admin.save_bundle(**deps(actor=False, clock=False), data=data))


@blp.route("/bundles/<code>", methods=["PUT"])
@_write_doc
@blp.arguments(s.BundleUpdateSchema)
@blp.response(200, BundleSchema)
@blp.alt_response(404, response="NOT_FOUND")
def update_bundle(data, code):
    """Replace a 一件事 bundle."""
    return catalogue.bundle_view(catalogue_admin.save_bundle(**deps(actor=False, clock=False), data=data, code=code))


@blp.route("/calendar")
@blp.auth_required(Role.admin)
@blp.response(200, s.CalendarDaySchema(many=True))
@blp.paginate()
def list_calendar(pagination_parameters):
    """Working-day overrides for days chinese-calendar does not know yet."""
    return paged(pagination_parameters, catalogue_admin.list_calendar, **deps(actor=False, clock=False))


@blp.route("/calendar/<isodate:day>", methods=["PUT"])
@blp.auth_required(Role.admin)
@blp.arguments(s.CalendarDaySchema)
@blp.response(200, s.CalendarDaySchema)
def set_calendar_day(data, day):
    """Declare a day a working day or a holiday (a future year's 调休, published late)."""
    return catalogue_admin.set_calendar_day(**deps(actor=False, clock=False), day=day, **data)


@blp.route("/calendar/<isodate:day>", methods=["DELETE"])
@blp.auth_required(Role.admin)
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def delete_calendar_day(day):
    """Remove an override: the library's (or the weekend) rule applies again."""
    catalogue_admin.delete_calendar_day(**deps(actor=False, clock=False), day=day)
