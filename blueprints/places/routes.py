"""Halls and departments (admin): every region's service points and back offices."""
from __future__ import annotations

from app.extensions import db
from app.blueprint import Blueprint
from app.web import paged
from app.services import regions
from blueprints.places import schemas as s
from models.catalogue import Department, Hall

blp = Blueprint("places", __name__, description="大厅与部门（管理员）：各地区的大厅、便民服务点和部门")
ADMIN = "admin"


def _writes(func):
    for status, name in ((409, "CONFLICT"), (422, "UNPROCESSABLE_ENTITY")):
        func = blp.alt_response(status, response=name)(func)
    return blp.auth_required(ADMIN)(func)


def _place_routes(path: str, model, out, write, patch, save, names: tuple[str, str, str], docs: tuple[str, str, str]):
    """GET and POST on the collection, PATCH by code, for one kind of place."""

    @blp.auth_required(ADMIN)
    @blp.arguments(s.PlaceQueryArgsSchema, location="query")
    @blp.response(200, out(many=True))
    @blp.paginate()
    def listing(args, pagination_parameters):
        return paged(pagination_parameters, regions.list_places, db.session, model, region_code=args.get("region_code"))

    @_writes
    @blp.arguments(write)
    @blp.response(201, out)
    def create(data):
        return save(session=db.session, data=data)

    @_writes
    @blp.arguments(patch)
    @blp.response(200, out)
    @blp.alt_response(404, response="NOT_FOUND")
    def update(data, code):
        return save(session=db.session, data=data, code=code)

    for view, name, doc in zip((listing, create, update), names, docs):
        view.__name__, view.__doc__ = name, doc
    blp.route(path, methods=["GET"])(listing)
    blp.route(path, methods=["POST"])(create)
    blp.route(f"{path}/<code>", methods=["PATCH"])(update)


_place_routes("/halls", Hall, s.AdminHallSchema, s.HallWriteSchema, s.HallPatchSchema, regions.save_hall,
              ("list_admin_halls", "create_hall", "update_hall"),
              ("Every hall and village point, by region.", "Add a hall or a village/township point in any region.",
               "Change a hall's name, level, region, address or hours (only the fields given)."))
_place_routes("/departments", Department, s.AdminDepartmentSchema, s.DepartmentWriteSchema, s.DepartmentPatchSchema,
              regions.save_department, ("list_admin_departments", "create_department", "update_department"),
              ("Every department, by region.",
               "Add a department of a region; `category` says which job it does (异地可办 routing).",
               "Change a department's name, region or category (only the fields given)."))
