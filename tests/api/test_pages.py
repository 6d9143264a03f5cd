"""Pages people see: /v/{code} opened from an e-license QR code, and /docs with no internet."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import zxingcpp
from PIL import Image

from models.elicense import Elicense
from tests.factories import issued_certificate
from tests.helpers import app_now, assert_error


def page_of_qr(client, citizen, cert) -> str:
    """Decode the wallet's QR code as a phone camera would; the URL it opens."""
    png = client.get(f"/api/v1/elicenses/{cert['id']}/qrcode.png", headers=citizen["headers"])
    assert png.status_code == 200 and png.mimetype == "image/png"
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)).convert("L"))
    return found.text


def assert_page(answer, status: int):
    assert answer.status_code == status and answer.mimetype == "text/html"
    assert answer.mimetype_params["charset"] == "utf-8"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in answer.headers["Content-Security-Policy"]
    html = answer.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and '<html lang="zh-CN">' in html
    assert '<meta charset="utf-8">' in html and 'name="viewport" content="width=device-width' in html
    assert "<script" not in html and "http" not in html  # nothing to run, nothing fetched from elsewhere
    return html


def status_banner(html: str) -> tuple[str, str]:
    match = re.search(r'<section class="status (\w+)" role="status">.*?<strong class="word">(.+?)</strong>',
                      html, re.S)
    return match.group(1), match.group(2)


def test_the_qr_code_opens_the_verification_page(client, sms, today):
    citizen, _, cert = issued_certificate(client, sms)
    url = page_of_qr(client, citizen, cert)
    code = cert["verification_url"].rsplit("/", 1)[1]
    assert url.startswith("http") and url == cert["verification_url"].replace("/api/v1/verify/", "/v/")
    html = assert_page(client.get(urlsplit(url).path), 200)
    assert status_banner(html) == ("valid", "有效")
    assert "出生医学证明" in html and "王**" in html and "王小宝" not in html
    assert "龙游县卫生健康局" in html and "长期有效" in html
    shown = f"{today.year}年{today.month}月{today.day}日"
    assert cert["issued_on"] == today.isoformat() and f"<dd>{shown}</dd>" in html and f"核验日期 {shown}" in html
    assert code not in html  # the page never repeats the code
    assert client.get(f"/api/v1/verify/{code}").json["status"] == "valid"  # the API stays JSON


def test_expired_and_revoked_say_so_at_once(client, sms, db_session):
    citizen, _, cert = issued_certificate(client, sms)
    path = urlsplit(page_of_qr(client, citizen, cert)).path
    lic = db_session.get(Elicense, cert["id"])
    lic.issued_on, lic.valid_until = date(2010, 3, 1), date(2020, 2, 29)
    db_session.commit()
    html = assert_page(client.get(path), 200)
    assert status_banner(html) == ("expired", "已过期") and "2020年2月29日" in html and "2010年3月1日" in html
    lic.revoked_at = app_now() - timedelta(minutes=1)  # revocation wins over expiry
    db_session.commit()
    html = assert_page(client.get(path), 200)
    assert status_banner(html) == ("revoked", "已撤销") and "撤销" in html
    lic.valid_until = None
    db_session.commit()
    assert status_banner(assert_page(client.get(path), 200)) == ("revoked", "已撤销")


def test_unknown_code_is_an_html_404_in_the_same_style(client):
    html = assert_page(client.get("/v/not-a-real-code"), 404)
    assert status_banner(html) == ("unknown", "未找到")
    assert_error(client.get("/api/v1/verify/not-a-real-code"), 404, "not_found")


def test_everything_shown_is_escaped(client, sms, db_session):
    citizen, _, cert = issued_certificate(client, sms)
    lic = db_session.get(Elicense, cert["id"])
    lic.issuer = '<script>alert("x")</script>卫健局'
    lic.holder_name = "<b>王</b>小宝"
    db_session.commit()
    html = assert_page(client.get(urlsplit(page_of_qr(client, citizen, cert)).path), 200)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;卫健局" in html and "&lt;***" in html


def test_page_and_api_share_one_rate_limit(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_IP_LIMITS", "3/minute")
    answers = [client.get("/v/guess-1"), client.get("/api/v1/verify/guess-2"), client.get("/v/guess-3")]
    assert [a.status_code for a in answers] == [404, 404, 404]
    html = assert_page(client.get("/v/guess-4"), 429)
    assert status_banner(html) == ("muted", "请稍后")
    assert int(client.get("/v/guess-5").headers["Retry-After"]) > 0
    assert_error(client.get("/api/v1/verify/guess-6"), 429, "too_many_requests")


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_docs_work_with_no_internet(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    parser = _Assets()
    parser.feed(page.get_data(as_text=True))
    base = "http://localhost/docs"
    assets = [urljoin(base, url) for url in parser.urls]
    assert len(assets) == 3 and all(urlsplit(url).netloc == "localhost" for url in assets), assets
    kinds = set()
    for url in assets:
        answer = client.get(urlsplit(url).path)
        assert answer.status_code == 200 and len(answer.data) > 10_000, url
        kind = "js" if answer.mimetype in ("text/javascript", "application/javascript") else answer.mimetype
        kinds.add(kind)
        if kind == "js":
            assert b"SwaggerUI" in answer.data
    assert kinds == {"text/css", "js"}
    assert '"validatorUrl": null' in page.get_data(as_text=True)  # no badge fetched from swagger.io
    spec = client.get(urljoin(base, re.search(r'url: "([^"]+)"', page.get_data(as_text=True)).group(1)))
    assert spec.status_code == 200 and spec.json["info"]["title"]
    assert client.get("/docs/assets/../../app/config.py").status_code == 404
