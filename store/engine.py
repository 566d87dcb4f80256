"""Engine factory and migrations: nothing connects at import time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from store.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: settings); SQLite gets foreign keys, WAL and real transactions."""
    url = url or get_settings().db_url
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine)
    return engine


def _prepare_sqlite(engine: Engine) -> None:
    database = make_url(engine.url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # sqlite3's legacy mode would skip BEGIN before SELECT, DDL and SAVEPOINT: we emit it ourselves,
    # so a save is one transaction and savepoints nest (SQLAlchemy docs, "sqlite_transactions").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # A writer takes SQLite's write lock before it reads anything (BEGIN IMMEDIATE), waiting up to the
    # store's lock timeout for another writer: its reads then see what that writer committed.
    options = connection.get_execution_options()
    store = options.get("credit_store")
    if options.get("credit_writer") and store is not None:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(store.lock_timeout * 1000)}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.exec_driver_sql("BEGIN")


def alembic_config() -> Any:
    """The Alembic configuration of store/migrations, built in code (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> set[str]:
    """The newest migrations, read from the migration files themselves (Alembic's runtime costs ~0.3 s to import)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision\s*=\s*"([^"]+)"', text, re.MULTILINE)
        parent = re.search(r'^down_revision\s*=\s*"([^"]+)"', text, re.MULTILINE)
        if revision:
            revisions.add(revision.group(1))
        if parent:
            parents.add(parent.group(1))
    return revisions - parents


def at_head(engine: Engine) -> bool:
    """True when the database is already at the newest migration (read without any lock)."""
    with engine.connect() as connection:
        try:
            current = {row[0] for row in connection.exec_driver_sql("select version_num from alembic_version")}
        except DBAPIError:
            current = set()  # a new database: no alembic_version table yet
        connection.rollback()
    return current == head_revisions()


def migrate(engine: Engine, revision: str = "head", lock_timeout: float | None = None) -> None:
    """Bring the database to `revision` (default the newest) with Alembic, in one transaction.

    On PostgreSQL the transaction first takes the store's writer lock, so two processes starting on a new
    schema migrate one after the other; on SQLite a writer engine (Store) begins IMMEDIATE for the same end.
    """
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            if lock_timeout is not None:
                connection.exec_driver_sql(f"set local lock_timeout = '{int(lock_timeout * 1000)}ms'")
            connection.exec_driver_sql(
                "select pg_advisory_xact_lock(20251, (hashtext(current_database() || '.' || current_schema())"
                " & 2147483647))"
            )
            connection.exec_driver_sql("set local lock_timeout to default")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def migrated_engine(url: str | None = None) -> Engine:
    """An engine for `url` whose database is at the newest migration: what every command starts with."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: a session whose transaction commits when the block ends and rolls back on error."""
    with Session(engine) as session, session.begin():
        yield session
