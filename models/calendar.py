"""Working days (承诺时限 are counted in them): Chinese holidays and 调休 make-up days, the rules in pure Python.

chinese-calendar knows the State Council's published years; admins add overrides for days it does
not know yet (`CalendarOverride`, the one table of this aggregate). For a year the library does not
cover, weekends are the fallback and the result says so (`fallback_years`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


@dataclass
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)  # date -> is a working day
    fallback_years: set[int] = field(default_factory=set)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        published = _published_workday(day)
        if published is None:
            self.fallback_years.add(day.year)
            return day.weekday() < 5
        return published

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the start day itself is not counted)."""
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


@lru_cache(maxsize=8192)
def _published_workday(day: date) -> bool | None:
    """The library's answer (None: a year it does not cover), remembered: it validates its input on
    every call, and a deadline asks about each day of its span (progress, polled by every phone)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class CalendarOverride(Base):
    """A day chinese-calendar does not know yet (a future year's holidays are published late)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
