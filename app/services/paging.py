"""One page of a list query and the total it was cut from (for X-Pagination)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def page_of(session: Session, stmt, *order_by, page: int, page_size: int, rows: bool = False):
    """(items, total). `rows=True` for statements selecting several entities per row."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ordered = stmt.order_by(*order_by).limit(page_size).offset((page - 1) * page_size)
    items = session.execute(ordered).all() if rows else session.scalars(ordered).unique().all()
    return items, total
