"""A phone polling an unchanged case, answered in front of Flask (issue 12, bench/progress_rps.py).

Every phone polls GET /api/v1/applications/{id}/progress; most polls find the case unchanged. When
everything that decides the answer is already in this worker's memory, a WSGI layer gives it without
Flask's request machinery (context, hooks, flask-smorest's wrappers, the session):
- the bearer token is one `token_subject` verified in this process, not expired, a citizen's
  (app.auth.remembered_subject);
- the worker's progress cache is live, watched from this very process (not a parent that forked it),
  and knows the case's stamp for this citizen today (app/services/progress_cache.py: kept only
  while every change is heard);
- the versions of the calendar and of the names the view shows are fresh (app.services.progress
  .fresh_reference) and the language is the one Flask would pick, which make the tag
  (app.services.progress.tag_of, the same function the view uses);
- no header is over MAX_HEADER_BYTES (Flask would refuse with 431);
- the tag is in If-None-Match: 304; otherwise the body kept under that tag: 200 with it (a phone
  that does not keep ETags); otherwise Flask builds it;
- and Flask itself already gave that status to a request from the same Origin: its headers (Vary,
  CORS, the JSON type) are learned from that answer and given again with this answer's ETag and
  length. An answer that carried a rate-limit header, a cookie, another content header or no ETag
  is never learned (a limit put on this view later would be bypassed): such polls go to Flask.
Anything else (a changed case, a token seen first, a stranger, staff, another path, HEAD) goes to
Flask as before. The access line, the latency sample and the request id come from `Observed`
around both. Tests: tests/api/test_progress_front.py compares both answers header for header.
"""
from __future__ import annotations

import os
import re

from werkzeug.http import parse_etags, quote_etag

from app.actors import CITIZEN
from app.auth import remembered_subject
from app.clock import local_date
from app.observability import ENVIRON_RULE
from app.services.progress import fresh_reference, tag_of
from app.web import language

PATH = re.compile(r"/api/v1/applications/([1-9][0-9]{0,9})/progress\Z")
NOT_MODIFIED, OK = "304 NOT MODIFIED", "200 OK"
# Never learned: what may differ from one answer to the next, or would bypass a check (a rate limit).
NEVER_LEARNED = ("x-ratelimit-", "retry-after", "set-cookie", "content-", "transfer-encoding", "x-request-id")
JSON = ("Content-Type", "application/json")
REMEMBERED = 256  # origins, and Accept-Language values


class ProgressFront:
    def __init__(self, wsgi_app, app) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        # (status, Origin) -> (Flask's headers for it but the ETag and the length, the rule matched)
        self._headers: dict[tuple[str, str], tuple[list[tuple[str, str]], object]] = {}
        self._languages: dict[str, str] = {}
        self.answered = 0  # how many polls it answered itself (tests, bench)

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            match = PATH.match(environ.get("PATH_INFO", ""))
            if match is not None:
                origin = environ.get("HTTP_ORIGIN", "")
                answered = self._answer(environ, int(match.group(1)), origin, start_response)
                if answered is not None:
                    return answered
                return self.wsgi_app(environ, self._learning(environ, origin, start_response))
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ, application_id: int, origin: str, start_response):
        """Flask's own answer from memory, or None to let Flask answer."""
        conditional = "HTTP_IF_NONE_MATCH" in environ
        if (NOT_MODIFIED, origin) not in self._headers and (OK, origin) not in self._headers:
            return None
        tag = self._tag(environ, application_id)
        if tag is None:
            return None
        if conditional and tag in parse_etags(environ["HTTP_IF_NONE_MATCH"]):
            status, body = NOT_MODIFIED, b""
        else:
            status, body = OK, self.app.extensions["onetrip"].progress_cache.body(tag)
            if body is None:
                return None
        learned = self._headers.get((status, origin))
        if learned is None:
            return None
        self.answered += 1
        environ[ENVIRON_RULE] = learned[1]
        length = [("Content-Length", str(len(body)))] if status == OK else []
        start_response(status, [*learned[0], *length, ("ETag", quote_etag(tag))])
        return [body] if body else []

    def _tag(self, environ, application_id: int) -> str | None:
        """The case's tag for this caller, if every check the view makes passes from memory."""
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
        reference = fresh_reference(cache.reference_key)
        if known is None or reference is None:
            return None
        return tag_of(known, today, reference, self._language(environ.get("HTTP_ACCEPT_LANGUAGE", "")))

    def _language(self, header: str) -> str:
        found = self._languages.get(header)
        if found is None:
            if len(self._languages) >= REMEMBERED:
                self._languages.clear()
            found = self._languages[header] = language(header)
        return found

    def _learning(self, environ, origin: str, start_response):
        """Flask answers this poll; its 304, or its 200 in JSON, teaches the headers to give with the
        next one from the same Origin (all but the ETag and the length, which are the answer's own)."""

        def start(status, headers, exc_info=None):
            if status in (NOT_MODIFIED, OK) and len(self._headers) < 2 * REMEMBERED:
                names = [name.lower() for name, _ in headers]
                rest = [(name, value) for name, value in headers
                        if name.lower() not in ("etag", "content-length", "content-type")]
                typed = (status == NOT_MODIFIED and "content-type" not in names) or (
                    status == OK and [(n, v) for n, v in headers if n.lower() == "content-type"] == [JSON])
                if ("etag" in names and typed and not any(name.lower().startswith(NEVER_LEARNED) for name, _ in rest)):
                    self._headers[(status, origin)] = ([JSON, *rest] if status == OK else rest,
                                                       environ.get(ENVIRON_RULE))
            return start_response(status, headers, exc_info)

        return start
