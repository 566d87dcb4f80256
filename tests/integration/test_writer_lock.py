"""One writer at a time (R-21): `credit advance` run at once with itself, an objection decision, a re-scoring
and a serious event.

Real `credit` processes on stores that hold the sample drop's 2025 cycle in publicity (window 2026-02-02 –
2026-02-28), an admissible objection to one result and a verified complaint the cycle has not taken in.
Whatever the processes' order on the writer lock, the store must end as the same commands run one after
the other leave it: the audit log (without ids and times), every result version's state and dates, the
cycles and the share packages, with every command ending well and printing no traceback.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.models import AuditEntry, Cycle, Result, SharePackage
from store.uow import Store
from tasks.lifecycle import PublicizeInput, publicize
from tests.support.site_store import evaluate_sample_without_prefect
from tests.support.store_copies import blank_store, store_copy
from tests.support.suite_env import SUITE_ENVIRONMENT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("writer-lock")]

CREDIT = Path(sys.executable).with_name("credit")
PREFECT = Path(sys.executable).with_name("prefect")
AS_OF = "2026-03-02"  # the first working day after the window: the advance determines, publishes, shares
OBJECTED = "91140105414792837W"  # objected to on 2026-02-24: under review until decided
COMPLAINED = "91140100188037955Y"  # a complaint verified in the store, taken in by `rescore --recorded-events`
COMPLAINT = "CMP-2025-9001"
SERIOUS = "12140500405757677G"  # a serious event verified on the run date (第十七条)
SERIOUS_EVENT = ("serious-event", "--institution", SERIOUS, "--clause", "6", "--decided", "2026-02-26",
                 "--verified", AS_OF, "--document", "晋环罚〔2026〕12号")
DECIDE = ("--on", AS_OF, "--decision", "rejected", "--reason", "扣分依据充分，维持原评价结果")


@dataclass(frozen=True)
class World:
    """A store and the folders its commands write to (var/, outbox, published lists, site)."""

    root: Path
    url: str

    def command(self, *args: str) -> list[str]:
        folders = {"advance": ["--outbox", str(self.root / "outbox"), "--published", str(self.root / "web"),
                               "--site", str(self.root / "site")]}
        return [str(CREDIT), *args, *folders.get(args[0], []), "--db", self.url, "--by", "test"]


@dataclass(frozen=True)
class PrefectServer:
    """The Prefect server every process of this module reports to (no ephemeral start-up per process)."""

    home: Path
    api_url: str


def started(world: World, prefect: PrefectServer, *commands: tuple[str, ...]) -> list[subprocess.Popen]:
    """The commands started back to back, so that they meet on the writer lock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CREDIT_"))}
    env |= {**SUITE_ENVIRONMENT, "CREDIT_VAR_DIR": str(world.root / "var"), "PREFECT_HOME": str(prefect.home),
            "PREFECT_PROFILES_PATH": str(prefect.home / "profiles.toml"), "PREFECT_API_URL": prefect.api_url}
    return [subprocess.Popen(world.command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=world.root) for args in commands]


def finished(processes: list[subprocess.Popen]) -> list[str]:
    """Every command's output, once each ended well and printed no traceback."""
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0 and "Traceback" not in err, f"{process.args}\n{out}\n{err}"
        outputs.append(out)
    return outputs


def run(world: World, prefect_home: PrefectServer, *commands: tuple[str, ...]) -> list[str]:
    """The commands at once."""
    return finished(started(world, prefect_home, *commands))


def one_after_the_other(world: World, prefect_home: PrefectServer, *commands: tuple[str, ...]) -> None:
    for args in commands:
        run(world, prefect_home, args)


