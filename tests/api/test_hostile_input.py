"""Hostile JSON at the edge and retries that must not duplicate (findings 6 and 8)."""
from __future__ import annotations

from sqlalchemy import func, select

from models.application import Application
from tests.factories import hall_id
from tests.helpers import assert_error, login_citizen, login_staff

SURROGATE = '{"form": {"father_name": "\\udfff"}}'


def _post_raw(client, url: str, body: str, headers: dict | None = None):
    return client.post(url, data=body.encode(), content_type="application/json", headers=headers or {})


def test_a_lone_surrogate_is_refused_and_breaks_no_inbox(client, sms):
    citizen = login_citizen(client, sms)["headers"]
    created = client.post("/api/v1/applications", headers=citizen,
                          json={"bundle_code": "BIRTH", "hall_id": hall_id(client)})
    url = f"/api/v1/applications/{created.json['id']}"
    assert_error(client.patch(url, data=SURROGATE.encode(), content_type="application/json", headers=citizen),
                 400, "malformed_json")
    body = '{"bundle_code": "BIRTH", "form": {"father_name": "\\ud800x"}}'
    assert_error(_post_raw(client, "/api/v1/applications", body, citizen), 400, "malformed_json")
    # Nothing was stored: every view of the citizen and of the region still answers.
    assert client.get(url, headers=citizen).status_code == 200
    assert client.get("/api/v1/applications", headers=citizen).status_code == 200
    assert client.get("/api/v1/hall/applications", headers=login_staff(client, "clerk")["headers"]).status_code == 200
    # A proper pair (an emoji) is fine.
    fine = client.patch(url, headers=citizen, json={"form": {"father_name": "王强\U0001F600"}})
    assert fine.status_code == 200 and fine.json["form"]["father_name"] == "王强\U0001F600"


def test_deep_nesting_and_huge_numbers_answer_400_even_before_login(client):
    deep = "[" * 10000 + "]" * 10000
    for url in ("/api/v1/auth/sms-codes", "/api/v1/auth/staff-tokens"):
        assert_error(_post_raw(client, url, deep), 400, "malformed_json")
        assert_error(_post_raw(client, url, '{"phone": ' + "9" * 5000 + "}"), 400, "malformed_json")
        nested = '{"phone": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}"
        assert_error(_post_raw(client, url, nested), 400, "malformed_json")


def test_hostile_bodies_with_an_idempotency_key(client, sms):
    citizen = login_citizen(client, sms)["headers"]
    headers = {**citizen, "Idempotency-Key": "hostile-1"}
    assert_error(_post_raw(client, "/api/v1/applications", "[" * 5000 + "]" * 5000, headers), 400, "malformed_json")
    assert_error(_post_raw(client, "/api/v1/applications", SURROGATE, headers), 400, "malformed_json")
    ok = client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"})
    assert ok.status_code == 201  # the refusals did not hold the key


def test_work_that_committed_is_never_done_twice(client, sms, app, db_session, monkeypatch):
    """Finding 6: the key was freed on any exception, even after the work committed; 3 retries
    made 3 applications."""
    from app.services import applications as service

    citizen = login_citizen(client, sms)["headers"]
    real = service.create_application

    def create_then_fail(**kwargs):
        real(**kwargs)  # commits
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(service, "create_application", create_then_fail)
    headers = {**citizen, "Idempotency-Key": "weak-network-1"}
    answers = [client.post("/api/v1/applications", headers=headers, json={"item_code": "RSJ-YLJ-001"})
               for _ in range(3)]
    assert_error(answers[0], 500, "internal_error")
    for retry in answers[1:]:
        assert_error(retry, 409, "conflict")
    assert db_session.scalar(select(func.count()).select_from(Application)) == 1
