"""The working-day calendar with the admins' overrides, and deadlines computed from it."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import local_date
from models.application import Pause
from models.calendar import CalendarOverride, WorkCalendar, deadline_light


CACHE_SECONDS = 60
_cache: dict[str, tuple[float, dict]] = {}


def load_calendar(session: Session) -> WorkCalendar:
    """The overrides change a few times a year: each process re-reads them at most once a minute
    (at once in the process that changed them)."""
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    if cached is None or cached[0] < time.monotonic():
        rows = session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        cached = (time.monotonic() + CACHE_SECONDS, {day: workday for day, workday in rows})
        _cache[key] = cached
    return WorkCalendar(overrides=dict(cached[1]))


def calendar_changed() -> None:
    global _generation
    _cache.clear()
    _generation += 1


_generation = 0


def calendar_stamp() -> int:
    """Changes when this process learns of new overrides (for ETags of views that use the calendar)."""
    return _generation


@dataclass
class Deadline:
    promised_date: date
    remaining_working_days: int
    light: str
    promised_days: int
    paused: bool
    paused_working_days: int
    calendar_fallback_years: list[int]


def compute_deadline(calendar: WorkCalendar, *, start: date, promised_days: int, pauses: list[Pause],
                     now: datetime, finished_at: datetime | None = None) -> Deadline:
    """承诺时限: working days from `start`, moved later by every working day spent paused.

    A finished case freezes its remaining days at the moment it finished.
    """
    paused_days = 0
    open_pause = False
    for pause in pauses:
        if pause.ended_at is None:
            open_pause = True
            end = local_date(now)
        else:
            end = local_date(pause.ended_at)
        paused_days += calendar.working_days_between(local_date(pause.started_at), end)
    due = calendar.add_working_days(start, promised_days + paused_days)
    today = local_date(finished_at or now)
    remaining = calendar.working_days_between(today, due)
    light = deadline_light(remaining, promised_days, open_pause and finished_at is None)
    return Deadline(due, remaining, light, promised_days, open_pause, paused_days,
                    sorted(calendar.fallback_years))
