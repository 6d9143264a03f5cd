"""Production run: `gunicorn -c gunicorn.conf.py wsgi:app` (README, "Running in production").

Every value can be overridden from the environment (GUNICORN_*), as gunicorn itself allows with
GUNICORN_CMD_ARGS; the defaults suit a 2-core machine behind a reverse proxy.
"""
import ctypes
import ctypes.util
import gc
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


# Memory (bench/worker_rss.py). An upload's normalisation, a label or a PDF allocates tens of MB for
# a moment; glibc keeps what they free in its per-thread arenas, so a gthread worker kept 30-50 MB it
# no longer used, and it grew with each thread that met a big request. After such a request (a body
# over 64 KiB, or an answer that is a file or a page rather than JSON) and every 500th request, the
# worker hands free memory back to the kernel: malloc_trim takes well under a millisecond.
TRIM_AFTER_BODY_BYTES = 64 * 1024
TRIM_EVERY = 500
_FILE_TYPES = ("image/", "application/pdf", "text/html", "application/octet-stream")
_libc = None


# Pauses (bench/list_pages.py --gc). The loaded app is ~200,000 objects the garbage collector would
# walk in every full collection: 100-150 ms with the worker answering no one, every few hundred list
# pages. Once the app is loaded, the worker collects once and freezes what is left (gc.freeze: kept
# out of every later collection): a full collection walks only what requests left since, 20-30 ms.
def _freeze_the_loaded_app():
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    global _libc
    _freeze_the_loaded_app()
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    _libc = libc if libc is not None and hasattr(libc, "malloc_trim") else None  # glibc only


def post_request(worker, req, environ, resp):
    if _libc is not None and (getattr(worker, "nr", 1) % TRIM_EVERY == 0 or _answered_a_file(resp)
                              or int(environ.get("CONTENT_LENGTH") or 0) > TRIM_AFTER_BODY_BYTES):
        _libc.malloc_trim(0)


def _answered_a_file(resp) -> bool:
    for name, value in getattr(resp, "headers", None) or ():
        if name.lower() == "content-type":
            return value.startswith(_FILE_TYPES)
    return False


def on_exit(server):
    if _metrics_dir.startswith(tempfile.gettempdir()) and "onetrip-metrics-" in _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
