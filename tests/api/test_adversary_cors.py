"""Adversarial CORS checks: the origins list is a list of exact origins, never patterns.

flask-cors reads any origin holding one of `*\\]?$^[]()` as a regular expression matched at the
start only, so an IPv6 origin matched strangers and a `*.` host let look-alike domains in."""
from __future__ import annotations

import pytest

from app.config import ConfigError, load_config

PRE = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def _origins(raw: str) -> list[str]:
    return load_config({"SECRET_KEY": "k" * 32, "CORS_ORIGINS": raw})["CORS_ORIGINS"]


@pytest.mark.parametrize("raw", [
    "https://*.example.gov.cn",     # a pattern: would also admit https://a.example.gov.cn.evil.example
    "https://h5.example.gov.cn$",
    "https://exa mple.gov.cn",
    "https://h5.example.gov.cn:abc",
    "https://h5.example.gov.cn:99999",
    "https://user@h5.example.gov.cn",
    "https://h5.example.gov.cn?x=1",
    "https://h5.example.gov.cn#top",
    "https://[not-an-address]:8080",
    "null",
])
def test_cors_origins_that_are_not_plain_origins_refuse_to_start(raw):
    with pytest.raises(ConfigError, match="CORS_ORIGINS"):
        _origins(raw)


def test_cors_origins_are_written_as_browsers_send_them():
    assert _origins("HTTPS://H5.Example.gov.cn:443/, http://[::1]:8080 ,http://localhost:80, *") == [
        "https://h5.example.gov.cn", "http://[::1]:8080", "http://localhost", "*"]


def _app(database_url, tmp_path, origins):
    from app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": database_url,
                       "OBJECT_STORE": f"local:{tmp_path}", "CORS_ORIGINS": origins})


def test_an_ipv6_origin_matches_itself_and_nothing_else(database_url, tmp_path):
    client = _app(database_url, tmp_path, ["http://[::1]:8080"]).test_client()

    def allowed(origin):
        answer = client.options("/api/v1/auth/sms-codes", headers={"Origin": origin, **PRE})
        return answer.headers.get("Access-Control-Allow-Origin")

    assert allowed("http://[::1]:8080") == "http://[::1]:8080"
    for stranger in ("http://1:8080", "http://::8080", "http://[::1]:8080.evil.example", "http://[::2]:8080"):
        assert allowed(stranger) is None, stranger
