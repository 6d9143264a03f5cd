"""Production run: `gunicorn -c gunicorn.conf.py wsgi:app` (README, "Running in production").

Every value can be overridden from the environment (GUNICORN_*), as gunicorn itself allows with
GUNICORN_CMD_ARGS; the defaults suit a 2-core machine behind a reverse proxy.
"""
import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))  # a request stuck longer is killed and logged
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 25))  # SIGTERM: finish what is in hand
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))  # recycle workers: no slow leaks
max_requests_jitter = 200

# Request limits. Gunicorn answers anything beyond these itself, in plain text; the app refuses
# smaller excesses in the contract's JSON shape (431 `request_header_too_large`, MAX_HEADER_BYTES),
# so gunicorn's own limits sit well above the app's and only stop absurd requests.
limit_request_line = 8190  # request line (method, path, query): 414 beyond
limit_request_fields = 100  # number of headers
limit_request_field_size = 131072  # one header, 128 KiB: the app refuses > MAX_HEADER_BYTES first

# Logs: gunicorn's own lines to stderr; the app writes JSON lines with the request id.
accesslog = None  # the app logs each request (onetrip.access) with its X-Request-ID
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Prometheus: each worker writes its samples to a shared directory that /metrics reads.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if not _metrics_dir:
    _metrics_dir = tempfile.mkdtemp(prefix="onetrip-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    # Samples of a previous run would be summed with this one's.
    for name in os.listdir(_metrics_dir):
        os.unlink(os.path.join(_metrics_dir, name))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir.startswith(tempfile.gettempdir()) and "onetrip-metrics-" in _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
