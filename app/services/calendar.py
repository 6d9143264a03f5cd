"""The working-day calendar with the admins' overrides (deadlines computed from it: services/deadlines)."""
from __future__ import annotations

import hashlib
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.calendar import CalendarOverride, WorkCalendar


CACHE_SECONDS = 60
_cache: dict[str, tuple[float, dict, str]] = {}


def bind_key(session: Session) -> str:
    """Which database's calendar: this process keeps one copy per database."""
    return str(session.get_bind().url)


def _cached(session: Session) -> tuple[float, dict, str]:
    key = bind_key(session)
    cached = _cache.get(key)
    if cached is None or cached[0] < time.monotonic():
        rows = session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        overrides = {day: workday for day, workday in rows}
        fingerprint = hashlib.sha1(repr(sorted(overrides.items())).encode()).hexdigest()[:16]
        cached = (time.monotonic() + CACHE_SECONDS, overrides, fingerprint)
        _cache[key] = cached
    return cached


def load_calendar(session: Session) -> WorkCalendar:
    """The overrides change a few times a year: each process re-reads them at most once a minute
    (at once in the process that changed them)."""
    return WorkCalendar(overrides=dict(_cached(session)[1]))


def calendar_version(session: Session) -> str:
    """Names the overrides this process works with (for ETags of views that show deadlines): every
    worker names the same calendar alike, and a change gets a new name within CACHE_SECONDS."""
    return _cached(session)[2]


def fresh_version(key: str | None) -> str | None:
    """`calendar_version` without a session (making one costs more than the rest of a remembered
    poll), while this process's copy for that database (`bind_key`) is fresh; None when it must be
    read again (by calendar_version)."""
    cached = _cache.get(key) if key else None
    return cached[2] if cached is not None and cached[0] >= time.monotonic() else None


def calendar_changed() -> None:
    """This process re-reads the overrides at once (other workers within CACHE_SECONDS)."""
    _cache.clear()
