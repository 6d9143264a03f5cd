"""The places where the project reaches into flask-smorest's and webargs' private code.

Both are small and pinned by tests (tests/api/test_hostile_input.py): if an upgrade moves the
private names, these fail loudly at import rather than silently stop applying."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest import pagination as _pagination
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from app.jsonio import strict_loads

MAX_PAGE = 1_000_000


def _bounded_pages(factory):
    """flask-smorest's pagination schema lets `page` be any size; an offset past 64 bits crashes
    the driver. Pages beyond a million are refused as a validation error instead."""

    def build(def_page, def_page_size, def_max_page_size):
        base = factory(def_page, def_page_size, def_max_page_size)

        class BoundedPages(base):
            page = ma.fields.Integer(load_default=def_page, validate=ma.validate.Range(min=1, max=MAX_PAGE))

        return BoundedPages

    build.bounded = True
    return build


def bound_pagination() -> None:
    """Patch flask-smorest's private pagination schema factory (once): `Blueprint.paginate` reads it
    when a view is decorated, so this runs before any blueprint module is imported."""
    if not getattr(_pagination._pagination_parameters_schema_factory, "bounded", False):
        _pagination._pagination_parameters_schema_factory = _bounded_pages(
            _pagination._pagination_parameters_schema_factory)


class PaginationMetadataSchema(_pagination.PaginationMetadataSchema):
    """X-Pagination as documented in /openapi.json: flask-smorest's fields and, for a list whose total is
    counted only up to a bound (app/services/paging.py), `total_at_least` in place of `total`,
    `total_pages` and `last_page`. Same class name: the component stays `PaginationMetadata`."""

    total_at_least = ma.fields.Int(metadata={
        "description": "Set instead of total, total_pages and last_page when more than 10,000 items match: "
                       "at least this many (counting further would cost more than the page)."})


def document_bounded_totals() -> None:
    """The header component flask-smorest registers in the spec documents `total_at_least` too."""
    _pagination.PAGINATION_HEADER["schema"] = PaginationMetadataSchema


class Parser(FlaskParser):
    """webargs' Flask parser with the app's strict JSON and a `multipart` location: form fields and
    files of one multipart/form-data body."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "multipart": ma.RAISE}
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def _raw_load_json(self, req):
        """JSON bodies through the app's strict parser (app/jsonio.py): hostile ones are 400."""
        if not is_json_request(req):
            return ma.missing
        try:
            return strict_loads(req.get_data(cache=True).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            self._handle_invalid_json_error(exc, req)

    def load_multipart(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)
