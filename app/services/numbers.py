"""Application numbers without collisions: one atomic upsert per number on a per-day counter."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.numbering import NumberSequence, make_number, sequence_prefix


def next_number(session: Session, region_code: str, day: date) -> str:
    """INSERT .. ON CONFLICT DO UPDATE .. RETURNING: concurrent creators serialise on the row."""
    prefix = sequence_prefix(region_code, day)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(NumberSequence).values(prefix=prefix, last_value=1)
    stmt = stmt.on_conflict_do_update(index_elements=[NumberSequence.prefix],
                                      set_={"last_value": NumberSequence.last_value + 1})
    value = session.execute(stmt.returning(NumberSequence.last_value)).scalar_one()
    return make_number(region_code, day, value)
