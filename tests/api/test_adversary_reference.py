"""The progress tag's reference version under attack (commit c76814f: the catalogue's names a body
shows and the holiday calendar, remembered once a minute per process and database, forgotten at once
on news that anything may have changed).

The promise attacked: a rename never leaves a phone with a 304 and the old name for longer than
promised (in the worker that heard of it: never; in another: the minute), on SQLite and PostgreSQL,
whether Flask or ProgressFront answers; and a tag that settles when nothing changes.
"""
from __future__ import annotations

from sqlalchemy import update

from tests.factories import submitted_and_accepted


def _rename_item_behind(app, code: str, name: str) -> None:
    """Another request thread of this worker (or another worker heard through the feed) commits a
    rename: the database has it and the cache is told that anything may have changed."""
    from app.extensions import db
    from models.catalogue import Item

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(Item).where(Item.code == code).values(main_name=name))
    app.extensions["onetrip"].progress_cache.forget(None)


def test_a_rename_heard_while_the_names_are_read_is_not_forgotten(app, client, sms, monkeypatch):
    """A poll reads the names (its minute is up); before it keeps what it read, a rename commits and
    the news arrives (hear_own_commits in another thread, or the watcher's `*`). The copy read before
    the news must not be kept as fresh: it was, so every poll of the next minute was told 304 with
    the old name by the very worker that heard of the rename."""
    from app.services import progress

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138201")
    url = f"/api/v1/applications/{case['id']}/progress"
    first = client.get(url, headers=citizen["headers"])
    code = first.json["subcases"][0]["item_code"]
    read = progress._names._read

    def read_then_news(session):
        found = read(session)
        _rename_item_behind(app, code, "读名时改的名")
        return found

    monkeypatch.setattr(progress._names, "_read", read_then_news)
    progress._names.forget()  # the minute is up
    during = client.get(url, headers={**citizen["headers"], "If-None-Match": first.headers["ETag"]})
    assert during.status_code in (200, 304)  # the rename raced this poll: either is honest
    monkeypatch.setattr(progress._names, "_read", read)
    after = client.get(url, headers={**citizen["headers"], "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200, "the names read before the news were kept: 304 and the old name"
    assert after.json["subcases"][0]["item_name"] == "读名时改的名"


def _rename_item_unheard(app, code: str, name: str) -> None:
    """Another worker renames (on SQLite no news reaches this one: its minute must do)."""
    from app.extensions import db
    from models.catalogue import Item

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(Item).where(Item.code == code).values(main_name=name))


def test_a_rename_undone_within_the_minute_leaves_no_body_under_the_old_tag(app, client, sms):
    """Renamed and renamed back by another worker within this worker's minute: a body built meanwhile
    shows the new name but was tagged with the names remembered from before it (the same names as
    after the undo). Kept and given under that tag, the phone (and every phone without an ETag) kept
    the undone name for the life of the case: 304 to its tag, the kept body to the others."""
    from app.services import progress

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138202")
    url = f"/api/v1/applications/{case['id']}/progress"
    first = client.get(url, headers=citizen["headers"])  # the names are remembered
    code, name = first.json["subcases"][0]["item_code"], first.json["subcases"][0]["item_name"]
    english = {**citizen["headers"], "Accept-Language": "en"}
    _rename_item_unheard(app, code, "一时的名")
    during = client.get(url, headers=english)  # a body built now shows the new name
    assert during.status_code == 200
    _rename_item_unheard(app, code, name)  # and undone, before this worker's minute is up
    progress._names.forget()  # the minute is up: the names are read again (the same as remembered)
    kept = client.get(url, headers={**english, "If-None-Match": during.headers.get("ETag", '"none"')})
    assert kept.status_code == 200 and kept.json["subcases"][0]["item_name"] == name, \
        "told 304 (or given the kept body) with the undone name"
    plain = client.get(url, headers=english)
    assert plain.json["subcases"][0]["item_name"] == name, "another phone given the body kept with the undone name"
    assert client.get(url, headers={**english, "If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_postgres_a_department_renamed_at_psql_reaches_a_phone_answered_in_front(app, client, sms, pg_url):
    """On PostgreSQL the watcher hears `*` from the departments' trigger: a phone whose polls the
    front answers from memory (no statement, no Flask) gets the new name without waiting out the
    minute, in zh-CN and in English, and its new tag settles."""
    from sqlalchemy import text

    from tests.api.test_adversary_progress_cache import _outside, _watched_from_memory
    from tests.api.test_progress_cache import _poll_until
    from tests.api.test_progress_front import _answered_in_front

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138203")
    url, cached, watcher = _watched_from_memory(app, client, case["id"], citizen["headers"])
    english = {**citizen["headers"], "Accept-Language": "en"}
    english_tag = client.get(url, headers=english).headers["ETag"]
    _answered_in_front(app, client, url, cached, cached["If-None-Match"])
    department = client.get(url, headers=citizen["headers"]).json["subcases"][0]["department"]
    with _outside(pg_url).connect() as conn:
        conn.execute(text("UPDATE departments SET name = '在psql改名的部门' WHERE code = :code"), {"code": department})

    def renamed(headers):
        answer = client.get(url, headers=headers)
        return answer if answer.status_code == 200 and answer.json["subcases"][0]["department_name"] \
            == "在psql改名的部门" else None

    zh = _poll_until(lambda: renamed(cached), "the renamed department, not 304")
    en = _poll_until(lambda: renamed({**english, "If-None-Match": english_tag}), "the renamed department in English")
    assert en.headers["ETag"] != zh.headers["ETag"]
    for headers, answer in ((citizen["headers"], zh), (english, en)):
        again = _answered_in_front(app, client, url, headers, answer.headers["ETag"])
        assert again.status_code == 304  # the new tag holds, answered from memory again


def test_a_poll_when_the_minute_is_up_is_bounded_and_the_tag_settles(app, client, sms):
    """When the copies are gone (the minute is up, or news of `*`): a 304 costs the stamp and one read
    each of the calendar and the names, and the tag is the same (nothing changed); the next poll is
    back to at most one statement."""
    from app.services.remembered import forget_all
    from tests.api.test_progress_edge import _count

    citizen, case, clerk = submitted_and_accepted(client, sms, phone="13800138204")
    url = f"/api/v1/applications/{case['id']}/progress"
    tag = client.get(url, headers=citizen["headers"]).headers["ETag"]
    cached = {**citizen["headers"], "If-None-Match": tag}
    for _ in range(2):
        forget_all()
        answer, statements = _count(app, client, url, cached)
        assert answer.status_code == 304 and answer.headers["ETag"] == tag
        assert len(statements) <= 3, statements
        answer, statements = _count(app, client, url, cached)
        assert answer.status_code == 304 and len(statements) <= 1, statements
