"""The pipeline as production runs it: a Prefect server, process workers from the project's .venv, prefect.yaml.

The test starts `prefect server start` on a free port (a private PREFECT_HOME), prepares it with
`credit server setup` (work pool, the writers' queue, the failure alert against an SMTP server it runs on
127.0.0.1), deploys prefect.yaml with `prefect --no-prompt deploy --all`, and starts two workers:
one given its store (CREDIT_DB_URL naming a fresh PostgreSQL schema, and a CREDIT_CONFIG file), one with
none. Through the first it runs the annual evaluation of the sample drop, publicize and advance; a
`credit site build` against the server shows a CLI run's log lines reach the API too; through the
second worker a daily advance must fail at once, store nothing, and make the alert's mail arrive.
Server and workers are stopped by their process groups. Under CI=true it runs, never skips (PostgreSQL
missing fails it). The flows' own artifacts and log lines (issue 10, item 2) are for their owners to
assert, with `PrefectApi.run_record`. It prints the seconds each phase took.
"""

from __future__ import annotations

import contextlib
import email
import email.header
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.prefect_api import PrefectApi, RunRecord
from tests.support.databases import postgres_schema
from tests.support.smtp import Inbox, free_port, local_smtp
from tests.support.suite_env import SUITE_ENVIRONMENT

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("e2e")]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.prefix) / "bin"  # the project's .venv: the worker runs the flows with its python
SAMPLE_DROP = ROOT / "data" / "sample-drop"
POOL, WRITERS, BARE = "credit-pool", "credit-writers", "unconfigured"


def clean_environment(**extra: str) -> dict[str, str]:
    """The machine's environment without any Prefect or credit setting of the test process, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CREDIT_", "PG"))}
    env.update(SUITE_ENVIRONMENT, **extra)
    return env


class Processes:
    """Processes started in their own process groups, stopped by id in `stop_all` (SIGTERM, then SIGKILL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.started.append((name, process))
        return process

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-tail:] if path.exists() else ""

    def stop_all(self) -> None:
        """The workers first (together), the server last: a worker says goodbye to the server as it stops."""
        server = [p for name, p in self.started if name == "server"]
        for group in ([p for name, p in self.started if name != "server"], server):
            for process in group:
                _signal_group(process, signal.SIGTERM)
            for process in group:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait(timeout=10)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # the group the process leads (start_new_session): the flow runs too


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with local_smtp() as server:
        yield server


