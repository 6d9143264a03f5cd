"""Liveness and readiness answers."""
import marshmallow as ma

from app.schemas import Schema


class HealthSchema(Schema):
    status = ma.fields.String(required=True)


class ReadinessSchema(Schema):
    status = ma.fields.String(required=True, metadata={"description": "ok or unavailable"})
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
