"""A phone polling an unchanged case, answered in front of Flask (issue 12, bench/progress_rps.py).

Most polls of GET /api/v1/applications/{id}/progress carry the ETag of the last answer and get
304. When everything that decides that answer is already in this worker's memory, a WSGI layer
answers it without Flask's request machinery (context, hooks, flask-smorest's wrappers, the session):
- the bearer token is one `token_subject` verified in this process, not expired, a citizen's
  (app.auth.remembered_subject);
- the worker's progress cache is live, watched from this very process (not a parent that forked it),
  and knows the case's stamp for this citizen today (app/services/progress_cache.py: kept only
  while every change is heard);
- the calendar's version is fresh (app/services/calendar.py), the language is the one Flask would
  pick, and the tag (app.services.progress.tag_of, the same function the view uses) is in
  If-None-Match;
- no header is over MAX_HEADER_BYTES (Flask would refuse with 431);
- and Flask itself already answered a 304 for a request from the same Origin: its headers (Vary,
  CORS) are learned from that answer and given again with the new ETag. An answer that carried a
  rate-limit header, a cookie or a body header is never learned (a limit on this view would be
  bypassed): such polls always go to Flask.
Anything else (no ETag, a changed case, a token seen first, another path) goes to Flask as before.
The access line, the latency sample and the request id come from `Observed` around both.
"""
from __future__ import annotations

import os
import re

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_etags, quote_etag

from app.actors import CITIZEN
from app.auth import remembered_subject
from app.clock import local_date
from app.observability import ENVIRON_RULE
from app.services.calendar import fresh_version
from app.services.progress import tag_of

PATH = re.compile(r"/api/v1/applications/([1-9][0-9]{0,9})/progress\Z")
STATUS = "304 NOT MODIFIED"
NEVER_LEARNED = ("x-ratelimit-", "retry-after", "set-cookie", "content-", "transfer-encoding", "x-request-id")
LANGUAGES = ["zh-CN", "zh", "en"]
REMEMBERED = 256  # origins, and Accept-Language values


def language(header: str) -> str:
    """What app.web.request_lang picks, from the raw header (the same werkzeug parser)."""
    best = parse_accept_header(header, LanguageAccept).best_match(LANGUAGES, default="zh-CN")
    return "en" if best == "en" else "zh-CN"


class ProgressFront:
    def __init__(self, wsgi_app, app) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self._headers: dict[str, tuple[list[tuple[str, str]], object]] = {}  # Origin -> (headers, rule)
        self._languages: dict[str, str] = {}
        self.answered = 0  # how many polls it answered itself (tests, bench)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and "HTTP_IF_NONE_MATCH" in environ:
            match = PATH.match(environ.get("PATH_INFO", ""))
            if match is not None:
                origin = environ.get("HTTP_ORIGIN", "")
                learned = self._headers.get(origin)
                if learned is not None:
                    tag = self._unchanged(environ, int(match.group(1)))
                    if tag is not None:
                        self.answered += 1
                        environ[ENVIRON_RULE] = learned[1]
                        start_response(STATUS, [("ETag", quote_etag(tag)), *learned[0]])
                        return []
                return self.wsgi_app(environ, self._learning(environ, origin, start_response))
        return self.wsgi_app(environ, start_response)

    def _unchanged(self, environ, application_id: int) -> str | None:
        """The tag, if this poll may be answered here and it matches If-None-Match."""
        config = self.app.config
        limit = config["MAX_HEADER_BYTES"]
        for key, value in environ.items():
            if key.startswith("HTTP_") and len(key) - 5 + len(value) > limit:
                return None
        subject = remembered_subject(config["JWT_SECRET_KEY"], environ.get("HTTP_AUTHORIZATION", ""))
        if subject is None or subject[0] != CITIZEN:
            return None
        services = self.app.extensions["onetrip"]
        cache = services.progress_cache
        if cache.watched_by != os.getpid():  # a forked process: the parent's memory, heard by the parent
            return None
        today = local_date(services.clock())
        known = cache.stamp(application_id, subject[1], today)
        calendar = fresh_version(cache.calendar_key)
        if known is None or calendar is None:
            return None
        tag = tag_of(known, today, calendar, self._language(environ.get("HTTP_ACCEPT_LANGUAGE", "")))
        return tag if tag in parse_etags(environ["HTTP_IF_NONE_MATCH"]) else None

    def _language(self, header: str) -> str:
        found = self._languages.get(header)
        if found is None:
            if len(self._languages) >= REMEMBERED:
                self._languages.clear()
            found = self._languages[header] = language(header)
        return found

    def _learning(self, environ, origin: str, start_response):
        """Flask answers this poll; a 304 of it teaches the headers to give with the next one."""

        def start(status, headers, exc_info=None):
            if status == STATUS and len(self._headers) < REMEMBERED:
                rest = [(name, value) for name, value in headers if name.lower() != "etag"]
                if len(rest) == len(headers) - 1 and not any(name.lower().startswith(NEVER_LEARNED)
                                                             for name, _ in rest):
                    self._headers[origin] = (rest, environ.get(ENVIRON_RULE))
            return start_response(status, headers, exc_info)

        return start
