"""The real SMS and WeChat adapters against loopback HTTP servers speaking their protocols."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.gateways import GatewayError
from app.gateways.sms import HttpSmsSender, LogSmsSender, sign, sms_sender_from_config
from app.gateways.wechat import HttpWechatClient, WechatLoginRefused


@contextmanager
def serve(handler):
    seen = []

    @Request.application
    def app(request):
        seen.append(request)
        request.get_data()
        return handler(request)

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()


def test_sms_gateway_signs_the_body():
    with serve(lambda r: Response("ok", 200)) as (url, seen):
        HttpSmsSender(url + "/send", "s3cret").send("13800138000", "login_code", {"code": "123456"}, "验证码 123456")
    request = seen[0]
    body = request.get_data()
    assert request.headers["X-Signature"] == sign("s3cret", body)
    payload = json.loads(body)
    assert payload == {"phone": "13800138000", "template": "login_code", "params": {"code": "123456"},
                       "text": "验证码 123456"}
    assert "验证码".encode() in body  # UTF-8, not \u escapes


def test_sms_gateway_errors():
    with serve(lambda r: Response("no", 503)) as (url, _):
        with pytest.raises(GatewayError):
            HttpSmsSender(url, "s").send("13800138000", "t", {}, "x")
    with pytest.raises(GatewayError):
        HttpSmsSender("http://127.0.0.1:9/", "s", timeout=1).send("13800138000", "t", {}, "x")


def test_sms_sender_choice(caplog):
    assert isinstance(sms_sender_from_config({"SMS_GATEWAY_URL": None}), LogSmsSender)
    sender = sms_sender_from_config({"SMS_GATEWAY_URL": "http://x", "SMS_GATEWAY_SECRET": "s",
                                     "OUTBOUND_TIMEOUT_SECONDS": 2})
    assert isinstance(sender, HttpSmsSender)
    with caplog.at_level("WARNING", logger="onetrip.sms"):
        LogSmsSender().send("13800138000", "login_code", {"code": "1"}, "验证码 1")
    assert "验证码 1" in caplog.text


def test_wechat_jscode2session():
    def handler(request):
        args = request.args
        assert request.path == "/sns/jscode2session" and args["grant_type"] == "authorization_code"
        assert args["appid"] == "wxapp" and args["secret"] == "wxsecret"
        if args["js_code"] == "good":
            body = {"openid": "o-123", "session_key": "k"}
        else:
            body = {"errcode": 40029, "errmsg": "invalid code"}
        return Response(json.dumps(body), 200, content_type="text/plain")

    with serve(handler) as (url, _):
        client = HttpWechatClient(url, "wxapp", "wxsecret")
        assert client.openid_for("good") == "o-123"
        with pytest.raises(WechatLoginRefused):
            client.openid_for("bad")
    with serve(lambda r: Response("<html>", 200)) as (url, _):
        with pytest.raises(GatewayError):
            HttpWechatClient(url, "a", "b").openid_for("x")
    with serve(lambda r: Response("oops", 502)) as (url, _):
        with pytest.raises(GatewayError):
            HttpWechatClient(url, "a", "b").openid_for("x")
    with pytest.raises(GatewayError):
        HttpWechatClient("http://127.0.0.1:9", "a", "b", timeout=1).openid_for("x")


def test_wechat_subscribe_messages():
    from app.gateways.wechat import HttpWechatNotifier, LogWechatNotifier, wechat_notifier_from_config

    tokens = []

    def handler(request):
        if request.path == "/cgi-bin/token":
            tokens.append(1)
            return Response(json.dumps({"access_token": f"tok-{len(tokens)}", "expires_in": 7200}), 200)
        body = json.loads(request.get_data())
        if body["touser"] == "expired":
            return Response(json.dumps({"errcode": 42001, "errmsg": "access_token expired"}), 200)
        assert request.args["access_token"].startswith("tok-") and body["template_id"] == "tmpl"
        return Response(json.dumps({"errcode": 0, "errmsg": "ok"}), 200)

    with serve(handler) as (url, seen):
        notifier = HttpWechatNotifier(url, "wxapp", "secret", "tmpl")
        notifier.send("openid-1", "application_accepted", {"number": "330825-20261123-00001-3"}, "您的申请已受理")
        notifier.send("openid-1", "application_accepted", {"number": "n"}, "again")
        assert len(tokens) == 1  # the token is reused
        with pytest.raises(GatewayError):
            notifier.send("expired", "t", {}, "x")
        notifier.send("openid-1", "t", {}, "x")
        assert len(tokens) == 2  # an expired token is fetched again
    with serve(lambda r: Response(json.dumps({"errcode": 40013, "errmsg": "invalid appid"}), 200)) as (url, _):
        with pytest.raises(GatewayError):
            HttpWechatNotifier(url, "bad", "secret", "tmpl").send("o", "t", {}, "x")
    assert isinstance(wechat_notifier_from_config({"WECHAT_APPID": ""}), LogWechatNotifier)
    assert isinstance(wechat_notifier_from_config({
        "WECHAT_APPID": "a", "WECHAT_TEMPLATE_ID": "t", "WECHAT_API_BASE": "http://x", "WECHAT_SECRET": "s",
        "OUTBOUND_TIMEOUT_SECONDS": 1}), HttpWechatNotifier)


def test_the_log_line_a_newcomer_reads_is_the_one_the_readme_shows(caplog):
    """Without a gateway the login code is in the log exactly as README.md shows it."""
    import re
    from pathlib import Path

    from app.gateways.sms import LogSmsSender
    from app.services.identity import login_code_text

    shown = re.search(r'"message": "(SMS to [^"]*)"', (Path(__file__).parents[2] / "README.md").read_text()).group(1)
    code = re.search(r"验证码为 (\d{6})", shown).group(1)
    with caplog.at_level("WARNING", logger="onetrip.sms"):
        LogSmsSender().send("13800138000", "login_code", {"code": code}, login_code_text(code, 300))
    assert caplog.messages == [shown]
