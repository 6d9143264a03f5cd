"""Halls and departments an admin keeps for every region (异地可办 needs more than one county)."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from blueprints.admin.schemas import CODE
from blueprints.catalogue.schemas import DepartmentSchema, HallSchema
from models.catalogue import HallLevel

F = ma.fields
REGION = validate.Regexp(r"^\d{6}$", error="行政区划代码应为 6 位数字")
LEVEL = validate.OneOf([lv.value for lv in HallLevel])


class HallPatchSchema(Schema):
    """Only the fields given change."""
    name = F.String(validate=validate.Length(1, 100))
    level = F.String(validate=LEVEL)
    region_code = F.String(validate=REGION)
    address = F.String(validate=validate.Length(1, 200))
    hours = F.String(validate=validate.Length(max=200))


class HallWriteSchema(HallPatchSchema):
    code = F.String(required=True, validate=CODE)
    name = F.String(required=True, validate=validate.Length(1, 100))
    level = F.String(required=True, validate=LEVEL)
    region_code = F.String(required=True, validate=REGION)
    address = F.String(required=True, validate=validate.Length(1, 200))
    hours = F.String(load_default="", validate=validate.Length(max=200))


class DepartmentPatchSchema(Schema):
    """Only the fields given change."""
    name = F.String(validate=validate.Length(1, 100))
    region_code = F.String(validate=REGION)
    category = F.String(validate=CODE, metadata={
        "description": "部门职能, shared with the departments doing the same job elsewhere; default the code"})


class DepartmentWriteSchema(DepartmentPatchSchema):
    code = F.String(required=True, validate=CODE)
    name = F.String(required=True, validate=validate.Length(1, 100))
    region_code = F.String(required=True, validate=REGION)


AdminHallSchema = HallSchema


class AdminDepartmentSchema(DepartmentSchema):
    id = F.Integer(required=True)


class PlaceQueryArgsSchema(Schema):
    region_code = F.String(validate=REGION, metadata={"description": "in this region and under it"})
