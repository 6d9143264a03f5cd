"""app.dumping: a list's rows dumped without marshmallow's per-field calls equal `schema.dump`, in
the corners marshmallow has: dotted attributes through None, keys missing from dicts, dump
defaults, data keys, Function and custom fields, nested schemas and lists of them (None inside),
`only`, post-dump hooks per item and per collection, and schemas it leaves to marshmallow."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import marshmallow as ma
import pytest

from app.dumping import dumper

F = ma.fields


class Upper(F.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value).upper()


class Child(ma.Schema):
    code = F.String()
    size = F.Integer(allow_none=True)
    tags = F.List(F.String())


class Parent(ma.Schema):
    id = F.Integer()
    name = Upper(attribute="person.name")
    phone = F.String(attribute="person.phone", dump_default="none")
    kind = F.String(data_key="type")
    at = F.DateTime()
    on = F.Date(allow_none=True)
    flag = F.Boolean()
    doc = F.Dict()
    labels = F.Dict(keys=F.String(), values=F.String())
    child = F.Nested(Child, allow_none=True)
    only_code = F.Nested(Child, only=("code",), attribute="child", dump_only=True)
    children = F.List(F.Nested(Child))
    many_children = F.Nested(Child, many=True, attribute="children", dump_only=True)
    derived = F.Function(lambda obj: f"#{obj.id}")
    score = F.Float()
    secret = F.String(load_only=True)


class Masked(Parent):
    @ma.post_dump
    def _mask(self, data, **kwargs):
        data["kind"] = "masked"
        return data

    @ma.post_dump(pass_collection=True)
    def _count(self, data, many, **kwargs):
        return [dict(d, n=len(data)) for d in data] if many else data


class PreDumped(Parent):
    @ma.pre_dump
    def _pre(self, obj, **kwargs):
        return obj


def _objects():
    at = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    full = SimpleNamespace(
        id=7, person=SimpleNamespace(name="张三", phone="13800000000"), kind="a", at=at, on=date(2026, 11, 24),
        flag=1, doc={"x": [1, {"y": None}]}, labels={"k": 3}, child={"code": "c1", "size": "5", "tags": ["a"]},
        children=[{"code": "c2"}, None, SimpleNamespace(code=None, size=None, tags=[])], score=1.5, secret="s")
    sparse = SimpleNamespace(id=8, person=None, kind=None, at=at, on=None, flag=0, doc={}, labels={},
                             child=None, children=[], score=0)
    return [full, sparse]


@pytest.mark.parametrize("schema", [Parent(), Parent(many=True), Masked(), Masked(many=True), PreDumped(many=True),
                                    Parent(only=("id", "child", "phone"), many=True), Child(many=True)])
def test_equal_to_marshmallow(schema):
    dump = dumper(schema)
    if schema.many:
        objs = _objects() if not isinstance(schema, Child) else [{"code": "x"}, {"size": 2, "tags": None}, {}]
        assert dump(objs) == schema.dump(objs)
        assert [list(d) for d in dump(objs)] == [list(d) for d in schema.dump(objs)]  # same keys, same order
    else:
        for obj in _objects():
            assert dump(obj) == schema.dump(obj)
            assert list(dump(obj)) == list(schema.dump(obj))


def test_a_pre_dump_hook_is_left_to_marshmallow():
    schema = PreDumped(many=True)
    assert dumper(schema) == schema.dump


def test_list_schemas_of_the_api_dump_their_history_alike(client, sms, db_session, today, monkeypatch):
    """Every list answers the same JSON dumped by app.dumping as by marshmallow and Flask's JSON."""
    from sqlalchemy import func, select

    from app import blueprint
    from app.services.history import seed_history
    from models.application import Application
    from models.citizen import Citizen
    from tests.helpers import login_citizen, login_staff

    seed_history(session=db_session, count=300, months=2, today=today, seed=7, batch=300)
    db_session.commit()
    busiest = db_session.scalar(select(Application.citizen_id).group_by(Application.citizen_id)
                                .order_by(func.count().desc(), Application.citizen_id).limit(1))
    headers = {"citizen": login_citizen(client, sms, db_session.scalar(
        select(Citizen.phone).where(Citizen.id == busiest)))["headers"]}
    lists = [("citizen", "/api/v1/applications"), ("citizen", "/api/v1/me/access-log"),
             ("clerk", "/api/v1/hall/applications?status=delivered"), ("clerk", "/api/v1/hall/applications"),
             ("clerk", "/api/v1/hall/shipments"), ("clerk", "/api/v1/alerts"),
             ("clerk", "/api/v1/supervision/rectifications"), ("reviewer-rsj", "/api/v1/department/subcases"),
             ("courier", "/api/v1/courier/shipments"), ("supervisor", "/api/v1/supervision/warnings"),
             ("supervisor", "/api/v1/supervision/complaints"), ("supervisor", "/api/v1/supervision/access-log"),
             ("admin", "/api/v1/admin/halls"), ("citizen", "/api/v1/items"),
             ("citizen", "/api/v1/me/messages")]
    compared = 0
    for who, url in lists:
        if who not in headers:
            headers[who] = login_staff(client, who)["headers"]
        url += ("&" if "?" in url else "?") + "page_size=50"
        monkeypatch.setattr(blueprint, "FAST_LISTS", True)
        fast = client.get(url, headers=headers[who])
        monkeypatch.setattr(blueprint, "FAST_LISTS", False)
        slow = client.get(url, headers=headers[who])
        assert fast.status_code == slow.status_code == 200, (url, fast.status_code, slow.status_code)
        assert fast.mimetype == slow.mimetype == "application/json"
        assert fast.json == slow.json, url
        assert fast.headers.get("X-Pagination") == slow.headers.get("X-Pagination"), url
        compared += len(fast.json)
    assert compared > 100
