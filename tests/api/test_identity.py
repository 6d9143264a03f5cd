"""Identity through HTTP: SMS codes, WeChat, staff passwords, refresh rotation, /me."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from models.citizen import Citizen, SmsCode
from models.staff import Staff
from tests.helpers import app_now, assert_error, bearer, login_citizen, login_staff

PHONE = "13800138000"


def test_sms_login_creates_citizen_once(client, sms):
    first = login_citizen(client, sms, PHONE)
    assert first["citizen"]["phone_masked"] == "138****8000"
    assert first["expires_in"] == 1800 and first["token_type"] == "Bearer"
    message = sms.sent[-1]
    assert message["template"] == "login_code" and message["phone"] == PHONE
    assert message["params"]["code"] in message["text"] and len(message["params"]["code"]) == 6
    me = client.get("/api/v1/me", headers=first["headers"])
    assert me.status_code == 200 and me.json["id"] == first["citizen"]["id"]


def test_phone_formats_share_one_account_and_one_budget(client, sms):
    again = login_citizen(client, sms, PHONE)
    answer = client.post("/api/v1/auth/sms-codes", json={"phone": "+86 138-0013-8000"},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert_error(answer, 429, "too_many_requests")
    assert again["citizen"]["id"]


def test_code_is_stored_hashed(client, sms, db_session):
    client.post("/api/v1/auth/sms-codes", json={"phone": PHONE})
    code = sms.last_code(PHONE)
    row = db_session.scalars(select(SmsCode)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64


def test_wrong_codes_burn_the_code_after_five(client, sms):
    client.post("/api/v1/auth/sms-codes", json={"phone": PHONE})
    good = sms.last_code(PHONE)
    wrong = "000000" if good != "000000" else "111111"
    lefts = []
    for _ in range(5):
        body = client.post("/api/v1/auth/citizen-tokens", json={"phone": PHONE, "code": wrong}).json
        lefts.append((body["error"], body["errors"]["attempts_left"]))
    assert lefts[:4] == [("sms_code_invalid", n) for n in (4, 3, 2, 1)]
    assert lefts[4] == ("sms_code_exhausted", 0)
    answer = client.post("/api/v1/auth/citizen-tokens", json={"phone": PHONE, "code": good})
    assert_error(answer, 401, "sms_code_exhausted")


def test_expired_code_is_refused(client, sms, db_session):
    client.post("/api/v1/auth/sms-codes", json={"phone": PHONE})
    db_session.execute(update(SmsCode).values(expires_at=app_now() - timedelta(seconds=1)))
    db_session.commit()
    answer = client.post("/api/v1/auth/citizen-tokens", json={"phone": PHONE, "code": sms.last_code(PHONE)})
    assert_error(answer, 401, "sms_code_expired")


def test_a_code_works_once(client, sms):
    client.post("/api/v1/auth/sms-codes", json={"phone": PHONE})
    body = {"phone": PHONE, "code": sms.last_code(PHONE)}
    assert client.post("/api/v1/auth/citizen-tokens", json=body).status_code == 200
    assert_error(client.post("/api/v1/auth/citizen-tokens", json=body), 401, "sms_code_invalid")


def test_code_without_request_is_invalid(client):
    answer = client.post("/api/v1/auth/citizen-tokens", json={"phone": PHONE, "code": "123456"})
    assert_error(answer, 401, "sms_code_invalid")


def test_sms_rate_limit_per_phone(client):
    assert client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}).status_code == 202
    second = client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert_error(second, 429, "too_many_requests")
    assert 0 < int(second.headers["Retry-After"]) <= 60


def test_sms_rate_limit_per_ip(client):
    """Twenty phones behind one hall's Wi-Fi each get a code in the same minute; the 21st waits."""
    ip = {"REMOTE_ADDR": "192.0.2.10"}
    for n in range(20):
        answer = client.post("/api/v1/auth/sms-codes", json={"phone": f"139001390{n:02d}"}, environ_base=ip)
        assert answer.status_code == 202, (n, answer.json)
    other = client.post("/api/v1/auth/sms-codes", json={"phone": "13700137000"}, environ_base=ip)
    assert_error(other, 429, "too_many_requests")
    assert int(other.headers["Retry-After"]) > 0


