"""Halls and departments an admin keeps for every region (异地可办 needs more than one county)."""
import marshmallow as ma
from marshmallow import validate

from app.extensions import Schema
from blueprints.admin.schemas import CODE
from models.catalogue import HallLevel

F = ma.fields
REGION = validate.Regexp(r"^\d{6}$", error="行政区划代码应为 6 位数字")


class HallWriteSchema(Schema):
    code = F.String(required=True, validate=CODE)
    name = F.String(required=True, validate=validate.Length(1, 100))
    level = F.String(required=True, validate=validate.OneOf([lv.value for lv in HallLevel]))
    region_code = F.String(required=True, validate=REGION)
    address = F.String(required=True, validate=validate.Length(1, 200))
    hours = F.String(load_default="", validate=validate.Length(max=200))


class HallPatchSchema(Schema):
    """Only the fields given change."""
    name = F.String(validate=validate.Length(1, 100))
    level = F.String(validate=validate.OneOf([lv.value for lv in HallLevel]))
    region_code = F.String(validate=REGION)
    address = F.String(validate=validate.Length(1, 200))
    hours = F.String(validate=validate.Length(max=200))


class AdminHallSchema(Schema):
    id = F.Integer(required=True)
    code = F.String(required=True)
    name = F.String(required=True)
    level = F.String(required=True)
    region_code = F.String(required=True)
    address = F.String(required=True)
    hours = F.String(required=True)


class DepartmentWriteSchema(Schema):
    code = F.String(required=True, validate=CODE)
    name = F.String(required=True, validate=validate.Length(1, 100))
    region_code = F.String(required=True, validate=REGION)
    category = F.String(load_default=None, validate=CODE, metadata={
        "description": "部门职能, shared with the departments doing the same job elsewhere; default the code"})


class DepartmentPatchSchema(Schema):
    """Only the fields given change."""
    name = F.String(validate=validate.Length(1, 100))
    region_code = F.String(validate=REGION)
    category = F.String(validate=CODE)


class AdminDepartmentSchema(Schema):
    id = F.Integer(required=True)
    code = F.String(required=True)
    name = F.String(required=True)
    region_code = F.String(required=True)
    category = F.String(required=True)


class PlaceQueryArgsSchema(Schema):
    region_code = F.String(validate=REGION, metadata={"description": "in this region and under it"})