def end_state(world: World) -> dict[str, list]:
    """What the store holds after the commands, with ids, times and the world's own folder left out."""
    engine = create_engine(world.url)
    try:
        with Session(engine) as session:
            audit = [(e.entity, e.entity_id, e.action, e.why, e.by, json.dumps([e.before, e.after], sort_keys=True,
                                                                              ensure_ascii=False))
                     for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
            results = [(r.institution_id, r.version, r.is_current, r.state, r.grade, str(r.score), r.publicity_on,
                        r.publicity_last_day, r.determined_on, r.publish_by, r.published_on, r.shared_on,
                        r.revoked_on, r.change_reason)
                       for r in session.scalars(select(Result).order_by(Result.institution_id, Result.version))]
            cycles = [(c.year, c.stage, c.snapshot) for c in session.scalars(select(Cycle))]
            shares = [(s.sequence, s.shared_on, s.path, s.digest)
                      for s in session.scalars(select(SharePackage).order_by(SharePackage.sequence))]
    finally:
        engine.dispose()
    state = {"audit": audit, "results": results, "cycles": cycles, "shares": shares}
    return json.loads(json.dumps(state, default=str, ensure_ascii=False).replace(str(world.root), "<world>"))


def assert_one_of(state: dict[str, list], orders: list[dict[str, list]]) -> None:
    """The state equals one of the orders; else the rows that differ from the nearest one are shown."""
    if state in orders:
        return
    nearest = min(orders, key=lambda order: sum(len(_differ(state[k], order[k])) for k in state))
    shown = {k: _differ(state[k], nearest[k]) or "the same rows in another order: the commands' transactions "
             "interleaved" for k in state if state[k] != nearest[k]}
    pytest.fail(f"an end state no order of the commands gives; rows (+ here, - in the nearest order): {shown}")


def _differ(rows: list, others: list) -> list[str]:
    here, there = list(map(json.dumps, rows)), list(map(json.dumps, others))
    return [f"+ {r}" for r in here if r not in there] + [f"- {r}" for r in there if r not in here]


def assert_written_once(state: dict[str, list]) -> None:
    assert len(state["audit"]) == len(set(map(tuple, state["audit"]))), "an audit row was written twice"


# ---- the stores ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory) -> Iterator[PrefectServer]:
    """One `prefect server start` for every process of this module, on a free port, stopped by its pid."""
    home = tmp_path_factory.mktemp("prefect")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(home), "PREFECT_PROFILES_PATH": str(home / "profiles.toml"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (home / "server.log").open("w")
    server = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(api, server, home / "server.log")
        yield PrefectServer(home, api)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _wait_healthy(api: str, server: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"prefect server ended with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"prefect server not healthy after {timeout} s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def template(request, tmp_path_factory, prefect_home) -> Iterator[World]:
    """One store per backend and module holding the publicised 2025 cycle, its objection and complaint.

    Built once (tests/support/store_copies.py); each case works on copies of it, never on it.
    """
    root = tmp_path_factory.mktemp(f"template-{request.param}")
    with blank_store(request.param, root) as url:
        world = World(root, url)
        _fill(world, prefect_home)
        yield world
    Store.close_all()


@pytest.fixture
def worlds(template, tmp_path) -> Iterator:
    """`make(name)`: a copy of the template store, in a folder of its own."""
    with ExitStack() as stack:

        def make(name: str) -> World:
            root = tmp_path / name
            root.mkdir(parents=True)
            return World(root, stack.enter_context(store_copy(template.url, root)))

        yield make
        Store.close_all()


def _fill(world: World, prefect_home: PrefectServer) -> None:
    """Evaluate the sample drop, publicise it on 2026-02-02, object to one result, verify a complaint."""
    evaluate_sample_without_prefect(world.url, world.root / "var")
    actor = Actor("test", datetime(2026, 2, 2, 9, tzinfo=UTC), "publicity (第十八条)")
    with Store.open(world.url).unit_of_work() as uow:
        publicize(uow, rules_for_year(2025), PublicizeInput(2025, date(2026, 2, 2), world.root / "pub", actor))
    Store.close_all()
    proof = world.root / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    one_after_the_other(
        world, prefect_home,
        ("objection", "add", "--year", "2025", "--institution", OBJECTED, "--received", "2026-02-24",
         "--filer-kind", "institution", "--filer-name", "山西信博环保科技有限公司", "--claim", "对扣分事项有异议",
         "--evidence", str(proof)),
        ("complaint", "add", "--institution", COMPLAINED, "--channel", "hotline_12345", "--received", "2025-08-01",
         "--summary", "监测报告数据与现场不符", "--id", COMPLAINT),
        ("complaint", "decide", COMPLAINT, "--on", "2025-08-20", "--outcome", "verified", "--note", "经查属实"),
    )


def objection_id(world: World) -> str:
    engine = create_engine(world.url)
    with engine.connect() as connection:
        found = connection.execute(text("select id from objections where admissible")).scalar_one()
    engine.dispose()
    return found


# ---- the proof -------------------------------------------------------------------------------------


def test_two_and_three_advances_at_once_end_like_one(worlds, prefect_home):
    alone, two, three = worlds("alone"), worlds("two"), worlds("three")
    advance = ("advance", "--as-of", AS_OF)

    [printed] = run(alone, prefect_home, advance)
    run(two, prefect_home, advance, advance)
    outputs = run(three, prefect_home, advance, advance, advance)

    expected = end_state(alone)
    assert "已确定29项、已公布29项、已共享29项" in printed  # the objected result stays under review
    assert_one_of(end_state(two), [expected])
    assert_one_of(end_state(three), [expected])
    assert_written_once(expected)
    assert sorted("没有需要推进的评价结果" in out for out in outputs) == [False, True, True]  # one did the work


def test_an_advance_next_to_an_objection_decision_ends_as_one_of_them_after_the_other(worlds, prefect_home):
    first_advance, first_decision, together = worlds("advance-first"), worlds("decision-first"), worlds("together")
    advance, decide = ("advance", "--as-of", AS_OF), ("objection", "decide", objection_id(together), *DECIDE)

    one_after_the_other(first_advance, prefect_home, advance, decide)
    one_after_the_other(first_decision, prefect_home, decide, advance)
    run(together, prefect_home, advance, decide)

    orders = [end_state(first_advance), end_state(first_decision)]
    assert orders[0] != orders[1]  # rejected on the run date: determined with the others only if decided first
    assert_one_of(end_state(together), orders)
    assert_written_once(end_state(together))


def test_an_advance_next_to_a_rescoring_ends_as_one_of_them_after_the_other(worlds, prefect_home):
    first_advance, first_rescore, together = worlds("advance-first"), worlds("rescore-first"), worlds("together")
    advance, rescore = ("advance", "--as-of", AS_OF), ("rescore", "--year", "2025", "--recorded-events", "--on", AS_OF)

    one_after_the_other(first_advance, prefect_home, advance, rescore)
    one_after_the_other(first_rescore, prefect_home, rescore, advance)
    run(together, prefect_home, advance, rescore)

    orders = [end_state(first_advance), end_state(first_rescore)]
    assert orders[0] != orders[1]  # the complained-of result is shared, then changed; or changed, then waits
    assert_one_of(end_state(together), orders)
    assert_written_once(end_state(together))


def test_an_advance_next_to_a_serious_event_ends_as_one_of_them_after_the_other(worlds, prefect_home):
    first_advance, first_event, together = worlds("advance-first"), worlds("event-first"), worlds("together")
    advance = ("advance", "--as-of", AS_OF)

    one_after_the_other(first_advance, prefect_home, advance, SERIOUS_EVENT)
    one_after_the_other(first_event, prefect_home, SERIOUS_EVENT, advance)
    run(together, prefect_home, advance, SERIOUS_EVENT)

    orders = [end_state(first_advance), end_state(first_event)]
    assert orders[0] != orders[1]  # shared, then revoked and changed; or changed first, then its publicity waits
    assert_one_of(end_state(together), orders)
    assert_written_once(end_state(together))