def test_sms_daily_limit_per_phone(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PHONE_LIMITS", "100/minute;10/day")
    for n in range(10):
        ip = {"REMOTE_ADDR": f"10.2.0.{n}"}
        assert client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}, environ_base=ip).status_code == 202
    eleventh = client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}, environ_base={"REMOTE_ADDR": "10.2.0.99"})
    assert_error(eleventh, 429, "too_many_requests")


def test_invalid_phone_is_422_and_not_counted(client):
    assert_error(client.post("/api/v1/auth/sms-codes", json={"phone": "12345"}), 422, "validation_failed")
    assert client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}).status_code == 202


def test_gateway_failure_is_502_and_not_counted(client, sms):
    sms.fail = True
    assert_error(client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}), 502, "sms_unavailable")
    sms.fail = False
    assert client.post("/api/v1/auth/sms-codes", json={"phone": PHONE}).status_code == 202


def test_new_code_replaces_old_one(client, sms):
    client.post("/api/v1/auth/sms-codes", json={"phone": PHONE})
    old = sms.last_code(PHONE)
    from app.extensions import limiter
    limiter.reset()
    client.post("/api/v1/auth/sms-codes", json={"phone": PHONE})
    new = sms.last_code(PHONE)
    if old != new:
        assert_error(client.post("/api/v1/auth/citizen-tokens", json={"phone": PHONE, "code": old}),
                     401, "sms_code_invalid")
    assert client.post("/api/v1/auth/citizen-tokens", json={"phone": PHONE, "code": new}).status_code == 200


def test_wechat_login(client, wechat):
    wechat.openids["js-1"] = "openid-abc"
    first = client.post("/api/v1/auth/wechat-tokens", json={"code": "js-1"})
    assert first.status_code == 200 and first.json["citizen"]["wechat_linked"] is True
    wechat.openids["js-2"] = "openid-abc"
    second = client.post("/api/v1/auth/wechat-tokens", json={"code": "js-2"})
    assert second.json["citizen"]["id"] == first.json["citizen"]["id"]
    assert_error(client.post("/api/v1/auth/wechat-tokens", json={"code": "js-1"}), 401, "wechat_login_failed")
    wechat.down = True
    assert_error(client.post("/api/v1/auth/wechat-tokens", json={"code": "js-3"}), 502, "wechat_unavailable")


def test_staff_login_answers_bindings(client):
    clerk = login_staff(client, "clerk")
    staff = clerk["staff"]
    assert staff["role"] == "clerk" and staff["hall_id"] and staff["region_code"] == "330825"
    assert staff["department_id"] is None and staff["carrier_id"] is None
    reviewer = login_staff(client, "reviewer-rsj")["staff"]
    assert reviewer["role"] == "reviewer" and reviewer["department_id"] and reviewer["hall_id"] is None
    assert login_staff(client, "courier")["staff"]["carrier_id"]
    assert login_staff(client, "supervisor")["staff"]["region_code"] == "330825"


def test_wrong_password_locks_the_account(client, db_session):
    wrong = {"username": "clerk", "password": "not-the-password"}
    for _ in range(4):
        assert_error(client.post("/api/v1/auth/staff-tokens", json=wrong), 401, "invalid_credentials")
    assert_error(client.post("/api/v1/auth/staff-tokens", json=wrong), 401, "invalid_credentials")
    right = client.post("/api/v1/auth/staff-tokens", json={"username": "clerk", "password": "Clerk#2026"})
    assert_error(right, 401, "invalid_credentials")  # locked: even the right password is refused
    staff = db_session.scalars(select(Staff).where(Staff.username == "clerk")).one()
    assert staff.locked_until is not None
    staff.locked_until = app_now() - timedelta(seconds=1)
    db_session.commit()
    assert client.post("/api/v1/auth/staff-tokens", json={"username": "clerk", "password": "Clerk#2026"}).status_code == 200


