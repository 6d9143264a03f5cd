"""Test fakes for outside systems, held to the same protocols as the real adapters."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.gateways import GatewayError
from app.gateways.wechat import WechatLoginRefused


@dataclass
class FakeSms:
    sent: list[dict] = field(default_factory=list)
    fail: bool = False

    def send(self, phone: str, template: str, params: dict, text: str, *, message_id: str | None = None) -> None:
        if self.fail:
            raise GatewayError("fake gateway down")
        self.sent.append({"phone": phone, "template": template, "params": params, "text": text,
                          "message_id": message_id})

    def last_code(self, phone: str) -> str:
        return next(m["params"]["code"] for m in reversed(self.sent) if m["phone"] == phone)


@dataclass
class FakeWechat:
    openids: dict[str, str] = field(default_factory=dict)
    down: bool = False

    def reset(self) -> None:
        self.openids.clear()
        self.down = False

    def openid_for(self, js_code: str) -> str:
        if self.down:
            raise GatewayError("fake WeChat down")
        if js_code not in self.openids:
            raise WechatLoginRefused("40029: invalid code")
        return self.openids.pop(js_code)  # WeChat codes are single-use


@dataclass
class FakeDataSource:
    """Population, household, marriage and social-insurance records held in memory."""

    records: dict[tuple[str, str], dict] = field(default_factory=dict)
    down: bool = False
    asked: list[tuple[str, str]] = field(default_factory=list)

    def put(self, kind: str, id_number: str, payload: dict) -> None:
        self.records[(kind, id_number)] = payload

    def lookup(self, kind: str, id_number: str) -> dict | None:
        from app.gateways.datasource import DataSourceUnavailable, check_kind

        check_kind(kind)
        self.asked.append((kind, id_number))
        if self.down:
            raise DataSourceUnavailable("fake data source down")
        record = self.records.get((kind, id_number))
        return dict(record) if record is not None else None
