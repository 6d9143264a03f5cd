"""One page of a list query and the total it was cut from (for X-Pagination).

The total is counted up to a bound: COUNT_LIMIT rows, or as far as the page asked for reaches if it
lies deeper. Below the bound it is exact and X-Pagination is flask-smorest's (`total`, `total_pages`,
`last_page`, ...). Past it (a region's delivered cases, a carrier's shipments: hundreds of thousands of
rows at a million applications, 90-130 ms to count exactly on PostgreSQL, the page itself under 2 ms)
the total is `AtLeast(n)` and X-Pagination says so: `total_at_least`, the page, the previous and next
pages, and no `total`/`last_page` (as GitLab does past 10,000). Counting stops at the bound, so it
costs what reaching the page costs (both walk an index up to the page's end). The count rides on the
page's own statement as a scalar subquery (`with_total`): a page and its total are one round trip.
"""
from __future__ import annotations

from sqlalchemy import func, inspect, literal_column, select
from sqlalchemy.orm import Session, joinedload

from models.application import Application
from models.catalogue import region_prefix


def with_parties():
    """Loader options for a page of applications shown with their applicant, agent and materials:
    joined to the page (LIMIT in a subquery, then the joins), so the page is one statement."""
    return (joinedload(Application.applicant), joinedload(Application.submitted_by),
            joinedload(Application.materials))


def in_region(column, region_code: str):
    """SQL: the 6-digit code in `column` lies in `region_code` (330800 covers 3308xx), as a range a
    B-tree index serves: `LIKE '3308%'` is only a filter under a non-C collation (C.UTF-8 included)."""
    prefix = region_prefix(region_code)
    if len(prefix) >= 6:
        return column == prefix
    return column.between(prefix.ljust(6, "0"), prefix.ljust(6, "9"))


COUNT_LIMIT = 10_000


class AtLeast(int):
    """A total counted up to a bound and not further: at least this many rows match."""


def _bound(page: int, page_size: int) -> int:
    return max(COUNT_LIMIT, page * page_size)


def _counting(stmt, bound: int):
    """`SELECT count(*) FROM (SELECT 1 ... LIMIT bound + 1)`: `stmt`'s columns do not matter (index-only)."""
    narrow = stmt.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True)
    return select(func.count()).select_from(narrow.limit(bound + 1).subquery())


def _at_least(total: int, bound: int) -> int:
    return AtLeast(total) if total > bound else total


def counted(session: Session, stmt, *, page: int, page_size: int, params: dict | None = None) -> int:
    """How many rows `stmt` selects, counted up to the bound (module docstring); AtLeast past it."""
    bound = _bound(page, page_size)
    return _at_least(session.scalar(_counting(stmt, bound), params), bound)


TOTAL = "onetrip_total"


def with_total(session: Session, page, counted_stmt, *, page_size: int, number: int, unique: bool = False,
               mappings: bool = False, params: dict | None = None):
    """(rows, total): the `page` statement run with the bounded total of `counted_stmt` as its last
    column, a scalar subquery the database runs once: the page and its total in one statement, one
    round trip. Each row comes back without that column (a tuple, or a dict with `mappings`). An empty
    first page is an empty list (0); an empty page past the end has no row to carry the total: it is
    counted by a second statement. `unique`: rows of joined collections; `params`: values of the
    statements' bindparams. `counted_stmt` selects as many rows as `page` would without its LIMIT
    (the page's joins are mandatory ones)."""
    bound = _bound(number, page_size)
    result = session.execute(page.add_columns(_counting(counted_stmt, bound).scalar_subquery().label(TOTAL)),
                             params)
    found = (result.unique() if unique else result).all()
    if not found:
        return [], 0 if number == 1 else counted(session, counted_stmt, page=number, page_size=page_size,
                                                 params=params)
    total = _at_least(found[0][-1], bound)
    if mappings:
        return [{k: v for k, v in row._mapping.items() if k != TOTAL} for row in found], total
    return [tuple(row[:-1]) for row in found], total


def pagination_metadata(page: int, page_size: int, total: int) -> dict | None:
    """X-Pagination for a total past the bound (None: flask-smorest's own for an exact total)."""
    if not isinstance(total, AtLeast):
        return None
    meta = {"total_at_least": int(total), "first_page": 1, "page": page, "next_page": page + 1}
    if page > 1:
        meta["previous_page"] = page - 1
    return meta


def page_of(session: Session, stmt, *order_by, page: int, page_size: int, rows: bool = False, count=None):
    """(items, total). `rows=True` for statements selecting several entities per row; `count`: a
    cheaper statement selecting as many rows as `stmt` (its mandatory joins left out).

    The page is cut from the keys alone (`SELECT id ... ORDER BY ... LIMIT ... OFFSET`, an index-only
    scan of the list's index) and read whole by those keys, with what it shows joined, in the same
    statement: a deep page skips index entries, not rows and their joins. Its total comes with it
    (`with_total`)."""
    narrow = stmt if count is None else count
    offset = (page - 1) * page_size
    key = inspect(narrow.column_descriptions[0]["entity"]).primary_key
    if len(key) == 1:
        keys = (narrow.order_by(None).with_only_columns(key[0], maintain_column_froms=True)
                .order_by(*order_by).limit(page_size).offset(offset))
        ordered = stmt.where(key[0].in_(keys.scalar_subquery())).order_by(*order_by)
    else:  # a composite key: cut the page from the rows themselves
        ordered = stmt.order_by(*order_by).limit(page_size).offset(offset)
    found, total = with_total(session, ordered, narrow, page_size=page_size, number=page, unique=not rows)
    return (found if rows else [row[0] for row in found]), total
