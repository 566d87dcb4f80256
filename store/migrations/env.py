"""Alembic environment: runs on the connection migrate() hands over, or on the settings' database URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from store.engine import make_engine
from store.models import Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or None
    engine = make_engine(url)
    try:
        with engine.begin() as own:
            run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("store migrations run online only: use store.migrate(engine)")
main()
