"""One unit of work (DESIGN rule 18): `with transaction(session):` around a use case.

- the block ends normally: the session commits;
- anything is raised inside (a DomainError, a database error, a bug): the session rolls back and the
  exception goes on, so nothing the block wrote is left half-done in the database or in the session;
- a row changed by someone else since it was read (its version column moved, found at any flush
  inside the block or at the commit): rolled back and answered 409 `conflict`.

A use case that keeps something on purpose before it refuses (what a data source said, a failed
login attempt) writes that in a first block and refuses in a second: each block is one commit.
Blocks do not nest: a use case that runs inside another one's block would commit the outer one's
half-done work, so opening a second block on the same session is a programming error.

No Flask here: the same blocks run in requests, in the worker and in the CLI.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict

_OPEN = "onetrip.unit_of_work"


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit on success, roll back on any exception, a stale version is 409 `conflict`."""
    if session.info.get(_OPEN):
        raise RuntimeError("transaction() is already open on this session: units of work do not nest")
    session.info[_OPEN] = True
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("conflict") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)


def reads_in_autocommit(session) -> bool:
    """A request that only reads (a list page): its statements run in autocommit, so no BEGIN and no
    ROLLBACK go to the database (two round trips of five). Each statement sees the database as of its
    own start, as it does in a READ COMMITTED transaction anyway. A `transaction` block opened in such
    a request (the access log's one INSERT of a page's reads) commits with its statement: it must be
    one statement. Nothing changes if the session has begun already (False). The caller ends it with
    `end_reads` (the connection goes back to the pool in the default isolation)."""
    if (session if isinstance(session, Session) else session()).in_transaction():  # a scoped session
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def end_reads(session) -> None:
    """End what `reads_in_autocommit` began: no round trip (autocommit has no transaction to end)."""
    session.rollback()

