"""Prefect's process settings for the console command, set before anything imports prefect.

Three cases, in this order:
- PREFECT_API_URL set by the operator: nothing here overrides it; the run's log lines go to that
  server's API, as a worker's do, and only the terminal is kept quiet.
- The server of `credit server start` is running (its pid file `<var>/prefect/server.json` names a live
  process that answers): the command attaches to it, so Prefect's start-up is paid once, not per command.
- Otherwise Prefect's ephemeral mode: a temporary local API on the migrated database of `<var>/prefect`
  (reused from run to run), with what a batch run does not need switched off (analytics, the UI, the
  events' persister, triggers and actions; heartbeats in `no_heartbeat`). This process starts it itself,
  at once and in the background (`start_ephemeral`), instead of letting the first flow call start it and
  wait: its start-up (~5-8 s) overlaps the command's own imports, and `no_heartbeat` waits for it just
  before the flow call. It is stopped when the command exits (and by the kernel if the command dies).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

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
# What Prefect's own SubprocessASGIServer gives its ephemeral API (prefect/server/api/server.py); its output is
# captured, shown only when it fails to start: errors are kept there.
EPHEMERAL_SERVER = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
                    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR"}


@dataclass
class Ephemeral:
    """The temporary API this process started: its process, address, captured output, and what to import meanwhile."""

    process: subprocess.Popen[bytes]
    api_url: str
    output: IO[bytes]
    preload: tuple[Callable[[], object], ...]
    deadline: float = 0.0
    ready: bool = False


_ephemeral: list[Ephemeral] = []  # at most one: the API of this process


def prefect_home() -> Path:
    """Prefect's home of this installation: `<var>/prefect` (its SQLite database, profiles, server pid file)."""
    return Path(get_settings().var_dir) / "prefect"


def prepare_prefect(preload: tuple[Callable[[], object], ...] = ()) -> None:
    """Attach to the operator's or `credit server start`'s server, else start a quiet ephemeral API on var/prefect.

    `preload`: imports the flow will make anyway (Great Expectations: tasks/gx.py), run while that API starts.
    """
    if _ephemeral:
        return
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
    # Once prefect is loaded its settings are fixed (a test harness's API, say): it starts its own if it must.
    if not server and "prefect" not in sys.modules:
        _ephemeral.append(start_ephemeral(preload))
        os.environ["PREFECT_API_URL"] = _ephemeral[0].api_url


def start_ephemeral(preload: tuple[Callable[[], object], ...]) -> Ephemeral:
    """Prefect's ephemeral API, started now in the background on a socket bound here (no port race).

    The same uvicorn command and environment as Prefect's SubprocessASGIServer; its output is kept for the
    error message; it is ended at exit, or by the kernel when this process dies first (Linux).
    """
    import socket
    import tempfile

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | EPHEMERAL_SERVER
    command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
               "--fd", str(listener.fileno()), "--log-level", "error", "--lifespan", "on"]
    output = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the child; closed by stop_ephemeral
    with listener:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                   pass_fds=(listener.fileno(),), preexec_fn=_dies_with_parent())
    timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
    started = Ephemeral(process, f"http://127.0.0.1:{port}/api", output, preload, deadline=time.monotonic() + timeout)
    atexit.register(stop_ephemeral, started)  # registered before prefect's own: runs after its last flush
    return started


def _dies_with_parent() -> Callable[[], None] | None:
    """What the child runs first: ask for SIGTERM when this process ends, however it ends (Linux PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import signal

    prctl = ctypes.CDLL(None).prctl
    return lambda: prctl(1, signal.SIGTERM)


def wait_for_ephemeral() -> None:
    """Import the preloads while the ephemeral API starts, then wait until it answers; an error if it never does."""
    if not _ephemeral or _ephemeral[0].ready:
        return
    started = _ephemeral[0]
    if not healthy(started.api_url, timeout=0.2):
        for load in started.preload:
            load()
    while not healthy(started.api_url, timeout=2.0):
        if started.process.poll() is not None or time.monotonic() > started.deadline:
            raise RuntimeError(f"Prefect 临时服务未能启动（{_ended(started.process)}）：{_tail(started.output)}")
        time.sleep(0.05)
    started.ready = True


def stop_ephemeral(started: Ephemeral) -> None:
    """End the ephemeral API (TERM, KILL after 5 s) and reap it."""
    if started.process.poll() is None:
        started.process.terminate()
        try:
            started.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            started.process.kill()
            started.process.wait()
    started.output.close()


def _ended(process: subprocess.Popen[bytes]) -> str:
    return "等待超时" if process.poll() is None else f"已退出，退出码 {process.returncode}"


def _tail(output: IO[bytes], lines: int = 5) -> str:
    output.seek(0)
    return " | ".join(output.read().decode(errors="replace").strip().splitlines()[-lines:])


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


def exit_without_teardown(command: Callable[[], object]) -> None:
    """Run the console command, then end the process as Python does, less the teardown of every module.

    Python's exit frees the objects of every loaded module one by one: 1-3 s on this machine once
    Prefect, pandas and Great Expectations are loaded, and nothing a command writes depends on it. The
    steps before it are kept, in Python's order (Py_FinalizeEx): threading's exit hooks (Prefect's log
    and event workers drain there) and the join of the other threads, the atexit handlers (the ephemeral
    API is stopped there, logging flushed), then the standard streams are flushed. A command that loaded
    no Prefect (help, the calendar, the read-only store commands) has little to tear down: it exits as usual.
    """
    status: object = 0
    try:
        command()
    except SystemExit as done:
        if "prefect" not in sys.modules:
            raise
        status = done.code
    if "prefect" in sys.modules:
        _exit_now(status)


def _exit_now(status: object) -> NoReturn:
    import threading

    if status is not None and not isinstance(status, int):  # sys.exit("message"): printed, exit code 1
        sys.stderr.write(f"{status}\n")
        status = 1
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(status or 0)


def no_heartbeat():
    """Flow-run heartbeats off for batch runs (about 1 s saved per flow call), once the API answers.

    Every flow command calls its flow inside this block: the moment to wait for the ephemeral API.
    """
    wait_for_ephemeral()
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
