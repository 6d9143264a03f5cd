"""Building test data through the API, as the phone and the desk do."""
from __future__ import annotations

import io

from PIL import Image

from tests.helpers import login_citizen, login_staff

RETIRE_FORM = {"applicant_name": "王建国", "applicant_id_number": "330825196603150011",
               "contact_phone": "13800138000", "retire_date": "2026-03-15", "bank_account": "6217001540000000001"}
BIRTH_FORM = {"baby_name": "王小宝", "baby_gender": "男", "birth_date": "2026-11-01", "mother_name": "李丽",
              "mother_id_number": "11010519491231002X", "father_name": "王强",
              "father_id_number": "330825199001010015", "contact_phone": "13800138000",
              "birth_hospital": "龙游县人民医院", "household_address": "龙游县东华街道兴龙路 1 号"}
ADDRESS = {"recipient": "王建国", "phone": "13800138000", "region_code": "330825",
           "detail": "浙江省衢州市龙游县龙洲街道荣昌路 1 号", "postcode": "324400"}


def jpeg(width: int = 64, height: int = 48, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def upload(client, headers, data: bytes | None = None, name: str = "scan.jpg", purpose: str = "material") -> int:
    answer = client.post("/api/v1/uploads/direct", headers=headers, content_type="multipart/form-data",
                         data={"purpose": purpose, "file": (io.BytesIO(data or jpeg()), name)})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def hall_id(client, code: str = "LY-ZWFW") -> int:
    return next(h["id"] for h in client.get("/api/v1/halls").json if h["code"] == code)


def id_number_for(phone: str) -> str:
    """A valid resident ID number of 龙游县 that no demo data-source record holds, one per test phone."""
    from datetime import date, timedelta

    from stdnum.cn import ric

    born = date(1986, 1, 1) + timedelta(days=int(phone[-8:]) % 9000)
    body = f"330825{born:%Y%m%d}{phone[-3:]}"
    return body + ric.calc_check_digit(body + "0")


def verified_citizen(client, sms, phone: str = "13800138000", name: str = "王建国") -> dict:
    """A citizen whose profile a clerk verified in person (实名): the one a case can be decided on."""
    citizen = login_citizen(client, sms, phone)
    profile = {"name": name, "id_number": id_number_for(phone)}
    assert client.patch("/api/v1/me", headers=citizen["headers"], json=profile).status_code == 200
    clerk = login_staff(client, "clerk")["headers"]
    verified = client.post(f"/api/v1/hall/citizens/{citizen['citizen']['id']}/verify-identity", headers=clerk,
                           json=profile)
    assert verified.status_code == 200 and verified.json["real_name_verified"], verified.json
    citizen["profile"] = profile
    return citizen


def ready_application(client, sms, *, bundle_code: str = "RETIRE", form: dict | None = None,
                      phone: str = "13800138000", delivery: str | None = "window",
                      verified: bool = True) -> tuple[dict, dict]:
    """A citizen's application with every field and material filled, not yet submitted; the citizen
    is real-name verified unless `verified=False`, and the form names them."""
    citizen = verified_citizen(client, sms, phone) if verified else login_citizen(client, sms, phone)
    headers = citizen["headers"]
    created = client.post("/api/v1/applications", headers=headers,
                          json={"bundle_code": bundle_code, "hall_id": hall_id(client)})
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    spec = {f["name"] for f in created.json["form_spec"]}
    values = form or (RETIRE_FORM if bundle_code == "RETIRE" else BIRTH_FORM)
    if verified and form is None:
        values = {**values, "applicant_name": citizen["profile"]["name"],
                  "applicant_id_number": citizen["profile"]["id_number"]}
    patched = client.patch(f"/api/v1/applications/{app_id}", headers=headers,
                           json={"form": {k: v for k, v in values.items() if k in spec}})
    assert patched.status_code == 200, patched.json
    file_id = upload(client, headers)
    for material in created.json["materials"]:
        attached = client.put(f"/api/v1/applications/{app_id}/materials/{material['code']}", headers=headers,
                              json={"upload_ids": [file_id]})
        assert attached.status_code == 200, attached.json
    if delivery == "post":
        assert client.put(f"/api/v1/applications/{app_id}/delivery", headers=headers,
                          json={"method": "post", "address": ADDRESS}).status_code == 200
    elif delivery == "window":
        assert client.put(f"/api/v1/applications/{app_id}/delivery", headers=headers,
                          json={"method": "window"}).status_code == 200
    return citizen, created.json


def submitted_and_accepted(client, sms, **kwargs) -> tuple[dict, dict, dict]:
    citizen, application = ready_application(client, sms, **kwargs)
    url = f"/api/v1/applications/{application['id']}"
    assert client.post(url + "/submit", headers=citizen["headers"]).status_code == 200
    clerk = login_staff(client, "clerk")
    accepted = client.post(f"/api/v1/hall/applications/{application['id']}/accept", headers=clerk["headers"],
                           json={})
    assert accepted.status_code == 200, accepted.json
    return citizen, application, clerk


def issued_certificate(client, sms) -> tuple[dict, dict, dict]:
    """A birth certificate (出生医学证明) issued into the wallet on approval: (citizen, application, license)."""
    citizen, application, _ = submitted_and_accepted(client, sms, bundle_code="BIRTH")
    health = login_staff(client, "reviewer-wjj")["headers"]
    sub = client.get("/api/v1/department/subcases", headers=health).json[0]
    assert client.post(f"/api/v1/department/subcases/{sub['id']}/approve", headers=health, json={}).status_code == 200
    wallet = client.get("/api/v1/elicenses", headers=citizen["headers"]).json
    return citizen, application, next(lic for lic in wallet if lic["type"] == "BIRTH_CERT")
