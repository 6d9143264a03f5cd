"""A worker's memory of the progress view (issue 12): what a polled case's tag was built from, and
the bodies last built, so that a phone polling an unchanged case is answered without the database.

Two parts, with different rules of trust:
- **stamps**: for a case, what its tag is built from (id, creation instant, version, last event), and which citizens it was found visible to on
  which day. A stamp is only as good as the news of changes: it is used only while a watcher
  (app.gateways.changes: PostgreSQL LISTEN/NOTIFY, fed by triggers on every table the stamp reads)
  says it hears every change (`live`). Each piece of news bumps `generation`; a stamp read from the
  database before the news and stored after it would be stale, so `keep_stamp` refuses a stamp read
  under an older generation. When the watcher loses its connection every stamp is dropped and none
  is used until it listens again. A change this worker commits is forgotten here at once
  (`forget`), before its answer leaves: a phone that writes and then polls is never told "unchanged".
- **bodies**: the JSON document for a tag. The tag names everything the body is built from (the
  case's version and last event, the day, the calendar and the catalogue's names it shows, the
  language, the shape), so a body kept under its tag is right for as long as the tag is. The
  calendar and the names are remembered per process (app.services.remembered, re-read at least once
  a minute): news that anything may have changed drops the bodies and makes the calendar and the
  names be read again at once. Bodies are kept on any database (on SQLite, only this process's own
  changes are news).

Bounded: `cases` stamps (about 300 bytes each: a case polled by one citizen keeps an int, not a set)
least recently kept first out, and `body_bytes` of bodies, least recently used first out; either 0
turns its part off. Flask-free and database-free: the view's service asks it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from app.services.remembered import forget_all


class ProgressCache:
    def __init__(self, *, cases: int = 10_000, body_bytes: int = 1024 * 1024) -> None:
        self.max_cases = cases
        self.max_body_bytes = body_bytes
        self._lock = threading.Lock()
        # case -> (day, stamp, who): who is one citizen id, or a frozenset when an agent sees it too
        self._stamps: dict[int, tuple[date, str, int | frozenset[int]]] = {}
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._body_bytes = 0
        self.generation = 0
        self.live = False  # set by the watcher: True only while every change is being heard
        self.watched_by: int | None = None  # the process whose watcher tells this cache (a fork must re-ask)
        self.reference_key: str | None = None  # app.services.remembered.bind_key of the database it serves

    # --- stamps -------------------------------------------------------------------------------
    def stamp(self, application_id: int, citizen_id: int, day: date) -> str | None:
        """What the tag of a case this citizen was found to see today is built from, if known and live."""
        if not self.live:
            return None
        entry = self._stamps.get(application_id)
        if entry is None or entry[0] != day:
            return None
        who = entry[2]
        if who != citizen_id and (type(who) is int or citizen_id not in who):
            return None
        return entry[1]

    def keep_stamp(self, application_id: int, citizen_id: int, day: date, stamp: str, *, generation: int) -> None:
        """Remember what the database said, unless news arrived since the read began."""
        if not self.max_cases:
            return
        with self._lock:
            if not self.live or generation != self.generation:
                return
            entry = self._stamps.pop(application_id, None)
            who: int | frozenset[int] = citizen_id
            if entry is not None and entry[:2] == (day, stamp) and entry[2] != citizen_id:
                who = (entry[2] if type(entry[2]) is frozenset else frozenset((entry[2],))) | {citizen_id}
            self._stamps[application_id] = (day, stamp, who)  # last kept, last out
            while len(self._stamps) > self.max_cases:
                del self._stamps[next(iter(self._stamps))]

    def forget(self, application_ids=None) -> None:
        """News: these cases changed (None: anything may have changed, a name a body shows included)."""
        with self._lock:
            self.generation += 1
            if application_ids is None:
                forget_all()  # the calendar and the names bodies show are read again too
                self._stamps.clear()
                self._bodies.clear()
                self._body_bytes = 0
                return
            for application_id in application_ids:
                self._stamps.pop(application_id, None)

    def set_live(self, live: bool) -> None:
        """The watcher started (or stopped) hearing every change: what was kept before is dropped."""
        with self._lock:
            self.generation += 1
            self._stamps.clear()
            self.live = live

    # --- bodies -------------------------------------------------------------------------------
    def body(self, tag: str) -> bytes | None:
        found = self._bodies.get(tag)
        if found is not None:
            with self._lock:
                if tag in self._bodies:
                    self._bodies.move_to_end(tag)
        return found

    def keep_body(self, tag: str, body: bytes) -> None:
        size = len(body)
        if size > self.max_body_bytes // 4:  # one huge timeline must not push out everything else
            return
        with self._lock:
            old = self._bodies.pop(tag, None)
            if old is not None:
                self._body_bytes -= len(old)
            self._bodies[tag] = body
            self._body_bytes += size
            while self._body_bytes > self.max_body_bytes:
                _, dropped = self._bodies.popitem(last=False)
                self._body_bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._stamps.clear()
            self._bodies.clear()
            self._body_bytes = 0

    def __len__(self) -> int:
        return len(self._stamps)
