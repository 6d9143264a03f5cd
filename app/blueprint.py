"""The project's flask-smorest Blueprint: how a view declares who may call it, what it takes and
what happens before its body is read — all as decorators in the view's own stack."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import marshmallow as ma
import orjson
from flask import Flask, Response, after_this_request
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.utils import unpack_tuple_response

from app import idempotency
from app.auth import authenticate, claimed_citizen
from app.dumping import dumper
from app.extensions import db
from app.services.paging import pagination_metadata
from app.services.unit_of_work import end_reads, reads_in_autocommit
from app.smorest_patches import Parser, bound_pagination

bound_pagination()  # before any view below is decorated with paginate()

# Lists dumped by app.dumping; False: by the schema's own dump and Flask's JSON (tests compare the two).
FAST_LISTS = True

READS_ONLY = "onetrip_reads_only"  # set by Blueprint.paginate on the view it wraps

EDGE_POLICIES = "onetrip.edge"  # app.extensions key: endpoint -> EdgePolicy


@dataclass
class EdgePolicy:
    """What the app's before-request check (app/__init__.py, _json_bodies_only) does for one view."""

    multipart: bool = False  # multipart/form-data accepted besides JSON (files)
    before_parse: Callable[[], None] | None = None  # runs before the body is read or parsed


NO_POLICY = EdgePolicy()


def edge_policy(app: Flask, endpoint: str | None) -> EdgePolicy:
    return app.extensions.get(EDGE_POLICIES, {}).get(endpoint or "", NO_POLICY)


def _end_reads(response):
    end_reads(db.session)
    return response


class Blueprint(_Blueprint):
    """flask-smorest Blueprint with declared roles, commands, idempotency and edge policies."""

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**_Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._edge_policies: dict[str, EdgePolicy] = {}  # view function name -> policy

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """A total counted only up to a bound has its own X-Pagination (app/services/paging.py)."""
        return (pagination_metadata(page, page_size, item_count)
                or _Blueprint._make_pagination_metadata(page, page_size, item_count))

    def response(self, status_code, schema=None, **kwargs):
        """flask-smorest's response; a list (a schema with many=True) is dumped by app.dumping (equal to
        the schema's dump, a fraction of its cost) and encoded by orjson. The schema documents it as
        before."""
        document = super().response(status_code, schema, **kwargs)
        if not isinstance(schema, ma.Schema) or not schema.many:
            return document
        dump = dumper(schema)

        def decorator(func):
            @wraps(func)
            def dumped(*args, **kwargs):
                result, status, headers = unpack_tuple_response(func(*args, **kwargs))
                if FAST_LISTS and not isinstance(result, Response):
                    result = Response(orjson.dumps(dump(result), option=orjson.OPT_NON_STR_KEYS),
                                      status=status or status_code, mimetype="application/json")
                return result, status, headers

            return document(dumped)

        return decorator

    def paginate(self, *args, **kwargs):
        """flask-smorest's paginate; a paginated view is a list, which only reads (and records what
        staff were shown in the access log, one INSERT): its request runs in autocommit from the
        account's statement on (app.services.unit_of_work.reads_in_autocommit), when `auth_required`
        is above it in the stack as on every list."""
        paginate = super().paginate(*args, **kwargs)

        def decorator(func):
            wrapper = paginate(func)
            setattr(wrapper, READS_ONLY, True)  # kept by the functools.wraps of the decorators above
            return wrapper

        return decorator

    def auth_required(self, *roles: str, account_read_by_view: bool = False):
        """Require a logged-in actor (any of `roles`; none means any actor) and document it.

        `account_read_by_view`: a citizen's token is checked here but their account is read by the
        view's own statement (app.auth.claimed_citizen, passed as `claimed_citizen=`)."""

        def decorator(func):
            reads_only = getattr(func, READS_ONLY, False)

            @wraps(func)
            def wrapper(*args, **kwargs):
                # A list's first statement is the account's: its request reads in autocommit from here.
                if reads_only and reads_in_autocommit(db.session):
                    try:
                        return checked(*args, **kwargs)
                    finally:  # after the access log's write, which the view registered before
                        after_this_request(_end_reads)
                return checked(*args, **kwargs)

            def checked(*args, **kwargs):
                if account_read_by_view:
                    return func(*args, claimed_citizen=claimed_citizen(roles), **kwargs)
                authenticate(roles)
                return func(*args, **kwargs)

            doc = {"security": [{"bearerAuth": []}]}
            wrapper = self.doc(**doc)(wrapper)
            wrapper = self.alt_response(401, response="UNAUTHORIZED")(wrapper)
            if roles:
                wrapper = self.alt_response(403, response="FORBIDDEN")(wrapper)
            return wrapper

        return decorator

    def command(self, *roles: str, body=None, out, status: int = 200, idempotent: bool = True):
        """The contract of a state-changing POST on one resource: who may call it (any of `roles`),
        the Idempotency-Key (unless `idempotent=False`), the JSON `body` schema (none: no body), the
        answer `out` with `status`, and 404 (not yours) / 409 (illegal move or conflict)."""

        def decorator(func):
            stack = [self.alt_response(409, response="CONFLICT"), self.alt_response(404, response="NOT_FOUND"),
                     self.response(status, out)]
            if body is not None:
                stack.append(self.arguments(body))
            if idempotent:
                stack.append(self.idempotent)
            stack.append(self.auth_required(*roles))
            for wrap in stack:
                func = wrap(func)
            return func

        return decorator

    def idempotent(self, func):
        """Honour the Idempotency-Key header on a creating POST (API.md, Conventions)."""
        wrapper = idempotency.idempotent(func)
        wrapper = self.doc(parameters=[{
            "in": "header", "name": idempotency.HEADER, "required": False,
            "schema": {"type": "string", "maxLength": 64},
            "description": "retries with the same key and body return the first answer"}])(wrapper)
        return self.alt_response(422, response="UNPROCESSABLE_ENTITY")(wrapper)

    # -- edge policies: what happens before a view's body is read ---------------------------------

    def multipart(self, func):
        """This view takes multipart/form-data (files) as well as JSON; under /api/ such a body may
        be up to MAX_UPLOAD_BYTES. Without it a multipart write is 415 before anything reads it."""
        self._policy(func).multipart = True
        return func

    def before_parse(self, hook: Callable[[], None]):
        """Run `hook` before the request body is read or parsed (and before login is checked): to
        authenticate a signed call from its raw bytes, or to allow a larger body."""

        def decorator(func):
            self._policy(func).before_parse = hook
            return func

        return decorator

    def _policy(self, func) -> EdgePolicy:
        return self._edge_policies.setdefault(func.__name__, EdgePolicy())

    def register_edge_policies(self, app: Flask) -> None:
        """Hand this blueprint's policies to the app (by endpoint), once it is registered. A policy
        whose view is not a registered endpoint is a mistake found at start-up."""
        policies = app.extensions.setdefault(EDGE_POLICIES, {})
        for name, policy in self._edge_policies.items():
            endpoint = f"{self.name}.{name}"
            if endpoint not in app.view_functions:
                raise RuntimeError(f"edge policy for {endpoint}, which is not a registered view")
            policies[endpoint] = policy
