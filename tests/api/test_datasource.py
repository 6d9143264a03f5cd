"""One contract for every data source adapter: the embedded one (seeded records in the database),
the HTTP one (against a loopback server speaking the protocol), and the test fake."""
from __future__ import annotations

import json

import pytest
from werkzeug.wrappers import Response

from app.gateways.datasource import (
    KINDS, DataSourceUnavailable, EmbeddedDataSource, HttpDataSource, data_source_from_config, put_record, sign,
)
from app.services.demo_people import CHEN, PEOPLE, WANG, ZHOU
from tests.api.test_gateways import serve
from tests.fakes import FakeDataSource

NOBODY = "11010519491231002X"  # a valid number the sources know nothing about


def _fake_with_people() -> FakeDataSource:
    fake = FakeDataSource()
    for id_number, records in PEOPLE.items():
        for kind, payload in records.items():
            fake.put(kind, id_number, payload)
    return fake


def _gateway(fake: FakeDataSource, secret: str):
    """A loopback data-sharing gateway answering from `fake`, checking the signature."""

    def handler(request):
        body = request.get_data()
        if request.headers.get("X-Signature") != sign(secret, body):
            return Response("bad signature", 401)
        if fake.down:
            return Response("maintenance", 503)
        asked = json.loads(body)
        record = fake.lookup(asked["kind"], asked["id_number"])
        return Response(json.dumps({"record": record}, ensure_ascii=False), 200,
                        content_type="application/json")

    return serve(handler)


@pytest.fixture(params=["embedded", "http", "fake"])
def adapter(request):
    """Each implementation holding the demo people's records, and a switch that takes it down."""
    if request.param == "fake":
        fake = _fake_with_people()
        yield fake, lambda: setattr(fake, "down", True)
    elif request.param == "http":
        fake = _fake_with_people()
        with _gateway(fake, "gw-secret") as (url, _):
            yield HttpDataSource(url + "/lookup", "gw-secret", timeout=2), lambda: setattr(fake, "down", True)
    else:
        app = request.getfixturevalue("app")
        from app.extensions import db

        with app.app_context():
            source = app.extensions["onetrip"].data_source  # seeded by seed-demo, as in the demo
            assert isinstance(source, EmbeddedDataSource)

            def down():
                def broken():
                    from sqlalchemy.exc import OperationalError

                    raise OperationalError("SELECT", {}, Exception("database is gone"))

                source._session = broken

            yield source, down
            source._session = lambda: db.session


def test_finds_each_kind_of_record(adapter):
    source, _ = adapter
    for kind in KINDS:
        assert source.lookup(kind, WANG) == PEOPLE[WANG][kind]
    assert source.lookup("population", CHEN)["name"] == "陈晓明"
    assert source.lookup("social_insurance", ZHOU) == {"insured": False, "region_code": "330802", "since": None}


def test_unknown_person_is_none(adapter):
    source, _ = adapter
    assert source.lookup("population", NOBODY) is None
    assert source.lookup("marriage", NOBODY) is None


def test_unknown_kind_is_a_programming_error(adapter):
    source, _ = adapter
    with pytest.raises(ValueError):
        source.lookup("criminal_record", WANG)


def test_down_raises_unavailable(adapter):
    source, take_down = adapter
    take_down()
    with pytest.raises(DataSourceUnavailable):
        source.lookup("population", WANG)


def test_http_adapter_refuses_nonsense_and_sends_no_id_in_the_url():
    answers = iter([Response("{}", 200), Response("[1]", 200), Response("not json", 200),
                    Response(json.dumps({"record": "x"}), 200), Response("", 404)])
    with serve(lambda r: next(answers)) as (url, seen):
        source = HttpDataSource(url, "s", timeout=2)
        for _ in range(4):
            with pytest.raises(DataSourceUnavailable):
                source.lookup("household", WANG)
        assert source.lookup("household", WANG) is None  # 404: no record
    assert all(WANG not in r.url for r in seen)
    assert json.loads(seen[0].get_data()) == {"kind": "household", "id_number": WANG}
    with pytest.raises(DataSourceUnavailable):
        HttpDataSource("http://127.0.0.1:9/", "s", timeout=1).lookup("population", WANG)


def test_records_are_encrypted_at_rest_and_reseeding_keeps_them(app):
    from sqlalchemy import select

    from app.extensions import db
    from models.datarecord import DataRecord

    cipher = app.extensions["onetrip"].cipher
    with app.app_context():
        rows = db.session.scalars(select(DataRecord)).all()
        assert len(rows) == sum(len(r) for r in PEOPLE.values())
        for row in rows:
            assert "王建国".encode() not in row.payload_cipher and WANG not in row.id_number_hash
        before = {(r.id, r.payload_cipher) for r in rows}
        put_record(db.session, cipher, "population", WANG, PEOPLE[WANG]["population"])  # unchanged
        put_record(db.session, cipher, "population", NOBODY, {"name": "测试", "gender": "女",
                                                              "birth_date": "1949-12-31"})
        db.session.commit()
        after = {(r.id, r.payload_cipher) for r in db.session.scalars(select(DataRecord))}
        assert before < after and len(after - before) == 1
        assert app.extensions["onetrip"].data_source.lookup("population", NOBODY)["name"] == "测试"


def test_choice_from_config():
    http = data_source_from_config({"DATA_SOURCE_URL": "http://x/lookup", "DATA_SOURCE_SECRET": "s",
                                    "OUTBOUND_TIMEOUT_SECONDS": 3}, session=None, cipher=None)
    assert isinstance(http, HttpDataSource) and http.timeout == 3
    assert isinstance(data_source_from_config({"DATA_SOURCE_URL": None}, session=None, cipher=None),
                      EmbeddedDataSource)
