"""One page of a list query and the total it was cut from (for X-Pagination)."""
from __future__ import annotations

from sqlalchemy import func, select
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


def page_of(session: Session, stmt, *order_by, page: int, page_size: int, rows: bool = False):
    """(items, total). `rows=True` for statements selecting several entities per row."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ordered = stmt.order_by(*order_by).limit(page_size).offset((page - 1) * page_size)
    items = session.execute(ordered).all() if rows else session.scalars(ordered).unique().all()
    return items, total
