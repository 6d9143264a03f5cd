"""An upload form can be used once (finding 2), on the local store and on SeaweedFS: after
`complete`, what is served is the checked file and matches the recorded sha256."""
from __future__ import annotations

import hashlib
import io
import zipfile

from storage.local import LocalObjectStore
from tests.factories import jpeg
from tests.helpers import login_citizen, post_presigned


def _polyglot() -> bytes:
    """A real JPEG with a script and a ZIP appended."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("run.html", "<script>alert(document.cookie)</script>")
    return jpeg(colour=(10, 200, 10)) + b"<script>alert(1)</script>" + archive.getvalue()


def _download(client, store, url: str):
    if isinstance(store, LocalObjectStore):
        answer = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
        return answer.data, answer.headers
    import requests

    answer = requests.get(url, timeout=10)
    return answer.content, answer.headers


def test_a_form_used_again_after_complete_changes_nothing_served(client, sms, app_store):
    headers = login_citizen(client, sms)["headers"]
    form = client.post("/api/v1/uploads", headers=headers, json={
        "filename": "id.jpg", "content_type": "image/jpeg", "size": 200_000, "purpose": "material"}).json
    assert post_presigned(client, app_store, form["url"], form["fields"], jpeg(), "image/jpeg") == 204
    done = client.post(f"/api/v1/uploads/{form['id']}/complete", headers=headers)
    assert done.status_code == 200, done.json
    recorded = done.json["sha256"]
    # The attacker posts the same form again while it is still valid.
    post_presigned(client, app_store, form["url"], form["fields"], _polyglot(), "image/jpeg")
    again = client.post(f"/api/v1/uploads/{form['id']}/complete", headers=headers)
    assert again.status_code == 200 and again.json["sha256"] == recorded
    url = client.get(f"/api/v1/uploads/{form['id']}", headers=headers).json["url"]
    served, response_headers = _download(client, app_store, url)
    assert hashlib.sha256(served).hexdigest() == recorded
    assert b"<script>" not in served and b"PK\x03\x04" not in served
    assert response_headers["Content-Type"] == "image/jpeg"
    if isinstance(app_store, LocalObjectStore):
        assert response_headers["X-Content-Type-Options"] == "nosniff"
    # The signed key no longer names the served file.
    assert form["fields"]["key"] not in url
