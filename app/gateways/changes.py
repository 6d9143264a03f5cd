"""News of changed cases from PostgreSQL (LISTEN/NOTIFY), for the caches that must hear every change
(app/services/progress_cache.py).

Triggers on the tables a progress tag is read from (migration c3f1a9d2b7e4) send, on channel
`onetrip_progress`, once per statement:
    "a:17,18"   these applications changed (their row was written, or an event was added);
    "*"         anything may have changed (an authorisation or an account was written, a table was
                truncated, or one statement touched more than a few hundred cases).
Triggers, not the app, because a case changed by the worker, a CLI command, a migration or a person at
psql must be heard just the same.

One watcher per process and database: a daemon thread on its own autocommit connection. A cache is
trusted (`live`) only while the watcher listens; on connecting it drops what it kept (changes made
while nobody listened were not heard), on losing the connection (or when its own beat, a NOTIFY it
sends every HEARTBEAT_SECONDS, does not come back: a deaf connection or a pooler that does not carry
LISTEN; keepalives find a silent network) it drops everything and goes dark, and it reconnects with
a growing pause. Nothing connects at import or at app creation: the first poll of a
worker starts its watcher.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref

log = logging.getLogger("onetrip.changes")

CHANNEL = "onetrip_progress"
# what a tag is read from, and the names a kept body shows
WATCHED_TABLES = frozenset({"applications", "events", "authorizations", "citizens", "items", "departments", "halls",
                            "carriers"})
HEARTBEAT_SECONDS = 3.0
BEAT = "beat:"  # a watcher's own proof of hearing; never news
RETRY_SECONDS = (0.5, 30.0)  # first pause after a lost connection, and the longest


def parse(payload: str) -> list[int] | None:
    """The application ids a notification names; None for "anything may have changed"."""
    kind, _, ids = payload.partition(":")
    if kind != "a":
        return None
    try:
        named = [int(part) for part in ids.split(",")]
    except ValueError:  # not ours, or mangled: assume the worst
        return None
    return named or None


class ChangeWatcher:
    """LISTEN on one database for this process; fans news out to the caches that subscribed."""

    def __init__(self, conninfo: str, *, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.conninfo = conninfo
        self.heartbeat = heartbeat
        self._caches: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False
        self.connections = 0  # how many times it (re)connected: for tests and logs
        self.backend_pid: int | None = None
        self.beat_channel = CHANNEL  # where its beats go (a test sends them nowhere to play deaf)

    def subscribe(self, cache) -> None:
        with self._lock:
            self._caches.add(cache)
            cache.set_live(self.connected)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="onetrip-changes", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _announce(self, connected: bool) -> None:
        with self._lock:
            self.connected = connected
            for cache in list(self._caches):
                cache.set_live(connected)

    def _deliver(self, payload: str) -> None:
        ids = parse(payload)
        for cache in list(self._caches):
            cache.forget(ids)

    def _beat(self, conn, expected: str) -> None:
        """Proof of hearing: a NOTIFY sent through the database must come back within `heartbeat`,
        or every cache goes dark at once (a watchdog: on a silent network the send itself may wait
        for minutes, until tcp_user_timeout gives the connection up). The caches are trusted when
        it comes back, late or not (what was said meanwhile is still in order on the connection;
        what they kept was dropped when they went dark). The news that arrives meanwhile is passed
        on. Never back within the beat: the connection is given up and made again."""
        watchdog = threading.Timer(self.heartbeat, self._announce, args=(False,))
        watchdog.daemon = True
        watchdog.start()
        heard = False
        try:
            conn.execute("SELECT pg_notify(%s, %s)", (self.beat_channel, expected))
            for note in conn.notifies(timeout=self.heartbeat):
                if note.payload == expected:
                    heard = True
                    watchdog.cancel()
                    if not self.connected:
                        self._announce(True)
                elif not note.payload.startswith(BEAT):  # another worker's beat is no news
                    self._deliver(note.payload)
        finally:
            watchdog.cancel()
        if not heard and not self._stop.is_set():
            raise ConnectionError(f"no beat came back within {self.heartbeat} s")

    def _run(self) -> None:
        import psycopg

        pause = RETRY_SECONDS[0]
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5,
                                     application_name="onetrip-changes", keepalives=1, keepalives_idle=10,
                                     keepalives_interval=5, keepalives_count=3,
                                     tcp_user_timeout=int(self.heartbeat * 3000)) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.backend_pid = conn.info.backend_pid
                    self.connections += 1
                    pause = RETRY_SECONDS[0]
                    beats = 0
                    while not self._stop.is_set():
                        beats += 1
                        self._beat(conn, f"{BEAT}{os.getpid()}:{id(self)}:{beats}")
            except Exception as exc:  # the database is away: every cache goes dark until it is back
                if not self._stop.is_set():
                    log.warning("change feed lost (%s: %s); cached progress stamps are off until it is back",
                                type(exc).__name__, exc)
            finally:
                self._announce(False)
                self.backend_pid = None
            self._stop.wait(pause)
            pause = min(pause * 2, RETRY_SECONDS[1])


_WATCHERS: dict[tuple[int, str], ChangeWatcher] = {}
_WATCHERS_LOCK = threading.Lock()


def watch(cache, engine) -> None:
    """Keep `cache` told of every change in `engine`'s database, from this process (a forked worker
    gets its own watcher: a thread does not survive fork). On a database that cannot tell (SQLite),
    the cache is never live: its stamps are not used, its bodies are."""
    pid = os.getpid()
    if getattr(cache, "watched_by", None) == pid:
        return
    cache.set_live(False)
    cache.watched_by = pid
    if engine.dialect.name != "postgresql":
        return
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _WATCHERS_LOCK:
        watcher = _WATCHERS.get((pid, conninfo))
        if watcher is None:
            watcher = _WATCHERS[(pid, conninfo)] = ChangeWatcher(conninfo)
    watcher.subscribe(cache)


def watcher_of(engine) -> ChangeWatcher | None:
    """This process's watcher of `engine`'s database, if started (tests, health)."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return _WATCHERS.get((os.getpid(), conninfo))


