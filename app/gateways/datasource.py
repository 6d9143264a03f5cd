"""Government data sources (人口、户籍、婚姻、社保库) behind one adapter: `lookup(kind, id_number)`.

无证明 and 实名 rest on it: a record the data source holds replaces a paper the citizen would
otherwise fetch from another office. Production points `DATA_SOURCE_URL` at the data-sharing
platform's gateway; the embedded default answers from records kept in this database
(`data_records`, filled by `seed-demo`), encrypted like every resident ID number here.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Callable, Protocol

import requests
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.gateways import GatewayError

# population: {name, gender, birth_date}            (人口库: real-name verification)
# household: {householder, address, region_code, members: [{name, relation}]}   (户籍)
# marriage: {status: married | unmarried | divorced | widowed, spouse_name, spouse_id_number?,
#            registered_on}                          (婚姻登记)
# social_insurance: {insured: bool, region_code, since}   (社保参保)
KINDS = ("population", "household", "marriage", "social_insurance")

ID_CONTEXT = "data_records.id_number"


class DataSourceUnavailable(GatewayError):
    """The data source did not answer (down, timed out, or answered nonsense)."""


class DataSource(Protocol):
    def lookup(self, kind: str, id_number: str) -> dict | None:
        """The record of `kind` for this resident ID, None if the source holds none.

        Raises ValueError for a kind not in KINDS, DataSourceUnavailable when the source is down.
        """


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown data kind {kind!r}; expected one of {', '.join(KINDS)}")


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HttpDataSource:
    """`POST {DATA_SOURCE_URL}` `{"kind", "id_number"}` signed like the SMS gateway
    (`X-Signature: hex(HMAC-SHA256(DATA_SOURCE_SECRET, body))`); 200 `{"record": {...} | null}`,
    404 = no record; anything else is the source being unavailable. The ID number travels in the
    body, never in a URL that proxies log."""

    def __init__(self, url: str, secret: str, timeout: float = 5):
        self.url, self.secret, self.timeout = url, secret, timeout

    def lookup(self, kind: str, id_number: str) -> dict | None:
        check_kind(kind)
        body = json.dumps({"kind": kind, "id_number": id_number}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Signature": sign(self.secret, body)}
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DataSourceUnavailable(f"data source unreachable: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DataSourceUnavailable(f"data source answered {response.status_code}")
        try:
            record = response.json()["record"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DataSourceUnavailable("data source answered something that is not {record}") from exc
        if record is not None and not isinstance(record, dict):
            raise DataSourceUnavailable("data source answered a record that is not an object")
        return record


class EmbeddedDataSource:
    """Answers from `data_records` in the app's own database (the demo and development default)."""

    def __init__(self, session: Callable[[], Session], cipher):
        self._session, self._cipher = session, cipher

    def lookup(self, kind: str, id_number: str) -> dict | None:
        from models.datarecord import DataRecord

        check_kind(kind)
        lookup = self._cipher.lookup_hash(id_number, context=ID_CONTEXT)
        try:
            blob = self._session().scalars(select(DataRecord.payload_cipher).where(
                DataRecord.kind == kind, DataRecord.id_number_hash == lookup)).first()
        except SQLAlchemyError as exc:
            raise DataSourceUnavailable(f"embedded data source: {exc}") from exc
        if blob is None:
            return None
        return json.loads(self._cipher.decrypt(blob, context=f"data_records.{kind}"))


def put_record(session: Session, cipher, kind: str, id_number: str, payload: dict) -> None:
    """Insert or replace one embedded record (seed-demo; an admin's import would do the same)."""
    from models.datarecord import DataRecord

    check_kind(kind)
    lookup = cipher.lookup_hash(id_number, context=ID_CONTEXT)
    context = f"data_records.{kind}"
    row = session.scalars(select(DataRecord).where(DataRecord.kind == kind,
                                                   DataRecord.id_number_hash == lookup)).first()
    if row is not None and json.loads(cipher.decrypt(row.payload_cipher, context=context)) == payload:
        return  # unchanged: a fresh nonce would rewrite the row for nothing
    blob = cipher.encrypt(json.dumps(payload, ensure_ascii=False, sort_keys=True), context=context)
    if row is None:
        session.add(DataRecord(kind=kind, id_number_hash=lookup, payload_cipher=blob))
    else:
        row.payload_cipher = blob


def data_source_from_config(config: dict, *, session: Callable[[], Session], cipher) -> DataSource:
    if config.get("DATA_SOURCE_URL"):
        return HttpDataSource(config["DATA_SOURCE_URL"], config["DATA_SOURCE_SECRET"],
                              config["OUTBOUND_TIMEOUT_SECONDS"])
    return EmbeddedDataSource(session, cipher)
