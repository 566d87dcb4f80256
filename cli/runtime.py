"""Prefect's process settings for the console command, set before anything imports prefect.

Without PREFECT_API_URL the flows run in Prefect's ephemeral mode: a temporary local API in this
process, no server to run, and Prefect stays silent (the command prints its own account). With
PREFECT_API_URL set (a real server), nothing here overrides it and the run's log lines go to the server's
API, as a worker's do: only the terminal is kept quiet.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.settings import get_settings

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral API's own services log a cancelled flush as a traceback when the command exits.
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_UI_ENABLED": "false",
}
EPHEMERAL = {
    # The command prints its own one-line error (CLI.md: no traceback unless --debug).
    "PREFECT_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
}
AGAINST_A_SERVER = {
    # The run's lines reach the server's API (and its UI); the terminal shows only the command's own.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
}


def prepare_prefect() -> None:
    """Quiet, isolated Prefect state under var/prefect unless the operator configured Prefect already."""
    server = "PREFECT_API_URL" in os.environ
    for key, value in (QUIET | (AGAINST_A_SERVER if server else EPHEMERAL)).items():
        os.environ.setdefault(key, value)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    if not server:
        home = Path(get_settings().var_dir) / "prefect"
        home.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(home))
        os.environ.setdefault("PREFECT_PROFILES_PATH", str(home / "profiles.toml"))


def no_heartbeat():
    """Flow-run heartbeats off for batch runs (about 1 s saved per flow call)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


@contextmanager
def sandbox_settings(*, var_dir: Path, db_url: str) -> Iterator[None]:
    """CREDIT_VAR_DIR and CREDIT_DB_URL pointed at a sandbox for the block (the demo), then put back.

    The settings are cached (store.settings.get_settings): the cache is cleared on the way in and out,
    so the flow and its tasks see the sandbox and later code sees the configured store again.
    """
    names = {"CREDIT_VAR_DIR": str(var_dir), "CREDIT_DB_URL": db_url}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
