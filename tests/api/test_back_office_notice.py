"""一次性告知 binds the back office: one department asks once, and the departments of a bundle that
ask on the same working day reach the citizen as one notice."""
from __future__ import annotations

from datetime import datetime, time

from app.clock import SHANGHAI
from tests.factories import jpeg, submitted_and_accepted, upload
from tests.helpers import assert_error, login_staff


def _subcase(client, headers) -> int:
    return client.get("/api/v1/department/subcases", headers=headers).json[0]["id"]


def _ask(client, headers, subcase_id, target, reason):
    return client.post(f"/api/v1/department/subcases/{subcase_id}/request-materials", headers=headers,
                       json={"problems": [{"target": target, "reason": reason}]})


def test_a_department_asks_once_unless_the_citizen_changed_what_it_uses(client, sms):
    citizen, app, _ = submitted_and_accepted(client, sms)
    url, headers = f"/api/v1/applications/{app['id']}", citizen["headers"]
    gjj, rsj = login_staff(client, "reviewer-gjj")["headers"], login_staff(client, "reviewer-rsj")["headers"]
    gjj_case, rsj_case = _subcase(client, gjj), _subcase(client, rsj)
    assert _ask(client, gjj, gjj_case, "BANK_CARD", "请提供一类银行卡").status_code == 200
    assert client.post(url + "/supply", headers=headers).status_code == 200  # nothing changed
    body = assert_error(_ask(client, gjj, gjj_case, "BANK_CARD", "还是要一类卡"), 409, "already_requested")
    assert body["errors"] == {"request_count": 1}
    assert _ask(client, gjj, gjj_case, "ID_CARD", "另一个问题").status_code == 409  # whatever the new problem

    # 人社 asks for the first time; the citizen sends a new bank card, which 公积金 uses too.
    assert _ask(client, rsj, rsj_case, "BANK_CARD", "账户已销户").status_code == 200
    new_card = upload(client, headers, jpeg(colour=(0, 90, 0)))
    assert client.put(url + "/materials/BANK_CARD", headers=headers, json={"upload_ids": [new_card]}).status_code == 200
    assert client.post(url + "/supply", headers=headers).status_code == 200
    again = _ask(client, gjj, gjj_case, "BANK_CARD", "新卡照片不清晰")  # about what changed: allowed
    assert again.status_code == 200 and again.json["status"] == "materials_requested"


def test_same_day_requests_of_a_bundle_make_one_notice(app, client, sms, clock, today):
    from app.extensions import db
    from app.services.outbox import deliver_due

    clock.set(datetime.combine(today, time(9, 0), SHANGHAI))
    citizen, application, _ = submitted_and_accepted(client, sms)
    sms.sent.clear()
    gjj, rsj, ybj = (login_staff(client, f"reviewer-{d}")["headers"] for d in ("gjj", "rsj", "ybj"))

    def worker():
        with app.app_context():
            deliver_due(session=db.session, clock=clock, sms=sms, wechat=None)
            db.session.remove()
        return [m["text"] for m in sms.sent if m["template"] == "materials_requested"]

    clock.set(datetime.combine(today, time(10, 0), SHANGHAI))
    assert _ask(client, gjj, _subcase(client, gjj), "BANK_CARD", "请提供一类银行卡").status_code == 200
    assert worker() == []  # 医保 and 人社 may still ask today: the notice waits for them
    clock.set(datetime.combine(today, time(15, 0), SHANGHAI))
    assert _ask(client, rsj, _subcase(client, rsj), "RETIRE_APPROVAL", "审批表缺少盖章").status_code == 200
    assert worker() == []
    # The phone shows it at once all the same.
    progress = client.get(f"/api/v1/applications/{application['id']}/progress", headers=citizen["headers"]).json
    assert progress["next_action"]["code"] == "supply_materials"
    assert sum(t["event"] == "request_materials" for t in progress["timeline"]) == 2  # each request on record

    clock.set(datetime.combine(today, time(17, 31), SHANGHAI))
    sent = worker()
    assert len(sent) == 1, sent
    assert "请提供一类银行卡" in sent[0] and "审批表缺少盖章" in sent[0]
    assert "住房公积金提取" in sent[0] and "基本养老保险待遇申领" in sent[0]
    assert client.get("/api/v1/department/subcases", headers=ybj).json[0]["status"] == "pending"


def test_the_notice_goes_at_once_when_no_other_department_can_still_ask(app, client, sms, clock, today):
    from app.extensions import db
    from app.services.outbox import deliver_due

    clock.set(datetime.combine(today, time(9, 0), SHANGHAI))
    citizen, application, _ = submitted_and_accepted(client, sms)
    for dept in ("rsj", "ybj"):
        headers = login_staff(client, f"reviewer-{dept}")["headers"]
        assert client.post(f"/api/v1/department/subcases/{_subcase(client, headers)}/approve", headers=headers,
                           json={}).status_code == 200
    gjj = login_staff(client, "reviewer-gjj")["headers"]
    clock.set(datetime.combine(today, time(10, 0), SHANGHAI))
    assert _ask(client, gjj, _subcase(client, gjj), "BANK_CARD", "请提供一类银行卡").status_code == 200
    with app.app_context():
        deliver_due(session=db.session, clock=clock, sms=sms, wechat=None)
        db.session.remove()
    assert [m["text"] for m in sms.sent if m["template"] == "materials_requested"][0].count("请提供一类银行卡") == 1
