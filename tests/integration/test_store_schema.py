"""Migrations build the schema the models describe; the audit log is append-only in the database (R-21)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, delete, inspect, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from store import Repository, get_settings, make_engine, migrate
from store.engine import alembic_config
from store.models import AuditEntry, Base

Inputs = Callable[..., dict[str, Any]]
TABLES = {"institutions", "snapshots", "cycles", "results", "findings", "quarantined_rows", "warnings", "audit_log"}


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrations_bring_an_empty_database_to_the_head_revision(blank_engine: Engine) -> None:
    migrate(blank_engine)
    with blank_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
        assert set(inspect(connection).get_table_names()) >= TABLES


def test_migrating_again_changes_nothing(blank_engine: Engine) -> None:
    migrate(blank_engine)
    migrate(blank_engine)
    with blank_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()


def test_the_migrated_schema_matches_the_models_exactly(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrading_to_base_removes_every_table_and_upgrading_restores_them(blank_engine: Engine) -> None:
    migrate(blank_engine)
    config = alembic_config()
    with blank_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not TABLES & set(inspect(blank_engine).get_table_names())
    migrate(blank_engine)
    assert set(inspect(blank_engine).get_table_names()) >= TABLES


def test_R21_the_audit_log_refuses_update_and_delete(session: Session, inputs: Inputs) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    [entry] = repository.audit_entries("cycle")
    for statement in (
        update(AuditEntry).where(AuditEntry.id == entry.id).values(why="rewritten"),
        delete(AuditEntry).where(AuditEntry.id == entry.id),
        text("UPDATE audit_log SET why = 'rewritten'"),
        text("DELETE FROM audit_log"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(statement)
    assert repository.audit_entries("cycle") == [entry]


def test_R21_the_audit_log_accepts_new_lines(session: Session) -> None:
    repository = Repository(session)
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    repository.audit("objection", "OB-1", "decided", "upheld on review", "wang.fang", at, {"state": "open"},
                     {"state": "upheld"})
    [entry] = repository.audit_entries("objection")
    assert (entry.by, entry.at, entry.before, entry.after) == ("wang.fang", at, {"state": "open"},
                                                               {"state": "upheld"})


def test_settings_default_to_a_sqlite_file_in_var_and_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CREDIT_DB_URL", raising=False)
    monkeypatch.setenv("CREDIT_VAR_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.var_dir == tmp_path / "state"
        assert settings.db_url == f"sqlite:///{tmp_path / 'state' / 'credit.db'}"
        monkeypatch.setenv("CREDIT_DB_URL", "sqlite:///elsewhere.db")
        assert get_settings() is settings
        get_settings.cache_clear()
        assert get_settings().db_url == "sqlite:///elsewhere.db"
    finally:
        get_settings.cache_clear()


def test_a_sqlite_engine_creates_its_folder_and_turns_on_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'deep' / 'credit.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (tmp_path / "var" / "deep").is_dir()
    finally:
        engine.dispose()
