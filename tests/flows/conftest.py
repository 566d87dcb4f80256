"""One Prefect test server for the whole session (NOTES: ~14 s to start; heartbeats off)."""

from __future__ import annotations

import os

import pytest

from store.uow import Store
from tests.support.databases import postgres_schema

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")


@pytest.fixture(scope="session", autouse=True)
def prefect_server():
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120), temporary_settings(
        updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    ):
        yield


@pytest.fixture
def var_dir(tmp_path, monkeypatch):
    """A private var/ (snapshots, default SQLite) for one test."""
    from store.settings import get_settings

    monkeypatch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """The same test on the embedded SQLite file and on PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'credit.db'}"
        yield url
        Store.close(url)
        return
    with postgres_schema() as url:  # closes the store of the URL before dropping its schema
        yield url
