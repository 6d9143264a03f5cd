"""The suite's own S3 servers: several run on one machine at once (the session's beside the fault
tests', one per xdist worker, two runs), so each listens only on ports it was given (free ones)."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.s3


def _listening_ports(pid: int) -> set[int]:
    """The TCP ports the process listens on (its sockets among /proc/net/tcp's LISTEN rows)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads the listeners from Linux's /proc")
def test_the_s3_server_listens_only_on_ports_it_was_given(s3_server):
    """weed 4.48 opened its Lance namespace on 9101 when nobody said otherwise; it looks for another
    port when 9101 is taken, but two servers starting at once (two xdist workers) both saw it free
    and the second died with `bind: address already in use`."""
    args = Path(f"/proc/{s3_server.pid}/cmdline").read_bytes().decode().split("\0")
    given = {int(arg.split("=", 1)[1]) for arg in args if re.fullmatch(r"-[\w.]*port[\w.]*=\d+", arg)}
    log = Path(next(arg[5:] for arg in args if arg.startswith("-dir="))).parent / "weed.log"
    deadline = time.monotonic() + 15
    while "All enabled components are running" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        time.sleep(0.1)
    listening = _listening_ports(s3_server.pid)
    assert listening and listening <= given, sorted(listening - given)