def run_cli(command: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_healthy(api: PrefectApi, processes: Processes, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not api.healthy():
        assert server.poll() is None, f"prefect server exited:\n{processes.log('server')}"
        assert time.monotonic() < deadline, f"prefect server not healthy in {timeout} s:\n{processes.log('server')}"
        time.sleep(0.5)


def current_results(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("select count(*) from results where is_current")).scalar_one()
    finally:
        engine.dispose()


def audit_rows(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("select count(*) from audit_log")).scalar_one()
    finally:
        engine.dispose()


def completed(record: RunRecord, processes: Processes) -> RunRecord:
    assert record.state == "COMPLETED", (
        f"{record.name}: {record.state} {record.message}\n" + "\n".join(record.logs[-20:])
        + f"\n--- worker ---\n{processes.log('worker')}")
    assert record.logs, f"{record.name}: no log lines reached the API"
    return record


class Clock:
    """Seconds per phase, printed at the end: where the test's time goes."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.phases: list[str] = []

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.phases.append(f"{phase} {now - self.last:.0f} s")
        self.last = now

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def test_a_worker_runs_the_year_on_postgres_and_a_worker_without_a_store_fails_loudly(tmp_path, smtp):
    clock = Clock()
    smtp_port, inbox = smtp
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    processes = Processes(tmp_path)
    api = PrefectApi(api_url)
    client = clean_environment(PREFECT_API_URL=api_url, PREFECT_HOME=str(tmp_path / "prefect-client"),
                               PREFECT_SERVER_ANALYTICS_ENABLED="false", CREDIT_HOME=str(ROOT))
    with postgres_schema() as db_url:
        try:
            server = processes.start("server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                                "--port", str(port)], clean_environment(
                PREFECT_HOME=str(tmp_path / "prefect-server"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                PREFECT_UI_ENABLED="false", PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false"))
            wait_healthy(api, processes, server)
            clock.mark("server")
            setup_command = [str(BIN / "credit"), "server", "setup", "--smtp-url", f"smtp://127.0.0.1:{smtp_port}",
                             "--to", "ops@example.org", "--from", "credit@example.org"]
            setup = run_cli(setup_command, client)
            assert "credit-writers：并发上限 1" in setup and "credit-run-failed" in setup, setup
            clock.mark("setup")
            api.create_queue(POOL, BARE)
            config = tmp_path / "credit.toml"  # the worker's settings file: the var folder, relative to it
            config.write_text('var_dir = "var"\nlock_timeout = 60\n', encoding="utf-8")
            worker = client | {"PREFECT_WORKER_QUERY_SECONDS": "1", "CREDIT_DB_URL": db_url,
                               "CREDIT_CONFIG": str(config)}
            bare = client | {"PREFECT_WORKER_QUERY_SECONDS": "1", "CREDIT_VAR_DIR": str(tmp_path / "bare-var")}
            start_worker = [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--type", "process"]
            processes.start("worker", [*start_worker, "--name", "configured", "--work-queue", "default",
                                       "--work-queue", WRITERS], worker)
            processes.start("bare-worker", [*start_worker, "--name", "unconfigured", "--work-queue", BARE], bare)
            again = processes.start("setup-again", setup_command, client)  # beside the deploy: time saved
            run_cli([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], client)
            assert again.wait(timeout=120) == 0, processes.log("setup-again")
            assert [a["name"] for a in api.automations()] == ["credit-run-failed"]  # replaced, not doubled
            clock.mark("deploy, and setup again")
            assert api.queue(POOL, WRITERS)["concurrency_limit"] == 1
            assert api.deployment("advance", "daily-advance")["work_queue_name"] == WRITERS

            evaluation = completed(api.wait(api.start("annual-evaluation", "annual-evaluation", {
                "drop": str(SAMPLE_DROP), "year": 2025, "as_of": "2026-01-20", "out": str(tmp_path / "out"),
                "by": "e2e"}), timeout=240), processes)
            clock.mark("annual evaluation")
            assert current_results(db_url) == 30
            assert (tmp_path / "out" / "publicity.html").is_file()
            assert any((tmp_path / "var" / "snapshots").iterdir())  # CREDIT_CONFIG's var folder
            completed(api.wait(api.start("publicize", "publicize", {"year": 2025, "on": "2026-02-02", "by": "e2e"}),
                               timeout=120), processes)
            assert (tmp_path / "var" / "published" / "2025").is_dir()
            clock.mark("publicize")
            completed(api.wait(api.start("advance", "daily-advance", {
                "as_of": "2026-03-02", "site": str(tmp_path / "site"), "by": "e2e"}), timeout=120), processes)
            assert list((tmp_path / "var" / "outbox").iterdir())  # shared with the market regulation department
            assert (tmp_path / "site" / "index.html").is_file()
            clock.mark("advance")
            # What the UI shows of the evaluation: its own lines, and the year's summary and county table.
            assert any("activities.csv：读取 3000 行，接受 3000 行，隔离 0 行" in line for line in evaluation.logs), \
                "\n".join(evaluation.logs)
            assert any("存储：新增 30" in line for line in evaluation.logs), "\n".join(evaluation.logs)
            summary = evaluation.artifact("evaluation-2025")
            assert summary["type"] == "markdown" and "隔离" in summary["data"], summary
            assert evaluation.artifact("evaluation-2025-grades-by-county")["type"] == "table"

            # A CLI run against the server is a flow run of its own, whose log lines reach the API too.
            cli = client | {"CREDIT_DB_URL": db_url, "CREDIT_VAR_DIR": str(tmp_path / "var")}
            run_cli([str(BIN / "credit"), "site", "build", "--out", str(tmp_path / "cli-site"),
                     "--as-of", "2026-03-02"], cli)
            [site_run] = api.runs_of("site-build")
            completed(api.settled_record(site_run), processes)
            clock.mark("cli site build")

            audited = audit_rows(db_url)
            failed = api.wait(api.start("advance", "daily-advance", {"as_of": "2026-03-03"}, queue=BARE),
                              timeout=120)
            assert failed.state == "FAILED", f"{failed.state} {failed.message}\n{processes.log('bare-worker')}"
            assert "CREDIT_DB_URL" in failed.message and "CREDIT_CONFIG" in failed.message, failed.message
            assert any("CREDIT_DB_URL" in line for line in failed.logs), "\n".join(failed.logs)
            assert audit_rows(db_url) == audited and current_results(db_url) == 30  # nothing stored
            assert not (tmp_path / "bare-var" / "credit.db").exists()  # no fallback to the embedded SQLite file
            clock.mark("unconfigured run")

            [mail] = inbox.wait(timeout=90) or [None]
            assert mail is not None, "no alert mail arrived\n" + processes.log("server")
            subject = str(email.header.make_header(email.header.decode_header(mail["Subject"])))
            assert "advance/daily-advance" in subject and "Failed" in subject, subject
            assert mail["To"] == "ops@example.org"
            assert "CREDIT_DB_URL" in mail.get_payload(decode=True).decode("utf-8")
            clock.mark("mail")
        finally:
            processes.stop_all()
            api.close()
    # Its time is reported, never asserted (speed is bench/run.py's to measure): the budget is 3 minutes.
    print(f"end-to-end: {clock.elapsed:.0f} s ({', '.join(clock.phases)})")
