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
