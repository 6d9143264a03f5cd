"""The clock services are given: aware UTC now, Asia/Shanghai for dates people see.

The running app holds one clock (`Services.clock`, handed to every service by `app.web.deps`);
rules never read the wall clock themselves, so a test or a demo can move time for the whole app.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


class MovableClock:
    """A clock that starts at a chosen moment and then runs at the pace of real time.

    It reads only the monotonic clock, never the date of the machine, so what it answers does
    not depend on the day it runs; `set` and `advance` move it (a test walking through due dates).
    """

    def __init__(self, start: datetime):
        self.set(start)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("MovableClock needs an aware datetime")
        self._start, self._ticks = moment.astimezone(timezone.utc), time.monotonic()

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        self.set(self() + (delta or timedelta(**units)))
        return self()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._ticks)
