"""Contract details a newcomer guessed at: rate-limit headers on a sent SMS code, progress visits."""
from __future__ import annotations

from tests.factories import submitted_and_accepted
from tests.helpers import assert_error, login_staff


def test_a_sent_code_carries_rate_limit_headers_but_no_retry_after(client):
    sent = client.post("/api/v1/auth/sms-codes", json={"phone": "13800138301"}, environ_base={"REMOTE_ADDR": "10.9.9.1"})
    assert sent.status_code == 202
    assert int(sent.headers["X-RateLimit-Limit"]) >= 1 and "X-RateLimit-Remaining" in sent.headers
    assert "Retry-After" not in sent.headers
    refused = client.post("/api/v1/auth/sms-codes", json={"phone": "13800138301"},
                          environ_base={"REMOTE_ADDR": "10.9.9.1"})
    assert_error(refused, 429, "too_many_requests")
    assert int(refused.headers["Retry-After"]) > 0


def test_progress_lists_visits_and_counts_them(client, sms):
    citizen, app, clerk = submitted_and_accepted(client, sms, phone="13800138302")
    url = f"/api/v1/applications/{app['id']}/progress"
    before = client.get(url, headers=citizen["headers"]).json
    assert before["visits"] == [] and before["visit_count"] == 0 and before["zero_trip"] is True
    client.post(f"/api/v1/hall/applications/{app['id']}/visits", headers=clerk["headers"], json={"purpose": "核验原件"})
    after = client.get(url, headers=citizen["headers"]).json
    assert after["visit_count"] == 1 and after["at_most_one_trip"] and not after["zero_trip"]
    assert after["visits"][0]["hall"] == "龙游县政务服务中心" and after["visits"][0]["purpose"] == "核验原件"
    schema = client.get("/openapi.json").json["components"]["schemas"]["Progress"]["properties"]
    assert "trip" in schema["visits"]["description"] and schema["visit_count"]["description"]
