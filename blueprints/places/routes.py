"""Halls and departments (admin): every region's service points and back offices."""
from __future__ import annotations

from app.blueprint import Blueprint
from app.services import regions
from app.web import deps, paged
from blueprints.places import schemas as s
from models.catalogue import Department, Hall
from models.staff import Role

blp = Blueprint("places", __name__, description="大厅与部门（管理员）：各地区的大厅、便民服务点和部门")


def _writes(func):
    for status, name in ((409, "CONFLICT"), (422, "UNPROCESSABLE_ENTITY")):
        func = blp.alt_response(status, response=name)(func)
    return blp.auth_required(Role.admin)(func)


@blp.route("/halls", methods=["GET"])
@blp.auth_required(Role.admin)
@blp.arguments(s.PlaceQueryArgsSchema, location="query")
@blp.response(200, s.AdminHallSchema(many=True))
@blp.paginate()
def list_admin_halls(args, pagination_parameters):
    """Every hall and village point, by region."""
    return paged(pagination_parameters, regions.list_places, **deps(actor=False, clock=False), model=Hall,
                 region_code=args.get("region_code"))


@blp.route("/halls", methods=["POST"])
@_writes
@blp.arguments(s.HallWriteSchema)
@blp.response(201, s.AdminHallSchema)
def create_hall(data):
    """Add a hall or a village/township point in any region."""
    return regions.save_hall(**deps(actor=False, clock=False), data=data)


@blp.route("/halls/<code>", methods=["PATCH"])
@_writes
@blp.arguments(s.HallPatchSchema)
@blp.response(200, s.AdminHallSchema)
@blp.alt_response(404, response="NOT_FOUND")
def update_hall(data, code):
    """Change a hall's name, level, region, address or hours (only the fields given)."""
    return regions.save_hall(**deps(actor=False, clock=False), data=data, code=code)


@blp.route("/departments", methods=["GET"])
@blp.auth_required(Role.admin)
@blp.arguments(s.PlaceQueryArgsSchema, location="query")
@blp.response(200, s.AdminDepartmentSchema(many=True))
@blp.paginate()
def list_admin_departments(args, pagination_parameters):
    """Every department, by region."""
    return paged(pagination_parameters, regions.list_places, **deps(actor=False, clock=False), model=Department,
                 region_code=args.get("region_code"))


@blp.route("/departments", methods=["POST"])
@_writes
@blp.arguments(s.DepartmentWriteSchema)
@blp.response(201, s.AdminDepartmentSchema)
def create_department(data):
    """Add a department of a region; `category` says which job it does (异地可办 routing)."""
    return regions.save_department(**deps(actor=False, clock=False), data=data)


@blp.route("/departments/<code>", methods=["PATCH"])
@_writes
@blp.arguments(s.DepartmentPatchSchema)
@blp.response(200, s.AdminDepartmentSchema)
@blp.alt_response(404, response="NOT_FOUND")
def update_department(data, code):
    """Change a department's name, region or category (only the fields given)."""
    return regions.save_department(**deps(actor=False, clock=False), data=data, code=code)
