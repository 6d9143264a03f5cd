"""The project's flask-smorest Blueprint: how a view declares who may call it and what it takes."""
from __future__ import annotations

from functools import wraps

from flask_smorest import Blueprint as _Blueprint

from app import idempotency
from app.auth import authenticate
from app.smorest_patches import Parser, bound_pagination

bound_pagination()  # before any view below is decorated with paginate()


class Blueprint(_Blueprint):
    """flask-smorest Blueprint with a declared way to require a role."""

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**_Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}

    def auth_required(self, *roles: str):
        """Require a logged-in actor (any of `roles`; none means any actor) and document it."""

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                authenticate(roles)
                return func(*args, **kwargs)

            doc = {"security": [{"bearerAuth": []}]}
            wrapper = self.doc(**doc)(wrapper)
            wrapper = self.alt_response(401, response="UNAUTHORIZED")(wrapper)
            if roles:
                wrapper = self.alt_response(403, response="FORBIDDEN")(wrapper)
            return wrapper

        return decorator

    def command(self, role: str, schema, out, *, status: int = 200):
        """The contract of a state-changing POST on one resource: the role, Idempotency-Key, the body
        schema, the answer, and 404 (not yours) / 409 (illegal move or conflict)."""

        def decorator(func):
            for wrap in (self.alt_response(409, response="CONFLICT"), self.alt_response(404, response="NOT_FOUND"),
                         self.response(status, out), self.arguments(schema), self.idempotent,
                         self.auth_required(role)):
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
