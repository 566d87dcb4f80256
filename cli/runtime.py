"""Prefect's process settings for the console command, set before anything imports prefect.

Three cases, in this order:
- PREFECT_API_URL set by the operator: nothing here overrides it; the run's log lines go to that
  server's API, as a worker's do, and only the terminal is kept quiet.
- The server of `credit server start` is running (its pid file `<var>/prefect/server.json` names a live
  process that answers): the command attaches to it, so Prefect's start-up is paid once, not per command.
- Otherwise Prefect's ephemeral mode: a temporary local API started by this process on the migrated
  database of `<var>/prefect` (reused from run to run), with what a batch run does not need switched off
  (analytics, the UI, the events' persister, triggers and actions; heartbeats in `no_heartbeat`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.settings import get_settings
from tasks.outputs import pid_alive  # stdlib only: cheap on every command's path

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
    # A batch run in a temporary API: nobody reads its events afterwards, no automation acts on them.
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_ACTIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_LOGGER_ENABLED": "false",
}
AGAINST_A_SERVER = {
    # The run's lines reach the server's API (and its UI); the terminal shows only the command's own.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
}


SERVER_FILE = "server.json"  # written by `credit server start` in Prefect's home: pid, api_url, port


def prefect_home() -> Path:
    """Prefect's home of this installation: `<var>/prefect` (its SQLite database, profiles, server pid file)."""
    return Path(get_settings().var_dir) / "prefect"


def prepare_prefect() -> None:
    """Attach to the operator's or `credit server start`'s server, else quiet ephemeral state under var/prefect."""
    home = prefect_home()
    own = None if "PREFECT_API_URL" in os.environ else running_server(home)
    if own is not None:
        os.environ["PREFECT_API_URL"] = own["api_url"]
    server = "PREFECT_API_URL" in os.environ
    for key, value in (QUIET | (AGAINST_A_SERVER if server else EPHEMERAL)).items():
        os.environ.setdefault(key, value)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    if not server or own is not None:
        home.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(home))
        os.environ.setdefault("PREFECT_PROFILES_PATH", str(home / "profiles.toml"))


def running_server(home: Path) -> dict | None:
    """The server `credit server start` left running in `home`: its pid file, if the process lives and answers."""
    info = read_server_file(home)
    if info is None or not pid_alive(info["pid"]) or not healthy(info["api_url"], timeout=2.0):
        return None
    return info


def read_server_file(home: Path) -> dict | None:
    """The pid file's record ({pid, api_url, port, ...}), or None when there is none or it is unreadable."""
    try:
        info = json.loads((home / SERVER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(info, dict) and isinstance(info.get("pid"), int) and isinstance(info.get("api_url"), str)
    return info if ok else None


def healthy(api_url: str, timeout: float) -> bool:
    """Whether the Prefect API at `api_url` answers its health check."""
    from urllib.error import URLError
    from urllib.request import ProxyHandler, build_opener

    try:  # straight to the server: a proxy in the environment is not asked about a local address
        with build_opener(ProxyHandler({})).open(api_url.rstrip("/") + "/health", timeout=timeout) as response:
            return response.status == 200
    except (URLError, OSError, ValueError):
        return False


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
