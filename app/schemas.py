"""The project's marshmallow base schema for requests, and the one error shape (API.md, Conventions)."""
from __future__ import annotations

import marshmallow as ma

INT_LIMIT = 2**31 - 1


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _has_huge_int(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > INT_LIMIT
    if isinstance(value, dict):
        return any(_has_huge_int(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_huge_int(v) for v in value)
    return False


class Schema(ma.Schema):
    """Every request schema refuses unknown fields and NUL characters (no database stores them)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    @ma.post_load(pass_collection=True)
    def _refuse_huge_integers(self, data, **kwargs):
        """Integer columns are 32-bit: a larger number can match nothing and must not reach SQL."""
        if _has_huge_int(data):
            raise ma.ValidationError("数值超出范围")
        return data

    @ma.pre_load(pass_collection=True)
    def _refuse_nul(self, data, **kwargs):
        if _has_nul(data if not hasattr(data, "to_dict") else data.to_dict(flat=False)):
            raise ma.ValidationError("文本中不能包含 NUL 字符")
        return data


class ErrorSchema(Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    error = ma.fields.String(required=True, metadata={"description": "stable snake_case code"})
    message = ma.fields.String(required=True, metadata={"description": "for a person, zh-CN or en"})
    errors = ma.fields.Dict(metadata={"description": "details, e.g. field messages"})
