"""委托代办 over HTTP: a principal authorises an agent's phone; the agent applies for them and
follows the case; revoking (or expiry) stops the agent at once; only the principal rates."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.notification import Notification
from tests.factories import RETIRE_FORM, hall_id, id_number_for, upload, verified_citizen
from tests.helpers import assert_error, login_citizen, login_staff

PARENT, CHILD, STRANGER = "13800138000", "13900139000", "13700137000"


def _grant(client, principal, today, *, scope="any", days=30, phone=CHILD):
    answer = client.post("/api/v1/authorizations", headers=principal["headers"],
                         json={"agent_phone": phone, "scope": scope,
                               "valid_until": (today + timedelta(days=days)).isoformat()})
    assert answer.status_code == 201, answer.json
    return answer.json


def _agent_application(client, sms, today, **grant):
    parent = verified_citizen(client, sms, PARENT)  # a case is decided only on a real-name verified applicant
    granted = _grant(client, parent, today, **grant)
    child = login_citizen(client, sms, CHILD)
    created = client.post("/api/v1/applications", headers=child["headers"],
                          json={"bundle_code": "RETIRE", "hall_id": hall_id(client), "on_behalf_of": granted["id"]})
    assert created.status_code == 201, created.json
    return parent, child, granted, created.json


def _fill_and_submit(client, headers, application):
    url = f"/api/v1/applications/{application['id']}"
    form = {**RETIRE_FORM, "applicant_id_number": id_number_for(PARENT)}  # the principal, as verified
    assert client.patch(url, headers=headers, json={"form": form}).status_code == 200
    file_id = upload(client, headers)
    for material in application["materials"]:
        answer = client.put(f"{url}/materials/{material['code']}", headers=headers, json={"upload_ids": [file_id]})
        assert answer.status_code == 200, answer.json
    assert client.put(f"{url}/delivery", headers=headers, json={"method": "window"}).status_code == 200
    submitted = client.post(f"{url}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def test_grant_list_and_shape(client, sms, today):
    parent = login_citizen(client, sms, PARENT)
    granted = _grant(client, parent, today, scope={"item_codes": ["RSJ-YLJ-001"]})
    assert granted["direction"] == "granted" and granted["status"] == "active"
    assert granted["agent_phone_masked"] == "139****9000"
    assert granted["scope"] == {"any": False, "item_codes": ["RSJ-YLJ-001"], "bundle_codes": []}
    child = login_citizen(client, sms, CHILD)
    received = client.get("/api/v1/authorizations", headers=child["headers"]).json
    assert [(a["id"], a["direction"], a["principal_phone_masked"]) for a in received] == [
        (granted["id"], "received", "138****8000")]
    # Bad input: clear errors, nothing saved.
    bad = [({"agent_phone": PARENT, "scope": "any"}, "agent_is_principal"),
           ({"agent_phone": CHILD, "scope": {"item_codes": ["NOPE"]}}, "unknown_reference"),
           ({"agent_phone": CHILD, "scope": {"item_codes": ["RSJ-YLJ-001"], "any": True}}, "validation_failed"),
           ({"agent_phone": "12345", "scope": "any"}, "validation_failed")]
    for body, code in bad:
        assert_error(client.post("/api/v1/authorizations", headers=parent["headers"],
                                 json={**body, "valid_until": (today + timedelta(days=5)).isoformat()}), 422, code)
    assert_error(client.post("/api/v1/authorizations", headers=parent["headers"],
                             json={"agent_phone": CHILD, "scope": "any",
                                   "valid_until": (today - timedelta(days=1)).isoformat()}), 422, "validation_failed")
    assert len(client.get("/api/v1/authorizations", headers=parent["headers"]).json) == 1
    # Only the principal revokes; a stranger (or the agent) is told it does not exist.
    assert_error(client.delete(f"/api/v1/authorizations/{granted['id']}", headers=child["headers"]), 404, "not_found")


def test_agent_applies_and_both_follow_the_case_until_revoked(client, sms, today, db_session):
    parent, child, granted, application = _agent_application(client, sms, today)
    assert application["channel"] == "agent" and application["on_behalf_of"] == granted["id"]
    assert application["applicant"]["phone_masked"] == "138****8000"
    assert application["submitted_by"]["phone_masked"] == "139****9000"
    submitted = _fill_and_submit(client, child["headers"], application)
    assert submitted["status"] == "submitted"
    # The principal reads the file the agent attached.
    agent_file = submitted["materials"][0]["upload_ids"][0]
    assert client.get(f"/api/v1/uploads/{agent_file}", headers=parent["headers"]).status_code == 200
    url = f"/api/v1/applications/{application['id']}"
    for who in (parent, child):
        assert [a["id"] for a in client.get("/api/v1/applications", headers=who["headers"]).json] == [application["id"]]
        assert client.get(f"{url}/progress", headers=who["headers"]).json["stage"] == "等待窗口受理"
    stranger = login_citizen(client, sms, STRANGER)
    assert_error(client.get(url, headers=stranger["headers"]), 404, "not_found")

    clerk = login_staff(client, "clerk")["headers"]
    assert client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk, json={}).status_code == 200
    # The principal is told at every step, the agent's creating included.
    told = db_session.scalars(select(Notification.template).where(
        Notification.application_id == application["id"]).order_by(Notification.id)).all()
    assert told == ["agent_started", "application_submitted", "application_accepted"]
    assert set(db_session.scalars(select(Notification.citizen_id).where(
        Notification.application_id == application["id"]))) == {application["applicant"]["id"]}

    # Revoked mid-case: the agent loses access at once, on every path; the principal keeps it.
    assert client.delete(f"/api/v1/authorizations/{granted['id']}", headers=parent["headers"]).status_code == 204
    for method, path, body in (("get", url, None), ("get", f"{url}/progress", None),
                               ("patch", url, {"form": RETIRE_FORM}), ("post", f"{url}/withdraw", None),
                               ("put", f"{url}/delivery", {"method": "window"})):
        assert_error(getattr(client, method)(path, headers=child["headers"], json=body), 404, "not_found")
    assert client.get("/api/v1/applications", headers=child["headers"]).json == []
    assert client.get(f"{url}/progress", headers=parent["headers"]).status_code == 200
    listed = client.get("/api/v1/authorizations", headers=parent["headers"]).json
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_at"]
    # Revoking again changes nothing; a new application under it is refused.
    assert client.delete(f"/api/v1/authorizations/{granted['id']}", headers=parent["headers"]).status_code == 204
    assert_error(client.post("/api/v1/applications", headers=child["headers"],
                             json={"item_code": "RSJ-YLJ-001", "on_behalf_of": granted["id"]}),
                 422, "authorization_invalid")


def test_expiry_scope_and_only_the_principal_rates(client, sms, today, clock):
    parent, child, granted, application = _agent_application(client, sms, today, scope={"bundle_codes": ["RETIRE"]},
                                                             days=2)
    _fill_and_submit(client, child["headers"], application)
    assert_error(client.post("/api/v1/applications", headers=child["headers"],
                             json={"bundle_code": "BIRTH", "on_behalf_of": granted["id"]}),
                 422, "authorization_out_of_scope")
    stranger = login_citizen(client, sms, STRANGER)
    assert_error(client.post("/api/v1/applications", headers=stranger["headers"],
                             json={"bundle_code": "RETIRE", "on_behalf_of": granted["id"]}),
                 422, "authorization_invalid")
    clerk = login_staff(client, "clerk")["headers"]
    assert client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk, json={}).status_code == 200
    for reviewer in ("reviewer-rsj", "reviewer-ybj", "reviewer-gjj"):
        headers = login_staff(client, reviewer)["headers"]
        sub = client.get("/api/v1/department/subcases", headers=headers).json[0]
        assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=headers, json={}).status_code == 200
    url = f"/api/v1/applications/{application['id']}"
    assert client.get(url, headers=child["headers"]).json["status"] == "completed"
    # Only the principal rates.
    assert_error(client.post(f"{url}/evaluation", headers=child["headers"], json={"score": 5}), 404, "not_found")
    # The last valid day still works; the day after, the agent is a stranger again.
    clock.advance(days=2)
    assert client.get(url, headers=child["headers"]).status_code == 200
    clock.advance(days=1)
    assert_error(client.get(url, headers=child["headers"]), 404, "not_found")
    assert client.get("/api/v1/authorizations", headers=parent["headers"]).json[0]["status"] == "expired"
    rated = client.post(f"{url}/evaluation", headers=parent["headers"], json={"score": 5})
    assert rated.status_code == 201, rated.json


def test_statistics_count_each_channel(client, sms, today):
    """One case by phone, one by an agent, one assisted at the window: the channels are told apart."""
    from tests.api.test_help_points import submitted_at

    submitted_at(client, sms, "RSJ-YLJ-001", "LY-ZWFW", phone="13800138009")  # mobile
    _, child, _, application = _agent_application(client, sms, today)
    _fill_and_submit(client, child["headers"], application)  # agent
    clerk = login_staff(client, "clerk")["headers"]
    draft = client.post("/api/v1/hall/assisted-applications", headers=clerk,
                        json={"citizen_phone": "13600136000", "item_code": "RSJ-YLJ-001"}).json
    base = f"/api/v1/hall/assisted-applications/{draft['id']}"
    assert client.post(f"{base}/confirm", headers=clerk, json={"code": sms.last_code("13600136000")}).status_code == 200
    assert client.patch(base, headers=clerk, json={"form": RETIRE_FORM}).status_code == 200
    scan = upload(client, clerk)
    for material in draft["materials"]:
        assert client.put(f"{base}/materials/{material['code']}", headers=clerk, json={"upload_ids": [scan]}
                          ).status_code == 200
    assert client.put(f"{base}/delivery", headers=clerk, json={"method": "window"}).status_code == 200
    assert client.post(f"{base}/submit", headers=clerk, json={}).status_code == 200  # assisted
    supervisor = login_staff(client, "supervisor")["headers"]
    stats = client.get("/api/v1/supervision/stats", headers=supervisor).json
    assert stats["applications"] == 3
    assert (stats["channel_mobile_rate"], stats["channel_agent_rate"], stats["channel_assisted_rate"]) == (
        0.3333, 0.3333, 0.3333)
    assert stats["mobile_rate"] == stats["channel_mobile_rate"]  # honest: assisted and agent cases are not counted


def test_citizen_lists_do_not_grow_with_agents(app, client, sms, today):
    """An agent's list (cases of several principals) and the authorisations list: constant statements."""
    from tests.api.test_list_statements import _statements

    child = login_citizen(client, sms, CHILD)
    for n in range(3):
        principal = login_citizen(client, sms, f"1380013801{n}")
        granted = _grant(client, principal, today)
        assert client.post("/api/v1/applications", headers=child["headers"],
                           json={"item_code": "RSJ-YLJ-001", "on_behalf_of": granted["id"]}).status_code == 201
    for url in ("/api/v1/applications", "/api/v1/authorizations"):
        one, small = _statements(app, client, f"{url}?page_size=1", child["headers"])
        rows, large = _statements(app, client, f"{url}?page_size=50", child["headers"])
        assert (one, rows) == (1, 3) and large == small, (url, small, large)
