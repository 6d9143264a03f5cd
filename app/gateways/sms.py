"""SMS gateway protocol (API.md, Identity): signed JSON POST; without a URL, the log."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from typing import Protocol

import requests

from app.gateways import GatewayError

log = logging.getLogger("onetrip.sms")


class SmsSender(Protocol):
    def send(self, phone: str, template: str, params: dict, text: str, *, message_id: str | None = None) -> None:
        """Deliver or raise GatewayError. `message_id` is the same on every retry of one message
        (sent as `X-Message-Id`, for the gateway to drop duplicates)."""


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HttpSmsSender:
    def __init__(self, url: str, secret: str, timeout: float = 5):
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, phone: str, template: str, params: dict, text: str, *, message_id: str | None = None) -> None:
        body = json.dumps({"phone": phone, "template": template, "params": params, "text": text},
                          ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Signature": sign(self.secret, body),
                   "X-Message-Id": message_id or f"onetrip-{uuid.uuid4()}"}
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise GatewayError(f"SMS gateway answered {response.status_code}")


class LogSmsSender:
    """The embedded default: messages go to the log, where a developer reads the code."""

    def send(self, phone: str, template: str, params: dict, text: str, *, message_id: str | None = None) -> None:
        log.warning("SMS to %s [%s] %s", phone, template, text)


def sms_sender_from_config(config: dict) -> SmsSender:
    if config.get("SMS_GATEWAY_URL"):
        return HttpSmsSender(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_SECRET"],
                             config["OUTBOUND_TIMEOUT_SECONDS"])
    return LogSmsSender()
