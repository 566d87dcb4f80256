"""The management system's database as a drop source (DATA_CONTRACT.md "Inputs"): a connection and its queries.

This is input, not the credit store: `tasks.drop_io.read_drop_sql` turns what it reads into a drop. It sits
here so that every SQLAlchemy call of the product lives in store/.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


class SourceUrlError(ValueError):
    """Not a database URL SQLAlchemy can use."""


class SourceQueryError(Exception):
    """A query the source database refused; `reason` is the driver's own message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def masked(url: str) -> str:
    """The URL with its password hidden, for the snapshot's origin and messages."""
    return sa.make_url(url).render_as_string(hide_password=True)


class SourceConnection:
    """One open connection to the source database, streaming each query's rows in partitions."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def rows(self, query: str, partition: int = 50_000) -> tuple[list[str], Iterator[Any]]:
        """The column names and an iterator over the rows, fetched `partition` at a time."""
        try:
            result = self.connection.execution_options(stream_results=True).execute(sa.text(query))
        except sa.exc.DBAPIError as error:
            if error.connection_invalidated:
                raise  # a dropped connection may heal: the Prefect task retries it
            raise SourceQueryError(str(error.orig)) from error
        header = [str(key) for key in result.keys()]  # noqa: SIM118 - iterating a result gives rows
        return header, (row for part in result.partitions(partition) for row in part)


@contextmanager
def source_connection(url: str) -> Iterator[SourceConnection]:
    """A connection to the source database, closed and its engine disposed afterwards."""
    try:
        engine = sa.create_engine(sa.make_url(url))
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
        raise SourceUrlError(str(error)) from error
    try:
        with engine.connect() as connection:  # connection errors propagate: the task retries them
            yield SourceConnection(connection)
    finally:
        engine.dispose()
