"""The web edge's one dependency hand-off: what a view passes to the service it calls."""
from __future__ import annotations

import os
from datetime import date, datetime

from flask import current_app, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.auth import current_actor
from app.clock import Clock, local_date
from app.extensions import db, services


def clock() -> Clock:
    """The app's clock (wall time in production; a movable clock in tests)."""
    return services().clock


def now() -> datetime:
    return clock()()


def today() -> date:
    """Today in Asia/Shanghai by the app's clock."""
    return local_date(now())


def public_url(url: str | None) -> str | None:
    """An absolute URL as the client reached the API: root-relative paths (the embedded store's
    forms and downloads, verification pages) are prefixed with PUBLIC_BASE_URL when set, else with
    the request's own scheme, host and prefix (trusted through PROXY_FIX_*). Absolute URLs (S3's)
    pass unchanged."""
    if not url or not url.startswith("/"):
        return url
    base = current_app.config.get("PUBLIC_BASE_URL") or _request_base()
    return base + url


def _request_base() -> str:
    """scheme://host[/prefix] of this request; a forwarded scheme other than http(s) or a prefix
    without its leading slash (a misconfigured proxy) cannot turn a link into something else."""
    scheme = request.scheme if request.scheme in ("http", "https") else "http"
    prefix = request.script_root.strip("/")
    return f"{scheme}://{request.host}" + (f"/{prefix}" if prefix else "")


def paged(pagination_parameters, fetch, *args, **kwargs) -> list:
    """Call a service list function with the page asked for; record its total for X-Pagination."""
    rows, total = fetch(*args, page=pagination_parameters.page, page_size=pagination_parameters.page_size,
                        **kwargs)
    pagination_parameters.item_count = total
    return rows


LANGUAGES = ["zh-CN", "zh", "en"]


def language(header: str) -> str:
    """zh-CN unless an Accept-Language header prefers English (werkzeug's own parser)."""
    best = parse_accept_header(header, LanguageAccept).best_match(LANGUAGES, default="zh-CN")
    return "en" if best == "en" else "zh-CN"


def request_lang() -> str:
    """The language of this request's answer (`language` of its Accept-Language)."""
    return language(request.headers.get("Accept-Language", ""))


def progress_cache():
    """This worker's memory of polled progress, told of every change in the database by this
    process's watcher (started by the first poll: app/gateways/changes.py)."""
    cache = services().progress_cache
    if cache.watched_by != os.getpid():
        from app.gateways.changes import watch

        watch(cache, db.engine)
    return cache


def deps(*, store: bool = False, actor: bool = True, gate: bool = False, clock: bool = True,
         outside: bool = False) -> dict:
    """`session`, `clock` and the calling `actor` (and the object `store`, the upload `gate`, and with
    `outside=True` the profile `cipher` and the government `data_source` (prefill, 实名, 无证明) where
    asked), as keyword arguments for a service (DESIGN rule 7). A read that needs no time or no
    caller says so (`clock=False`, `actor=False`)."""
    handed = {"session": db.session}
    if clock:
        handed["clock"] = services().clock
    if actor:
        handed["actor"] = current_actor()
    if store:
        handed["store"] = services().store
    if gate:
        handed["gate"] = services().decode_gate
    if outside:
        handed["cipher"], handed["data_source"] = services().cipher, services().data_source
    return handed
