"""Progress follows Accept-Language: stage, next action and timeline in English on request."""
from __future__ import annotations

import re

from tests.factories import submitted_and_accepted
from tests.helpers import login_staff

CJK_OUTSIDE_NAMES = re.compile(r"[\u4e00-\u9fff]")


def test_progress_in_english_keeps_catalogue_names_as_published(client, sms):
    citizen, app, clerk = submitted_and_accepted(client, sms, phone="13800138401")
    gjj = login_staff(client, "reviewer-gjj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=gjj).json[0]
    client.post(f"/api/v1/department/subcases/{sub['id']}/request-materials", headers=gjj,
                json={"problems": [{"target": "BANK_CARD", "reason": "card expired"}]})
    client.post(f"/api/v1/hall/applications/{app['id']}/visits", headers=clerk["headers"], json={"purpose": "ID check"})
    url = f"/api/v1/applications/{app['id']}/progress"
    zh = client.get(url, headers=citizen["headers"])
    en = client.get(url, headers={**citizen["headers"], "Accept-Language": "en"})
    assert zh.json["stage"] == "部门审核中" and en.json["stage"] == "Under review by the departments"
    assert en.json["next_action"]["code"] == "supply_materials"
    assert en.json["next_action"]["message"].startswith("The departments asked for materials")
    assert zh.json["next_action"]["message"] == "部门要求补充材料，请补充后确认"
    assert len(en.json["timeline"]) == len(zh.json["timeline"]) >= 5
    names = sorted([m["name"] for m in app["materials"]] + [app["title"], "龙游县政务服务中心"], key=len, reverse=True)
    for english in en.json["timeline"]:
        # only catalogue names (in 「」, material names, the title) and hall names stay Chinese
        stripped = re.sub(r"「[^」]*」", "", english["message"])
        for name in names:
            stripped = stripped.replace(name, "")
        assert not CJK_OUTSIDE_NAMES.search(stripped), english["message"]
    assert any("「住房公积金提取」 needs materials: BANK_CARD：card expired" in t["message"]
               for t in en.json["timeline"])
    assert en.headers["ETag"] != zh.headers["ETag"] and "Accept-Language" in en.headers["Vary"]
    again = client.get(url, headers={**citizen["headers"], "Accept-Language": "en",
                                     "If-None-Match": zh.headers["ETag"]})
    assert again.status_code == 200  # a zh copy is not the English answer
