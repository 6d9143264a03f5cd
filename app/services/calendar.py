"""The working-day calendar with the admins' overrides (deadlines computed from it: services/deadlines)."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.remembered import Remembered
from models.calendar import CalendarOverride, WorkCalendar


def _read_overrides(session: Session) -> tuple[dict, str]:
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    overrides = {day: workday for day, workday in rows}
    return overrides, hashlib.sha1(repr(sorted(overrides.items())).encode()).hexdigest()[:16]


_overrides = Remembered(_read_overrides)


def load_calendar(session: Session) -> WorkCalendar:
    """The overrides change a few times a year: each process re-reads them at most once a minute
    (at once in the process that changed them)."""
    return WorkCalendar(overrides=dict(_overrides.get(session)[0]))


def calendar_version(session: Session) -> str:
    """Names the overrides this process works with (for ETags of views that show deadlines): every
    worker names the same calendar alike, and a change gets a new name within CACHE_SECONDS."""
    return _overrides.get(session)[1]


def fresh_version(key: str | None) -> str | None:
    """`calendar_version` without a session, while this process's copy for that database
    (app.services.remembered.bind_key) is fresh; None when it must be read again."""
    return _overrides.fresh(key)


def calendar_changed() -> None:
    """This process re-reads the overrides at once (other workers within CACHE_SECONDS)."""
    _overrides.forget()
