"""Reference data that changes a few times a year (the holiday calendar, the names a progress view
shows): each process reads it at most once every CACHE_SECONDS per database, and at once after the
process itself changed it or heard that anything may have changed (`forget_all`).

A `Remembered` keeps, per database, the value read and a fingerprint of it: ETags of views that
show the value name its fingerprint, so every worker names the same data alike, and a change gets a
new name within CACHE_SECONDS."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

CACHE_SECONDS = 60
_every: list[Remembered] = []


def bind_key(session: Session) -> str:
    """Which database: this process keeps one copy per database."""
    return str(session.get_bind().url)


class Remembered:
    def __init__(self, read: Callable[[Session], tuple[Any, str]]) -> None:
        """`read(session)` -> (value, fingerprint)."""
        self._read = read
        self._copies: dict[str, tuple[float, Any, str]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # moves with every `forget`: a read it overtook is used once, not kept
        _every.append(self)

    def get(self, session: Session) -> tuple[Any, str]:
        key = bind_key(session)
        copy = self._copies.get(key)
        if copy is None or copy[0] < time.monotonic():
            # The minute counts from before the read (a change committed while it ran is seen within
            # the minute), and news heard while it ran (a rename committed meanwhile) leaves nothing kept.
            generation, until = self._generation, time.monotonic() + CACHE_SECONDS
            value, fingerprint = self._read(session)
            copy = (until, value, fingerprint)
            with self._lock:
                if generation == self._generation:
                    self._copies[key] = copy
        return copy[1], copy[2]

    def fresh(self, key: str | None) -> str | None:
        """The fingerprint without a session (making one costs more than the rest of a remembered
        poll), while this process's copy for that database (`bind_key`) is fresh; None when it must
        be read again (by `get`)."""
        copy = self._fresh_copy(key)
        return copy and copy[2]

    def fresh_value(self, key: str | None) -> Any:
        """The value of this process's fresh copy for that database, or None (as `fresh`)."""
        copy = self._fresh_copy(key)
        return copy and copy[1]

    def _fresh_copy(self, key: str | None) -> tuple[float, Any, str] | None:
        copy = self._copies.get(key) if key else None
        return copy if copy is not None and copy[0] >= time.monotonic() else None

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._copies.clear()


def forget_all() -> None:
    """Anything may have changed (app.gateways.changes: news of `*`): every copy is read again."""
    for remembered in _every:
        remembered.forget()