def test_a_locked_account_answers_like_an_unknown_name(client):
    """Finding 5: failures must not tell which staff usernames exist."""
    answers = {}
    for username in ("clerk", "no-such-clerk"):
        for _ in range(7):
            last = client.post("/api/v1/auth/staff-tokens", json={"username": username, "password": "guess-123"})
        answers[username] = (last.status_code, last.get_json(), sorted(k for k in last.headers.keys()
                                                                       if k.lower() != "content-length"))
    assert answers["clerk"] == answers["no-such-clerk"]
    assert answers["clerk"][0] == 401 and answers["clerk"][1]["error"] == "invalid_credentials"


def test_unknown_user_and_disabled_account(client, db_session):
    assert_error(client.post("/api/v1/auth/staff-tokens", json={"username": "nobody", "password": "x"}),
                 401, "invalid_credentials")
    tokens = login_staff(client, "clerk")
    db_session.execute(update(Staff).where(Staff.username == "clerk").values(active=False))
    db_session.commit()
    assert_error(client.post("/api/v1/auth/staff-tokens", json={"username": "clerk", "password": "Clerk#2026"}),
                 401, "account_disabled")
    assert_error(client.get("/api/v1/me", headers=tokens["headers"]), 401, "account_disabled")
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
                 401, "account_disabled")


def test_refresh_rotates_and_reuse_revokes_the_family(client, sms):
    first = login_citizen(client, sms, PHONE)
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200 and second.json["refresh_token"] != first["refresh_token"]
    assert second.json["citizen"]["id"] == first["citizen"]["id"]
    third = client.post("/api/v1/auth/refresh", json={"refresh_token": second.json["refresh_token"]})
    assert third.status_code == 200
    # The first token is presented again: someone copied it. The whole family dies.
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}),
                 401, "refresh_token_reused")
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": third.json["refresh_token"]}),
                 401, "refresh_token_reused")


def test_refresh_for_staff_and_unknown_token(client):
    staff = login_staff(client, "admin")
    answer = client.post("/api/v1/auth/refresh", json={"refresh_token": staff["refresh_token"]})
    assert answer.status_code == 200 and answer.json["staff"]["role"] == "admin"
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": "nope"}), 401, "refresh_token_invalid")


def test_expired_refresh_token(client, sms, db_session):
    from models.staff import RefreshToken

    tokens = login_citizen(client, sms, PHONE)
    db_session.execute(update(RefreshToken).values(expires_at=app_now() - timedelta(seconds=1)))
    db_session.commit()
    assert_error(client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
                 401, "refresh_token_expired")


def test_access_token_problems(client, app, sms):
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")
    assert_error(client.get("/api/v1/me", headers=bearer("garbage")), 401, "token_invalid")
    tokens = login_citizen(client, sms, PHONE)
    # A refresh token is not an access token.
    assert_error(client.get("/api/v1/me", headers=bearer(tokens["refresh_token"])), 401, "token_invalid")
    with app.app_context():
        from flask_jwt_extended import create_access_token

        expired = create_access_token(identity=f"citizen:{tokens['citizen']['id']}",
                                      expires_delta=timedelta(seconds=-5))
    assert_error(client.get("/api/v1/me", headers=bearer(expired)), 401, "token_expired")


def test_staff_cannot_use_citizen_endpoints(client):
    clerk = login_staff(client, "clerk")
    assert_error(client.get("/api/v1/me", headers=clerk["headers"]), 403, "forbidden")


