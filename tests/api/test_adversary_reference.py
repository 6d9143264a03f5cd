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

