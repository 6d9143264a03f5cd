"""Catalogue schemas: the 八统一 guide, bundles and reference data."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from models.catalogue import DELIVERY_OPTIONS, FIELD_TYPES, HallLevel

F = ma.fields


class FormFieldSchema(Schema):
    name = F.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"),
                    metadata={"description": "machine name, asked once per bundle"})
    label = F.String(required=True, validate=validate.Length(1, 100))
    type = F.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = F.Boolean(load_default=True)
    options = F.List(F.String(validate=validate.Length(1, 100)), allow_none=True, load_default=None)

    @ma.validates_schema
    def _options(self, data, **kwargs):
        if data["type"] == "choice" and not data.get("options"):
            raise ma.ValidationError("choice 类型字段必须给出 options", "options")
        if data["type"] != "choice" and data.get("options"):
            raise ma.ValidationError("只有 choice 类型字段可以有 options", "options")


class MaterialSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    required = F.Boolean(required=True)
    elicense_type = F.String(allow_none=True, required=True,
                             metadata={"description": "an e-license of this type fills it (免提交)"})
    commitment_allowed = F.Boolean(required=True, metadata={"description": "容缺受理 allowed"})
    formats = F.List(F.String(), required=True)
    max_size_mb = F.Integer(required=True)
    data_check = F.String(allow_none=True, required=True, metadata={
        "description": "无证明: the government data that proves it (then nothing is uploaded)"})


class ItemSummarySchema(Schema):
    code = F.String(required=True)
    main_name = F.String(required=True)
    sub_name = F.String(required=True)
    department = F.String(required=True, metadata={"description": "department code"})
    department_name = F.String(required=True)
    promised_days = F.Integer(required=True)
    statutory_days = F.Integer(required=True)
    max_visits = F.Integer(required=True)
    mobile = F.Boolean(required=True)
    life_event = F.String(allow_none=True)


class ItemSchema(ItemSummarySchema):
    legal_basis = F.String(required=True)
    materials = F.List(F.Nested(MaterialSchema), required=True)
    steps = F.List(F.String(), required=True)
    internal_steps = F.List(F.String(), required=True)
    form = F.List(F.Nested(FormFieldSchema), required=True)
    delivery_options = F.List(F.String(validate=validate.OneOf(DELIVERY_OPTIONS)), required=True)
    fee = F.String(required=True)
    result_elicense_type = F.String(allow_none=True, required=True)
    hall_levels = F.List(F.String(), required=True)
    accepting_levels = F.List(F.String(), required=True, metadata={
        "description": "levels of hall that accept it (the same as hall_levels); others forward it"})
    cross_region = F.Boolean(required=True, metadata={"description": "异地可办: a hall of another region may accept it"})


class ItemQueryArgsSchema(Schema):
    q = F.String(validate=validate.Length(1, 50), metadata={"description": "search names and codes"})
    department = F.String(metadata={"description": "department code"})
    life_event = F.String()
    mobile = F.Boolean(metadata={"description": "only items that can be done on the phone"})
    hall = F.String(metadata={"description": "hall id or code: items that hall accepts"})


class BundleItemSchema(Schema):
    code = F.String(required=True)
    main_name = F.String(required=True)
    department = F.String(required=True)
    promised_days = F.Integer(required=True)
    depends_on = F.List(F.String(), required=True)


class MergedMaterialSchema(MaterialSchema):
    items = F.List(F.String(), required=True, metadata={"description": "items that need it"})


class BundleSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    life_event = F.String(allow_none=True, required=True)
    description = F.String(required=True)
    items = F.List(F.Nested(BundleItemSchema), required=True)
    form = F.List(F.Nested(FormFieldSchema), required=True)
    materials = F.List(F.Nested(MergedMaterialSchema), required=True)
    promised_days = F.Integer(required=True, metadata={"description": "longest chain of dependent items"})


class BundleQueryArgsSchema(Schema):
    life_event = F.String()


class HallSchema(Schema):
    id = F.Integer(required=True)
    code = F.String(required=True)
    name = F.String(required=True)
    level = F.String(required=True, validate=validate.OneOf([lv.value for lv in HallLevel]))
    region_code = F.String(required=True)
    address = F.String(required=True)
    hours = F.String(required=True)


class HallQueryArgsSchema(Schema):
    level = F.String(validate=validate.OneOf([lv.value for lv in HallLevel]))
    region_code = F.String(validate=validate.Regexp(r"^\d{6}$"),
                           metadata={"description": "halls in this region and under it"})


class DepartmentSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    region_code = F.String(required=True)
    category = F.String(required=True, metadata={
        "description": "部门职能: the same for the departments doing the same job in every region"})


class CarrierSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    phone = F.String(allow_none=True)


class ElicenseTypeSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    issuer = F.String(required=True)
    validity_years = F.Integer(allow_none=True)