def hear_own_commits(session_target, cache_of) -> None:
    """A change this process commits is forgotten at once by `cache_of()` (None outside an app), not
    only when its notification comes back: the phone that wrote is never told "unchanged" by the
    worker that took its write. Which cases: the applications and events flushed in the transaction;
    an authorisation changed, an account deleted, an item, department, hall or carrier changed, or an
    ORM bulk UPDATE/DELETE of one of those tables forgets everything (a login, a new authorisation or
    a new account changes no case's tag)."""
    from sqlalchemy import event

    from models.application import Application, Event
    from models.assistance import Authorization
    from models.catalogue import Carrier, Department, Hall, Item
    from models.citizen import Citizen

    named = (Item, Department, Hall, Carrier)  # their names are in kept bodies

    key = "onetrip.progress_touched"

    @event.listens_for(session_target, "after_flush")
    def _flushed(session, flush_context):
        touched = session.info.setdefault(key, set())
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Application):
                touched.add(obj.id)
            elif isinstance(obj, Event):
                touched.add(obj.application_id)
            elif isinstance(obj, (Authorization, *named)) and obj not in session.new and (
                    obj in session.deleted or session.is_modified(obj)):
                touched.add(None)
            elif isinstance(obj, Citizen) and obj in session.deleted:
                touched.add(None)

    @event.listens_for(session_target, "do_orm_execute")
    def _bulk(state):
        if (state.is_update or state.is_delete) and getattr(state.statement.table, "name", None) in WATCHED_TABLES:
            state.session.info.setdefault(key, set()).add(None)

    @event.listens_for(session_target, "after_commit")
    def _committed(session):
        touched = session.info.pop(key, None)
        cache = cache_of() if touched else None
        if cache is not None:
            cache.forget(None if None in touched else touched)