def test_profile_validates_and_masks_the_id_number(client, sms, db_session):
    tokens = login_citizen(client, sms, PHONE)
    bad = client.patch("/api/v1/me", json={"id_number": "110105194912310021"}, headers=tokens["headers"])
    body = assert_error(bad, 422, "validation_failed")
    assert "校验位" in str(body["errors"])
    good = client.patch("/api/v1/me", json={"name": "张三", "id_number": "11010519491231002x"},
                        headers=tokens["headers"])
    assert good.status_code == 200
    assert good.json["id_number_masked"] == "1101**********002X"
    assert good.json["name"] == "张三" and good.json["real_name_verified"] is False
    assert "11010519491231002X" not in good.get_data(as_text=True)
    row = db_session.scalars(select(Citizen).where(Citizen.phone == PHONE)).one()
    assert b"11010519491231002X" not in row.id_number_cipher and "1949" not in row.id_number_hash
    etag = client.get("/api/v1/me", headers=tokens["headers"]).headers["ETag"]
    cached = client.get("/api/v1/me", headers={**tokens["headers"], "If-None-Match": etag})
    assert cached.status_code == 304


def test_real_residents_of_the_demo_county_can_enter_their_number(client, sms, clock):
    from app.clock import local_date

    """A 龙游 resident born in 1966 carries 330825, a code from 1985; a Hong Kong resident's permit
    says 810000; the field reported both refused."""
    tokens = login_citizen(client, sms, PHONE)
    answer = client.patch("/api/v1/me", json={"name": "张三", "id_number": "330825196603150011"},
                          headers=tokens["headers"])
    assert answer.status_code == 200 and answer.json["id_number_masked"] == "3308**********0011"
    other = login_citizen(client, sms, "13900139000")
    hk = client.patch("/api/v1/me", json={"id_number": "810000198001010014"}, headers=other["headers"])
    assert hk.status_code == 200
    # A birth date after today (by the app's clock) and a region code that never existed are named.
    from datetime import timedelta

    from stdnum.cn import ric

    # Noon of the --clock day: the clock runs during the test, and "tomorrow" read a second before
    # midnight is today by the time the request arrives.
    from datetime import time as time_of_day

    from app.clock import SHANGHAI

    clock.set(datetime.combine(local_date(clock()), time_of_day(12), tzinfo=SHANGHAI))
    born = (local_date(clock()) + timedelta(days=1)).strftime("%Y%m%d")
    future_number = f"330825{born}001" + ric.calc_check_digit(f"330825{born}0010")
    future = client.patch("/api/v1/me", json={"id_number": future_number}, headers=other["headers"])
    assert "出生日期" in str(assert_error(future, 422, "validation_failed")["errors"])
    nowhere = client.patch("/api/v1/me", json={"id_number": "339999197001010030"}, headers=other["headers"])
    assert "地区码" in str(assert_error(nowhere, 422, "validation_failed")["errors"])


def test_id_number_belongs_to_one_citizen(client, sms):
    first = login_citizen(client, sms, PHONE)
    second = login_citizen(client, sms, "13900139000")
    body = {"id_number": "11010519491231002X"}
    assert client.patch("/api/v1/me", json=body, headers=first["headers"]).status_code == 200
    assert_error(client.patch("/api/v1/me", json=body, headers=second["headers"]), 409, "id_number_taken")
    # Nothing of the second citizen's profile changed.
    assert client.get("/api/v1/me", headers=second["headers"]).json["id_number_masked"] is None


def test_verified_id_number_is_frozen(client, sms):
    tokens = login_citizen(client, sms, PHONE)
    profile = {"id_number": "11010519491231002X", "name": "李四"}
    client.patch("/api/v1/me", json=profile, headers=tokens["headers"])
    clerk = login_staff(client, "clerk")["headers"]
    assert client.post(f"/api/v1/hall/citizens/{tokens['citizen']['id']}/verify-identity", headers=clerk,
                       json=profile).status_code == 200
    same = client.patch("/api/v1/me", json=profile, headers=tokens["headers"])
    assert same.status_code == 200 and same.json["name"] == "李四" and same.json["real_name_verified"]
    assert_error(client.patch("/api/v1/me", json={"id_number": "330825199001010015"}, headers=tokens["headers"]),
                 409, "real_name_locked")
    assert_error(client.patch("/api/v1/me", json={"name": "李思"}, headers=tokens["headers"]), 409, "real_name_locked")
