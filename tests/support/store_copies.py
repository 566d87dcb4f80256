"""Stores built once and copied for each test: SQLite's backup of the file, or a PostgreSQL database made with
`CREATE DATABASE ... TEMPLATE` from a database the module filled once (no test writes to the template).

A template database must have no open connection when it is copied: `store_copy` closes this process's
store of it first, and the `credit` processes that filled it have ended.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from store.uow import Store
from tests.support.databases import postgres_or_skip


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """The URL of a new PostgreSQL database (a copy of `template`'s database when given), dropped afterwards."""
    base = postgres_or_skip()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    source = f' template "{make_url(template).database}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'create database "{name}"{source}'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        Store.close(url)
        with admin.connect() as connection:
            connection.execute(text(f'drop database "{name}" with (force)'))
        admin.dispose()


@contextmanager
def blank_store(kind: str, folder: Path) -> Iterator[str]:
    """An empty store to build a template in: a SQLite file in `folder`, or a PostgreSQL database of its own."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'credit.db'}"
        try:
            yield url
        finally:
            Store.close(url)
        return
    with postgres_database() as url:
        yield url


@contextmanager
def store_copy(template: str, folder: Path) -> Iterator[str]:
    """A store holding the same rows as `template`: a SQLite file in `folder`, or a PostgreSQL database."""
    Store.close(template)
    if not template.startswith("sqlite"):
        with postgres_database(template) as url:
            yield url
        return
    url = f"sqlite:///{folder / 'credit.db'}"
    source, target = make_url(template).database, make_url(url).database
    with closing(sqlite3.connect(str(source))) as a, closing(sqlite3.connect(str(target))) as b:
        a.backup(b)
    try:
        yield url
    finally:
        Store.close(url)


class Templates:
    """Template stores of one backend, each built by `build(url, folder)` on first use and kept until `stack` ends."""

    def __init__(self, kind: str, folders: pytest.TempPathFactory, stack: ExitStack) -> None:
        self.kind, self._folders, self._stack = kind, folders, stack
        self._built: dict[Hashable, tuple[str, Path]] = {}

    def get(self, key: Hashable, build: Callable[[str, Path], None]) -> tuple[str, Path]:
        """The URL of the template store `key` and the folder it was built in."""
        if key not in self._built:
            folder = self._folders.mktemp(f"template-{self.kind}")
            url = self._stack.enter_context(blank_store(self.kind, folder))
            build(url, folder)
            Store.close(url)
            self._built[key] = url, folder
        return self._built[key]
