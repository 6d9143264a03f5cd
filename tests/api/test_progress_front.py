"""Unchanged polls answered in front of Flask (app/progress_front.py): the same 304 Flask gives, header
for header, and only when every check Flask makes would pass. On SQLite the cache is made live by
hand after the first poll (there is no feed there; every change in these tests goes through the app,
which forgets what it changes itself); on PostgreSQL the feed makes it live."""
from __future__ import annotations

import pytest
from flask_jwt_extended import create_access_token

from tests.api.test_progress_edge import _At
from tests.conftest import H5_ORIGIN
from tests.factories import submitted_and_accepted
from tests.helpers import assert_error, bearer, login_citizen, login_staff

VARIANTS = [{}, {"Origin": H5_ORIGIN}, {"Origin": "https://evil.example"}, {"Accept-Language": "en"},
            {"Accept-Language": "en-US,en;q=0.9", "Origin": H5_ORIGIN}, {"Accept-Language": "zh-TW, fr;q=0.5"}]


def _front(app):
    from app.progress_front import ProgressFront

    layer = app.wsgi_app
    while not isinstance(layer, ProgressFront):
        layer = layer.wsgi_app
    return layer


@pytest.fixture
def polled(app, client, sms):
    """A case, its citizen, and a worker whose cache is live (PostgreSQL: by the feed)."""
    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138081")
    url = f"/api/v1/applications/{case['id']}/progress"
    assert client.get(url, headers=citizen["headers"]).status_code == 200  # the worker starts watching
    cache = app.extensions["onetrip"].progress_cache
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        cache.set_live(True)
    return citizen, case, clerk, url


def _poll(client, url, headers, etag):
    return client.get(url, headers={**headers, "If-None-Match": etag})


def _tag(client, url, headers):
    return client.get(url, headers=headers).headers["ETag"]


def _answered_in_front(app, client, url, headers, etag=None, tries: int = 200):
    """Polls (with If-None-Match: etag, unless None) until the front answers (news of the set-up
    may still arrive on PostgreSQL)."""
    front = _front(app)
    for _ in range(tries):
        before = front.answered
        answer = _poll(client, url, headers, etag) if etag else client.get(url, headers=headers)
        if front.answered > before:
            return answer
    raise AssertionError("never answered in front")


def _comparable(answer):
    return sorted((k, v) for k, v in answer.headers.items() if k != "X-Request-ID")


def test_the_front_gives_flask_s_answers_header_for_header(app, client, polled):
    citizen, case, clerk, url = polled
    front = _front(app)
    for variant in VARIANTS:
        headers = {**citizen["headers"], **variant}
        full = client.get(url, headers=headers)  # the first 200 from an Origin is Flask's
        etag = full.headers["ETag"]
        by_flask = _poll(client, url, headers, etag)  # and so is the first 304
        assert by_flask.status_code == 304
        by_front = _answered_in_front(app, client, url, headers, etag)
        assert by_front.status_code == 304 and by_front.get_data() == b""
        assert _comparable(by_front) == _comparable(by_flask), variant
        assert len(by_front.headers["X-Request-ID"]) == 32 and by_front.headers["X-Request-ID"] != by_flask.headers["X-Request-ID"]
        # A phone that keeps no ETag (or an old one): the body kept under the tag, as Flask gives it.
        for stale in (None, '"an-old-tag"'):
            body = _answered_in_front(app, client, url, headers, stale)
            assert body.status_code == 200 and body.get_data() == full.get_data(), variant
            assert _comparable(body) == _comparable(full), variant
    assert front.answered >= 3 * len(VARIANTS)
    traced = _poll(client, url, {**citizen["headers"], "X-Request-ID": "trace-front-1"}, _tag(client, url, citizen["headers"]))
    assert traced.status_code == 304 and traced.headers["X-Request-ID"] == "trace-front-1"


def test_the_front_never_answers_what_flask_would_not(app, client, sms, polled, monkeypatch):
    import app.auth as auth

    citizen, case, clerk, url = polled
    etag = _tag(client, url, citizen["headers"])
    _answered_in_front(app, client, url, citizen["headers"], etag)
    front = _front(app)

    def not_in_front(answer_of, status=None):
        before = front.answered
        answer = answer_of()
        assert front.answered == before
        if status is not None:
            assert answer.status_code == status
        return answer

    # Another citizen with the same ETag: the database decides (404), and keeps deciding.
    stranger = login_citizen(client, sms, "13800138082")
    for _ in range(2):
        assert_error(not_in_front(lambda: _poll(client, url, stranger["headers"], etag)), 404, "not_found")
    # A staff token: Flask says 403.
    assert_error(not_in_front(lambda: _poll(client, url, clerk["headers"], etag)), 403, "forbidden")
    # A token this process never verified (a forged one, or a fresh login): Flask checks it.
    with app.app_context():
        forged = create_access_token(identity=f"citizen:{case['applicant']['id']}")
    forged = forged[:-4] + ("AAAA" if not forged.endswith("AAAA") else "BBBB")
    assert_error(not_in_front(lambda: _poll(client, url, bearer(forged), etag)), 401, "token_invalid")
    # An expired token: 401 token_expired from Flask, not a 304.
    monkeypatch.setattr(auth, "time", _At(4102444800.0))  # 2100-01-01
    assert_error(not_in_front(lambda: _poll(client, url, citizen["headers"], etag)), 401, "token_expired")
    monkeypatch.undo()
    # A header over the limit: the contract's 431, from Flask.
    big = {**citizen["headers"], "X-Junk": "x" * (app.config["MAX_HEADER_BYTES"] + 1)}
    assert_error(not_in_front(lambda: _poll(client, url, big, etag)), 431, "request_header_too_large")
    # Another case of the same citizen's id space, an id out of range, a path with a prefix or a tail.
    for other in (url.replace(f"/{case['id']}/", f"/{case['id'] + 1000}/"), url + "/", url + "x",
                  "/api/v1/applications/0/progress"):
        not_in_front(lambda: _poll(client, other, citizen["headers"], etag))
    # HEAD.
    not_in_front(lambda: client.head(url, headers={**citizen["headers"], "If-None-Match": etag}))
    # A body not kept (the budget is spent elsewhere): Flask builds it.
    app.extensions["onetrip"].progress_cache._bodies.clear()
    rebuilt = not_in_front(lambda: client.get(url, headers=citizen["headers"]), 200)
    assert rebuilt.headers["ETag"] == etag


