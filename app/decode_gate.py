"""How many uploads one process checks and normalises at once: each holds up to ~100 MB (the image
decode, bench/upload_memory.py), so `NORMALISE_CONCURRENCY` of them is the process's memory budget
for files. Excess callers wait up to `NORMALISE_WAIT_SECONDS` for a slot, then answer 503
`server_busy` with `Retry-After`; nothing already saved is lost and the worker stays up."""
from __future__ import annotations

import math
import threading
from contextlib import contextmanager

from app.errors import ServiceUnavailable


class DecodeGate:
    def __init__(self, slots: int, wait_seconds: float):
        if slots < 1:
            raise ValueError("a decode gate needs at least one slot")
        self.slots, self.wait_seconds = slots, wait_seconds
        self._free = threading.BoundedSemaphore(slots)
        self._count = threading.Lock()
        self.running = 0
        self.peak = 0  # the most ever held at once, for operators and tests

    @contextmanager
    def slot(self):
        """Hold one slot for the block; raise 503 `server_busy` if none frees up in time."""
        if not self._free.acquire(timeout=self.wait_seconds):
            raise ServiceUnavailable("server_busy", headers={"Retry-After": str(self.retry_after)})
        with self._count:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            yield
        finally:
            with self._count:
                self.running -= 1
            self._free.release()

    @property
    def retry_after(self) -> int:
        """Seconds a refused caller should wait: about as long as it already waited."""
        return max(1, math.ceil(self.wait_seconds))
