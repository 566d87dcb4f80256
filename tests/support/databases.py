"""Database URLs for tests: a SQLite file, or a fresh schema in the PostgreSQL at CREDIT_TEST_PG_URL.

Under CI=true PostgreSQL must be there: its tests fail rather than skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from store.uow import Store

PG_URL = os.environ.get("CREDIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_or_skip() -> str:
    """The PostgreSQL URL if the server answers; skip (or fail under CI=true) when it does not."""
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection problem means "not here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is required under CI=true: {exc}")
        pytest.skip(f"PostgreSQL at {PG_URL} not reachable: {exc}")
    return PG_URL


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new, empty schema, dropped afterwards with the store of the URL."""
    base = postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        yield rendered
    finally:
        Store.close(rendered)
        with admin.begin() as connection:
            connection.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()
