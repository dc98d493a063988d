"""A statement run on the driver's cursor answers as ``Connection.execute`` does: the
same row, its values through the columns' types (aware UTC times, enums), inside the
connection's transaction; a driver error comes back as SQLAlchemy's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import DBAPIError

from idp.db import DriverStatement
from idp.http.errors import backend_down
from idp.hub import Hub
from idp.models import Account, table_of

from ..support.helpers import add_account
from ..support.hub import DATABASE_URL

_account = table_of(Account)
COLUMNS = (_account.c.id, _account.c.name, _account.c.last_signin_at, _account.c.status)
BY_SUBJECT = select(*COLUMNS).where(_account.c.subject == bindparam("who"))
SINCE = select(*COLUMNS).where(
    _account.c.subject == bindparam("who"), _account.c.last_signin_at >= bindparam("since")
)


def test_a_row_comes_back_as_connection_execute_gives_it(hub: Hub) -> None:
    subject = add_account(hub)
    at = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    by_subject, since = DriverStatement(BY_SUBJECT), DriverStatement(SINCE)
    with hub.database.engine.connect() as connection:
        connection.execute(
            update(_account)
            .where(_account.c.subject == subject)
            .values(name="新名字", last_signin_at=at)
        )
        row = by_subject.first(connection, {"who": subject})
        expected = connection.execute(BY_SUBJECT, {"who": subject}).one()
        # An aware time is bound as the column's type binds it.
        assert since.first(connection, {"who": subject, "since": at}) == row
        assert since.first(connection, {"who": subject, "since": at.replace(year=2027)}) is None
        assert by_subject.first(connection, {"who": "nobody"}) is None
        connection.rollback()
        after = by_subject.first(connection, {"who": subject})
    assert row is not None and tuple(row) == tuple(expected)
    assert row.name == "新名字" and row.last_signin_at == at and row.last_signin_at.tzinfo is UTC
    assert row.status is expected.status
    assert after is not None and after.name != "新名字"  # it ran in the rolled-back transaction


def test_a_driver_error_comes_back_as_sqlalchemys(hub: Hub) -> None:
    broken = DriverStatement(select(text("1")).where(text("no_such_column = 1")))
    with hub.database.engine.connect() as connection, pytest.raises(DBAPIError):
        broken.first(connection, {})


if DATABASE_URL.startswith("postgresql"):

    def test_a_lost_connection_is_invalidated_and_counts_as_the_database_down(hub: Hub) -> None:
        statement = DriverStatement(BY_SUBJECT)
        with hub.database.engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
            connection.rollback()
            with hub.database.engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(DBAPIError) as raised:
                statement.first(connection, {"who": "anyone"})
            assert raised.value.connection_invalidated and backend_down(raised.value)
            connection.rollback()
            # The pool hands out a new connection in its place.
            assert statement.first(connection, {"who": "nobody"}) is None
