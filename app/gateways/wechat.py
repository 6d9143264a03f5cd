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


class HttpWechatNotifier:
    """Subscribe messages (订阅消息) to citizens who logged in through the mini-program."""

    def __init__(self, base: str, appid: str, secret: str, template_id: str, timeout: float = 5):
        self.base, self.appid, self.secret = base, appid, secret
        self.template_id, self.timeout = template_id, timeout
        self._token: tuple[str, float] | None = None

    def _access_token(self) -> str:
        import time

        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        data = self._call("GET", "/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        if not data.get("access_token"):
            raise GatewayError(f"WeChat token refused: {data.get('errcode')} {data.get('errmsg')}")
        # Renew five minutes early: a token used at its very end may expire in flight.
        self._token = (data["access_token"], time.monotonic() + int(data.get("expires_in", 7200)) - 300)
        return self._token[0]

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = requests.request(method, f"{self.base}{path}", timeout=self.timeout, **kwargs)
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GatewayError(f"WeChat unreachable: {exc}") from exc
        if not isinstance(data, dict):
            raise GatewayError("WeChat answered something that is not an object")
        return data

    def send(self, openid: str, template: str, params: dict, text: str, *, message_id: str | None = None) -> None:
        body = {"touser": openid, "template_id": self.template_id, "page": "pages/progress/index",
                "data": {"thing1": {"value": text[:20]}, "thing2": {"value": params.get("number", "")[:20]}}}
        data = self._call("POST", "/cgi-bin/message/subscribe/send",
                          params={"access_token": self._access_token()}, json=body)
        if data.get("errcode"):
            if data["errcode"] in (40001, 42001):  # token revoked or expired: fetch a new one next time
                self._token = None
            raise GatewayError(f"WeChat refused the message: {data['errcode']} {data.get('errmsg')}")


class LogWechatNotifier:
    def send(self, openid: str, template: str, params: dict, text: str, *, message_id: str | None = None) -> None:
        import logging

        logging.getLogger("onetrip.wechat").warning("WeChat to %s [%s] %s", openid, template, text)


def wechat_notifier_from_config(config: dict):
    if config.get("WECHAT_APPID") and config.get("WECHAT_TEMPLATE_ID"):
        return HttpWechatNotifier(config["WECHAT_API_BASE"], config["WECHAT_APPID"], config["WECHAT_SECRET"],
                                  config["WECHAT_TEMPLATE_ID"], config["OUTBOUND_TIMEOUT_SECONDS"])
    return LogWechatNotifier()


def wechat_client_from_config(config: dict) -> WechatClient:
    return HttpWechatClient(config["WECHAT_API_BASE"], config["WECHAT_APPID"],
                            config["WECHAT_SECRET"], config["OUTBOUND_TIMEOUT_SECONDS"])