def test_a_change_through_the_app_is_never_answered_unchanged(app, client, polled):
    citizen, case, clerk, url = polled
    etag = _tag(client, url, citizen["headers"])
    _answered_in_front(app, client, url, citizen["headers"], etag)
    assert client.post(f"/api/v1/hall/applications/{case['id']}/visits", headers=clerk["headers"],
                       json={"purpose": "补交材料"}).status_code == 201
    after = _poll(client, url, citizen["headers"], etag)
    assert after.status_code == 200 and [v["purpose"] for v in after.json["visits"]] == ["补交材料"]


def test_a_new_day_or_a_calendar_read_again_goes_to_flask(app, client, polled, clock, monkeypatch):
    from app.services import calendar

    citizen, case, clerk, url = polled
    etag = _tag(client, url, citizen["headers"])
    _answered_in_front(app, client, url, citizen["headers"], etag)
    front = _front(app)
    monkeypatch.setattr(calendar._overrides, "_copies", {})  # the minute is up: Flask reads the calendar again
    before = front.answered
    assert _poll(client, url, citizen["headers"], etag).status_code == 304 and front.answered == before
    clock.advance(days=1)
    before = front.answered
    tomorrow = _poll(client, url, citizen["headers"], etag)
    assert tomorrow.status_code == 200 and front.answered == before


def test_a_rate_limited_or_cookie_answer_is_never_learned(app):
    """A limit later put on the view would show in its answer's headers: the front then stays out."""
    from app.progress_front import ProgressFront

    front = ProgressFront(lambda environ, start: start("304 NOT MODIFIED", [
        ("ETag", '"x"'), ("X-RateLimit-Remaining", "9"), ("Vary", "Origin")]) or [], app)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/applications/5/progress",
               "HTTP_IF_NONE_MATCH": '"x"'}
    front(environ, lambda *args: None)
    assert front._headers == {}
    front = ProgressFront(lambda environ, start: start("304 NOT MODIFIED", [("Vary", "Origin")]) or [], app)
    front(dict(environ), lambda *args: None)  # no ETag at all: not a progress 304 worth learning
    assert front._headers == {}
    for headers in ([("Content-Type", "application/json"), ("Content-Encoding", "gzip"), ("ETag", '"x"')],
                    [("Content-Type", "text/html"), ("ETag", '"x"')],
                    [("Content-Type", "application/json"), ("ETag", '"x"'), ("Set-Cookie", "a=b")]):
        front = ProgressFront(lambda environ, start, headers=headers: start("200 OK", headers) or [], app)
        front(dict(environ), lambda *args: None)  # a body in another form, or with a cookie
        assert front._headers == {}, headers


def test_the_language_is_flask_s(app):
    from app.web import language

    for header in ("", "en", "en-US,en;q=0.9", "zh-CN", "zh-TW, en;q=0.8", "fr", "en;q=0.1, zh;q=0.2", "*",
                   "en;q=0", "x" * 300):
        with app.test_request_context(headers={"Accept-Language": header} if header else {}):
            from app.web import request_lang

            assert language(header) == request_lang(), header
    assert [language(h) for h in ("", "en", "en-US,en;q=0.9", "zh-TW, en;q=0.8", "fr", "en;q=0.1, zh;q=0.2")] == [
        "zh-CN", "en", "en", "en", "zh-CN", "zh-CN"]  # zh-TW is neither zh-CN nor zh: English next


def test_writes_that_change_no_case_keep_the_memory(app, client, sms, polled, today):
    """A login, a new account, a new authorisation, a profile change: no case's tag moves, so the
    worker keeps what it knows (forgetting on every login would empty it all day long)."""
    from datetime import timedelta

    citizen, case, clerk, url = polled
    etag = _tag(client, url, citizen["headers"])
    _answered_in_front(app, client, url, citizen["headers"], etag)
    other = login_citizen(client, sms, "13800138083")
    assert client.post("/api/v1/authorizations", headers=citizen["headers"], json={
        "agent_phone": "13800138084", "scope": "any",
        "valid_until": (today + timedelta(days=30)).isoformat()}).status_code == 201
    login_staff(client, "clerk")
    front = _front(app)
    before = front.answered
    assert _poll(client, url, citizen["headers"], etag).status_code == 304
    assert front.answered == before + 1
    assert other
