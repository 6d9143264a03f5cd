"""The one unit of work (DESIGN rule 18), on its own: a throwaway SQLite file with one versioned table."""
from __future__ import annotations

import pytest
from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.errors import Conflict, ValidationFailed
from app.services.unit_of_work import transaction


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "uow_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Row(id=1, name="first"))
        session.commit()
    yield engine
    engine.dispose()


def names(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Row.name).order_by(Row.id)))


def test_commits_when_the_block_ends(engine):
    with Session(engine) as session:
        with transaction(session) as same:
            assert same is session
            session.add(Row(id=2, name="second"))
            session.get(Row, 1).name = "changed"
        assert not session.new and not session.dirty
    assert names(engine) == ["changed", "second"]


@pytest.mark.parametrize("error", [ValidationFailed("materials_missing"), Conflict("invalid_transition"),
                                   KeyError("a bug"), RuntimeError("anything")])
def test_rolls_back_on_any_exception_and_lets_it_through(engine, error):
    with Session(engine) as session:
        with pytest.raises(type(error)) as raised:
            with transaction(session):
                session.add(Row(id=2, name="second"))
                session.get(Row, 1).name = "changed"
                session.flush()  # written to the database, not yet committed
                raise error
        assert raised.value is error
        # Nothing half-written: neither in the database nor left pending in the session.
        assert not session.new and not session.dirty
        assert session.get(Row, 1).name == "first" and session.get(Row, 2) is None
    assert names(engine) == ["first"]


def _stale(engine, session: Session) -> Row:
    """`session` read the row; another connection changed it since (its version moved)."""
    row = session.get(Row, 1)
    with Session(engine) as other:
        other.get(Row, 1).name = "theirs"
        other.commit()
    return row


def test_stale_version_at_flush_is_409_conflict(engine):
    with Session(engine) as session:
        row = _stale(engine, session)
        with pytest.raises(Conflict) as raised:
            with transaction(session):
                session.add(Row(id=2, name="second"))
                row.name = "mine"
                session.flush()
                pytest.fail("the flush finds the stale version")
        assert raised.value.code == "conflict" and raised.value.status == 409
        assert not session.new and not session.dirty
    assert names(engine) == ["theirs"]


def test_stale_version_at_commit_is_409_conflict(engine):
    with Session(engine) as session:
        row = _stale(engine, session)
        with pytest.raises(Conflict) as raised:
            with transaction(session):
                session.add(Row(id=2, name="second"))
                row.name = "mine"  # no flush in the block: the commit finds it
        assert raised.value.code == "conflict"
    assert names(engine) == ["theirs"]


def test_second_block_after_a_refusal_keeps_the_first(engine):
    """A deliberate early commit is its own block; the refusal after it undoes only its own block."""
    with Session(engine) as session:
        with transaction(session):
            session.get(Row, 1).name = "kept"
        with pytest.raises(ValidationFailed):
            with transaction(session):
                session.add(Row(id=2, name="dropped"))
                raise ValidationFailed("materials_missing")
    assert names(engine) == ["kept"]


def test_blocks_do_not_nest(engine):
    with Session(engine) as session:
        with pytest.raises(RuntimeError, match="do not nest"):
            with transaction(session):
                session.get(Row, 1).name = "outer"
                with transaction(session):
                    pass
        with transaction(session):  # the failed outer block closed cleanly: a new one opens
            session.get(Row, 1).name = "again"
    assert names(engine) == ["again"]
