"""The change feed behind a network that goes silent (app/gateways/changes.py): no FIN, no RST, the
server's host simply stops answering (a cable pulled, a firewall dropping packets, a hung server).

The watcher's promise: "on losing the connection (or a heartbeat unanswered for HEARTBEAT_SECONDS;
keepalives find a silent network) it drops everything and goes dark". While the network is silent no
notification can arrive, so a cache that stays live answers 304s older than the case.

The silence is made by a TCP relay in this test that keeps both sockets open and stops passing bytes.
"""
from __future__ import annotations

import socket
import threading
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.gateways.changes import ChangeWatcher
from app.services.progress_cache import ProgressCache


class SilentRelay:
    """127.0.0.1:<port> -> the database; `silence()` stops every byte both ways, sockets left open."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.quiet = threading.Event()
        self.closed = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self.closed.is_set():
                data = src.recv(65536)
                if not data:
                    return
                while self.quiet.is_set() and not self.closed.is_set():
                    time.sleep(0.05)  # held, never passed on: the other side hears nothing
                dst.sendall(data)
        except OSError:
            return

    def silence(self) -> None:
        self.quiet.set()

    def close(self) -> None:
        self.closed.set()
        for s in [self.listener, *self.sockets]:
            try:
                s.close()
            except OSError:
                pass


def test_a_silent_network_turns_the_cache_dark_within_a_few_heartbeats(pg_url):
    url = make_url(pg_url)
    relay = SilentRelay(url.host or "127.0.0.1", url.port or 5432)
    conninfo = url.set(drivername="postgresql", host="127.0.0.1", port=relay.port).render_as_string(
        hide_password=False)
    heartbeat = 0.5
    watcher = ChangeWatcher(conninfo, heartbeat=heartbeat)
    cache = ProgressCache()
    try:
        watcher.subscribe(cache)
        deadline = time.monotonic() + 10
        while not cache.live and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cache.live, "the watcher never listened through the relay"
        from datetime import date

        cache.keep_stamp(1, 7, date(2026, 11, 24), "s1", generation=cache.generation)
        assert cache.stamp(1, 7, date(2026, 11, 24)) == "s1"
        relay.silence()
        # A change made now is never heard (its notification is held by the relay).
        outside = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        try:
            with outside.connect() as conn:
                conn.execute(text("NOTIFY onetrip_progress, 'a:1'"))
        finally:
            outside.dispose()
        deadline = time.monotonic() + 6 * heartbeat + 2
        while cache.stamp(1, 7, date(2026, 11, 24)) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cache.stamp(1, 7, date(2026, 11, 24)) is None, (
            f"{6 * heartbeat + 2:.1f} s after the network went silent the cache still answers from memory "
            f"(live={cache.live}): the heartbeat's SELECT 1 waits for an answer with no time limit")
    finally:
        watcher.stop()
        relay.close()
