"""A worker's memory of polled progress (app/services/progress_cache.py): a stamp is used only while
every change is heard, for the citizen and the day it was read for, and never when news arrived
during its read; bodies are bounded."""
from __future__ import annotations

from datetime import date, timedelta

from app.gateways.changes import parse
from app.services.progress_cache import ProgressCache

DAY = date(2026, 11, 24)


def live_cache(**sizes) -> ProgressCache:
    cache = ProgressCache(**sizes)
    cache.set_live(True)
    return cache


def test_a_stamp_is_used_only_while_every_change_is_heard():
    cache = ProgressCache()
    cache.keep_stamp(1, 7, DAY, "s1", generation=cache.generation)
    assert cache.stamp(1, 7, DAY) is None  # nobody listens yet: nothing kept, nothing used
    cache.set_live(True)
    cache.keep_stamp(1, 7, DAY, "s1", generation=cache.generation)
    assert cache.stamp(1, 7, DAY) == "s1"
    cache.set_live(False)  # the feed is lost: everything goes, and stays off
    assert cache.stamp(1, 7, DAY) is None
    cache.keep_stamp(1, 7, DAY, "s1", generation=cache.generation)
    assert cache.stamp(1, 7, DAY) is None and len(cache) == 0


def test_only_for_the_citizen_and_the_day_it_was_read_for():
    cache = live_cache()
    cache.keep_stamp(1, 7, DAY, "s1", generation=cache.generation)
    assert cache.stamp(1, 8, DAY) is None  # another citizen: the database decides
    assert cache.stamp(1, 7, DAY + timedelta(days=1)) is None  # tomorrow an authorisation may have lapsed
    cache.keep_stamp(1, 8, DAY, "s1", generation=cache.generation)  # the agent of the same case
    assert cache.stamp(1, 7, DAY) == cache.stamp(1, 8, DAY) == "s1"
    cache.keep_stamp(1, 8, DAY, "s2", generation=cache.generation)  # a newer stamp: who saw the old one is forgotten
    assert cache.stamp(1, 8, DAY) == "s2" and cache.stamp(1, 7, DAY) is None


def test_news_during_a_read_refuses_what_it_read():
    """Read began (generation g), a change committed and was heard, then the read's answer came
    back: it may be older than the change, so it is not kept."""
    cache = live_cache()
    began = cache.generation
    cache.forget([99])  # any news, even of another case
    cache.keep_stamp(1, 7, DAY, "old", generation=began)
    assert cache.stamp(1, 7, DAY) is None
    cache.keep_stamp(1, 7, DAY, "new", generation=cache.generation)
    assert cache.stamp(1, 7, DAY) == "new"


def test_forgetting_named_cases_or_everything():
    cache = live_cache()
    for case in (1, 2, 3):
        cache.keep_stamp(case, 7, DAY, f"s{case}", generation=cache.generation)
    cache.forget([2])
    assert [cache.stamp(case, 7, DAY) for case in (1, 2, 3)] == ["s1", None, "s3"]
    cache.keep_body("t1", b"{}")
    cache.forget([1])  # a case's news: its new tag will name a new body, the old one may stay
    assert cache.body("t1") == b"{}"
    cache.forget(None)  # anything, a renamed item included: bodies show names the tag does not name
    assert [cache.stamp(case, 7, DAY) for case in (1, 2, 3)] == [None, None, None]
    assert cache.body("t1") is None


def test_bounded_least_recently_kept_first_out():
    cache = live_cache(cases=2)
    for case in (1, 2, 3):
        cache.keep_stamp(case, 7, DAY, f"s{case}", generation=cache.generation)
    assert len(cache) == 2 and cache.stamp(1, 7, DAY) is None and cache.stamp(3, 7, DAY) == "s3"
    off = live_cache(cases=0)
    off.keep_stamp(1, 7, DAY, "s1", generation=off.generation)
    assert off.stamp(1, 7, DAY) is None


def test_bodies_bounded_by_bytes_and_need_no_news():
    cache = ProgressCache(body_bytes=4000)  # never live (SQLite): bodies are still kept under their tag
    for n in range(5):
        cache.keep_body(f"t{n}", bytes(900))
    assert cache.body("t0") is None and cache.body("t4") == bytes(900)
    assert sum(cache.body(f"t{n}") is not None for n in range(5)) == 4
    cache.keep_body("huge", bytes(1001))  # over a quarter of the budget: not worth pushing four out
    assert cache.body("huge") is None and cache.body("t4") is not None
    cache.body("t1")  # used: kept over t2 when room is needed
    cache.keep_body("t5", bytes(900))
    assert cache.body("t1") is not None and cache.body("t2") is None
    cache.clear()
    assert cache.body("t5") is None
    assert ProgressCache(body_bytes=0).body("t") is None


def test_notifications_parsed_safely():
    assert parse("a:17") == [17] and parse("a:1,2,3") == [1, 2, 3]
    assert parse("*") is None  # anything may have changed
    for mangled in ("a:1,x", "b:2", "", "a", "a:", "a:1,,2"):
        assert parse(mangled) is None  # unknown or mangled: assume anything changed


def test_reference_data_is_read_once_a_minute_per_database_and_again_on_news(monkeypatch):
    """app.services.remembered: the calendar and the names a progress body shows."""
    from types import SimpleNamespace

    from app.services import remembered

    reads = []

    def read(session):
        reads.append(session.get_bind().url)
        return len(reads), f"v{len(reads)}"

    kept = remembered.Remembered(read)
    try:
        now = [1000.0]
        monkeypatch.setattr(remembered.time, "monotonic", lambda: now[0])
        one, two = (SimpleNamespace(get_bind=lambda url=url: SimpleNamespace(url=url)) for url in ("db1", "db2"))
        assert kept.fresh("db1") is None  # never read: the caller reads with a session
        assert kept.get(one) == (1, "v1") and kept.get(one) == (1, "v1") and kept.fresh("db1") == "v1"
        assert kept.get(two) == (2, "v2") and kept.fresh("db1") == "v1"  # one copy per database
        now[0] += remembered.CACHE_SECONDS + 1
        assert kept.fresh("db1") is None and kept.get(one) == (3, "v3")
        remembered.forget_all()  # `*`: anything may have changed
        assert kept.fresh("db1") is None and kept.fresh("db2") is None and kept.get(one) == (4, "v4")
        cache = ProgressCache(cases=10, body_bytes=1000)
        cache.forget([1])  # news of named cases: the reference data stays
        assert kept.fresh("db1") == "v4"
        cache.forget(None)
        assert kept.fresh("db1") is None
    finally:
        remembered._every.remove(kept)
