"""`credit server start | status | stop`: a real `prefect server start`, ended by the pid it recorded.

The commands run as child processes with a var folder of their own, so this test process keeps its
Prefect settings (other tests run a harness in it). No timing is asserted.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from store.settings import SettingsError, read_settings

ROOT = Path(__file__).resolve().parents[2]
CREDIT = [sys.executable, "-c", "from cli.main import main; main()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CREDIT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_start_attach_and_stop_by_pid(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "CREDIT_CONFIG"}
    env.update(CREDIT_VAR_DIR=str(tmp_path / "var"), CREDIT_PREFECT_PORT=str(port))
    pid_file = tmp_path / "var" / "prefect" / "server.json"
    assert _run(["server", "status"], env).returncode == 1  # nothing started yet
    started = _run(["server", "start", "--no-ui"], env)
    record = json.loads(pid_file.read_text(encoding="utf-8")) if pid_file.exists() else None
    try:
        assert started.returncode == 0, started.stderr
        assert record is not None and record["api_url"] == f"http://127.0.0.1:{port}/api"
        assert _alive(record["pid"])
        assert "运行中" in _run(["server", "status"], env).stdout
        assert "已在运行" in _run(["server", "start"], env).stdout  # a second start finds the first

        attach = ("from cli.runtime import prepare_prefect; import os; prepare_prefect(); "
                  "print(os.environ['PREFECT_API_URL'], os.environ['PREFECT_HOME'])")
        seen = subprocess.run([sys.executable, "-c", attach], env=env, cwd=ROOT, capture_output=True, text=True)
        assert seen.stdout.split() == [record["api_url"], str(tmp_path / "var" / "prefect")]

        stopped = _run(["server", "stop"], env)
        assert stopped.returncode == 0 and str(record["pid"]) in stopped.stdout
        assert not _alive(record["pid"]) and not pid_file.exists()
        assert _run(["server", "status"], env).returncode == 1
        assert "未运行" in _run(["server", "stop"], env).stdout
    finally:
        if record is not None and _alive(record["pid"]):
            os.killpg(record["pid"], signal.SIGKILL)


def test_a_configured_port_in_use_is_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "CREDIT_CONFIG"}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        env.update(CREDIT_VAR_DIR=str(tmp_path / "var"), CREDIT_PREFECT_PORT=str(busy.getsockname()[1]))
        refused = _run(["server", "start"], env)
    assert refused.returncode == 2 and "已被占用" in refused.stderr
    assert not (tmp_path / "var" / "prefect" / "server.json").exists()


def test_the_port_setting(tmp_path: Path) -> None:
    assert read_settings({"CREDIT_PREFECT_PORT": "4300"}).prefect_port == 4300
    assert read_settings({}).prefect_port is None
    for bad in ("0", "70000", "http", "42.5"):
        with pytest.raises(SettingsError, match="CREDIT_PREFECT_PORT"):
            read_settings({"CREDIT_PREFECT_PORT": bad})
    file = tmp_path / "credit.toml"
    file.write_text("prefect_port = 4310\n", encoding="utf-8")
    assert read_settings({"CREDIT_CONFIG": str(file)}).prefect_port == 4310


def _ephemeral_servers(home: Path) -> list[int]:
    """Pids of the ephemeral APIs (cli/runtime.py start_ephemeral) whose PREFECT_HOME is `home`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"prefect.server.api.server:create_app" in command and f"PREFECT_HOME={home}".encode() in env:
            found.append(int(proc.name))
    return found


def _wait_until(condition, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _ephemeral_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "CREDIT_CONFIG"}
    env.update(CREDIT_VAR_DIR=str(tmp_path / "var"), CREDIT_DB_URL=f"sqlite:///{tmp_path / 'var' / 'credit.db'}")
    return env


LINUX_PROC = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")


@pytest.mark.slow
@LINUX_PROC
def test_a_flow_command_in_ephemeral_mode_runs_on_its_own_api_and_stops_it(tmp_path: Path) -> None:
    import sqlite3

    home = tmp_path / "var" / "prefect"
    built = _run(["site", "build", "--out", str(tmp_path / "site"), "--as-of", "2026-01-20"], _ephemeral_env(tmp_path))
    assert built.returncode == 0, built.stderr
    with sqlite3.connect(home / "prefect.db") as db:  # the run went through the API on var/prefect
        assert db.execute("select count(*) from flow_run where state_type = 'COMPLETED'").fetchone() == (1,)
    assert _ephemeral_servers(home) == []  # and that API is gone with the command


@pytest.mark.slow
@LINUX_PROC
def test_a_killed_flow_command_takes_its_ephemeral_api_with_it(tmp_path: Path) -> None:
    home = tmp_path / "var" / "prefect"
    command = subprocess.Popen([*CREDIT, "site", "build", "--out", str(tmp_path / "site"), "--as-of", "2026-01-20"],
                               env=_ephemeral_env(tmp_path), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert _wait_until(lambda: _ephemeral_servers(home) != [], 120), "no ephemeral API started"
        command.kill()  # no atexit: the kernel's parent-death signal ends the API
        command.wait()
        assert _wait_until(lambda: _ephemeral_servers(home) == [], 60), _ephemeral_servers(home)
    finally:
        command.kill()
        for pid in _ephemeral_servers(home):
            os.kill(pid, signal.SIGKILL)
