"""Catalogue administration schemas: what an admin may write, checked for shape."""
import marshmallow as ma
from marshmallow import validate

from app.schemas import Schema
from app.gateways.datasource import KINDS
from blueprints.catalogue.schemas import FormFieldSchema
from models.catalogue import DELIVERY_OPTIONS, HallLevel

F = ma.fields
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", error="编码只能包含字母、数字、-、_，最长 32 位")
FORMATS = ("jpg", "png", "pdf")


class MaterialWriteSchema(Schema):
    code = F.String(required=True, validate=CODE)
    name = F.String(required=True, validate=validate.Length(1, 200))
    elicense_type = F.String(load_default=None, allow_none=True)
    formats = F.List(F.String(validate=validate.OneOf(FORMATS)), load_default=lambda: list(FORMATS),
                     validate=validate.Length(min=1))
    max_size_mb = F.Integer(load_default=10, validate=validate.Range(1, 50))
    data_check = F.String(load_default=None, allow_none=True, validate=validate.OneOf(KINDS),
                          metadata={"description": "无证明: the data-source kind that proves it"})


class MaterialUpdateSchema(MaterialWriteSchema):
    class Meta:
        exclude = ("code",)


class MaterialReadSchema(Schema):
    code = F.String(required=True)
    name = F.String(required=True)
    elicense_type = F.String(allow_none=True, required=True)
    formats = F.List(F.String(), required=True)
    max_size_mb = F.Integer(required=True)
    data_check = F.String(allow_none=True, required=True)


class ItemMaterialRefSchema(Schema):
    code = F.String(required=True, validate=CODE)
    required = F.Boolean(load_default=True)
    commitment_allowed = F.Boolean(load_default=False)


def _unique(field: str):
    def check(values):
        names = [v[field] for v in values]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ma.ValidationError(f"重复: {', '.join(dupes)}")
    return check


class ItemWriteSchema(Schema):
    code = F.String(required=True, validate=CODE)
    main_name = F.String(required=True, validate=validate.Length(1, 200))
    sub_name = F.String(required=True, validate=validate.Length(1, 200))
    legal_basis = F.String(required=True, validate=validate.Length(1, 5000))
    department = F.String(required=True)
    statutory_days = F.Integer(required=True, validate=validate.Range(0, 365))
    promised_days = F.Integer(required=True, validate=validate.Range(0, 365))
    max_visits = F.Integer(load_default=0, validate=validate.Range(0, 1, error="最多跑一次：不超过 1 次"))
    mobile = F.Boolean(load_default=True)
    cross_region = F.Boolean(load_default=False, metadata={"description": "异地可办: a hall of another region may accept it"})
    delivery_options = F.List(F.String(validate=validate.OneOf(DELIVERY_OPTIONS)),
                              load_default=lambda: ["window", "post"], validate=validate.Length(min=1))
    fee = F.String(load_default="不收费", validate=validate.Length(max=200))
    result_elicense_type = F.String(load_default=None, allow_none=True)
    life_event = F.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    steps = F.List(F.String(validate=validate.Length(1, 500)), load_default=list)
    internal_steps = F.List(F.String(validate=validate.Length(1, 500)), load_default=list)
    form = F.List(F.Nested(FormFieldSchema), load_default=list, validate=_unique("name"))
    materials = F.List(F.Nested(ItemMaterialRefSchema), load_default=list, validate=_unique("code"))
    hall_levels = F.List(F.String(validate=validate.OneOf([lv.value for lv in HallLevel])),
                         load_default=lambda: [lv.value for lv in HallLevel], validate=validate.Length(min=1))

    @ma.validates_schema
    def _promise(self, data, **kwargs):
        if data.get("promised_days", 0) > data.get("statutory_days", 0):
            raise ma.ValidationError("承诺时限不能超过法定时限", "promised_days")


class ItemUpdateSchema(ItemWriteSchema):
    class Meta:
        exclude = ("code",)


class BundleEntrySchema(Schema):
    code = F.String(required=True, validate=CODE)
    depends_on = F.List(F.String(validate=CODE), load_default=list)


class BundleWriteSchema(Schema):
    code = F.String(required=True, validate=CODE)
    name = F.String(required=True, validate=validate.Length(1, 200))
    life_event = F.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    description = F.String(load_default="", validate=validate.Length(max=2000))
    items = F.List(F.Nested(BundleEntrySchema), required=True,
                   validate=[validate.Length(min=2, error="一件事至少包含 2 个事项"), _unique("code")])


class BundleUpdateSchema(BundleWriteSchema):
    class Meta:
        exclude = ("code",)


class CalendarDaySchema(Schema):
    day = F.Date(dump_only=True)
    is_workday = F.Boolean(required=True, metadata={"description": "true for a 调休 working day"})
    reason = F.String(required=True, validate=validate.Length(1, 200))
