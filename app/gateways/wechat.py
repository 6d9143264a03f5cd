"""WeChat mini-program login: jscode2session at a configurable base URL."""
from __future__ import annotations

from typing import Protocol

import requests

from app.gateways import GatewayError


class WechatLoginRefused(Exception):
    """WeChat answered with an errcode: the code is invalid, used or expired."""


class WechatClient(Protocol):
    def openid_for(self, js_code: str) -> str: ...


class HttpWechatClient:
    def __init__(self, base: str, appid: str, secret: str, timeout: float = 5):
        self.base, self.appid, self.secret, self.timeout = base, appid, secret, timeout

    def openid_for(self, js_code: str) -> str:
        params = {"appid": self.appid, "secret": self.secret, "js_code": js_code,
                  "grant_type": "authorization_code"}
        try:
            response = requests.get(f"{self.base}/sns/jscode2session", params=params,
                                    timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(f"WeChat unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise GatewayError(f"WeChat answered {response.status_code}")
        try:
            data = response.json()  # WeChat labels it text/plain; parse the body regardless
        except ValueError as exc:
            raise GatewayError("WeChat answered something that is not JSON") from exc
        if not isinstance(data, dict):
            raise GatewayError("WeChat answered something that is not an object")
        if data.get("errcode") or not data.get("openid"):
            raise WechatLoginRefused(f"{data.get('errcode')}: {data.get('errmsg')}")
        return str(data["openid"])


def wechat_client_from_config(config: dict) -> WechatClient:
    return HttpWechatClient(config["WECHAT_API_BASE"], config["WECHAT_APPID"],
                            config["WECHAT_SECRET"], config["OUTBOUND_TIMEOUT_SECONDS"])
