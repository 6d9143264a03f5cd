"""Progress at the speed of the framework (issue 12): what every phone polls is answered in a
constant, small number of statements, and the shortcuts taken for it keep every check."""
from __future__ import annotations

import base64
import json

from tests.helpers import assert_error, bearer, login_citizen

PHONE = "13800138061"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class _At:
    def __init__(self, when: float):
        self.when = when

    def time(self) -> float:
        return self.when


def test_a_token_verified_once_still_expires(client, sms, monkeypatch):
    """The signature is checked once per process; the expiry on every request."""
    import app.auth as auth

    tokens = login_citizen(client, sms, PHONE)
    headers = bearer(tokens["access_token"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # verified, remembered
    exp = _claims(tokens["access_token"])["exp"]
    monkeypatch.setattr(auth, "time", _At(exp - 1))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    monkeypatch.setattr(auth, "time", _At(exp))
    assert_error(client.get("/api/v1/me", headers=headers), 401, "token_expired")


def test_a_token_for_no_account_is_refused(client, app):
    from flask_jwt_extended import create_access_token

    with app.app_context():
        token = create_access_token(identity="citizen:999999")
    for _ in range(2):  # verified, then remembered: the account is read every time
        assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "token_invalid")
