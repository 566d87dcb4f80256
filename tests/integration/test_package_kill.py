"""An advance killed while it shares (issue 11 items 2 and 9), on SQLite and PostgreSQL, without Prefect.

The sample drop evaluated and publicised with the plain use cases, then the advance's steps run in a real
subprocess in one writing unit of work, as the flow runs them, and killed with SIGKILL
(CREDIT_TEST_KILL_AFTER_FILES, read only by tasks/outputs.py kill_point) half way through the package, or
once the package folder is in place but nothing is committed. Either way the store has shared nothing, the
rerun writes package 2025-001 once, whole, and the market regulation department never gets a second package
of the same content; `credit verify` says what a killed run left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.uow import Store
from tasks.lifecycle import PublicizeInput, publicize
from tasks.outputs import KILL_AFTER_FILES
from tests.support.site_store import PUBLICITY_ON, YEAR, evaluated_sample

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ROOT = Path(__file__).resolve().parents[2]
SHARED_ON = date(2026, 3, 2)  # the first working day after the window (2026-02-02 + 15 working days)
ADVANCE = """
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.uow import Store
from tasks.lifecycle import ADVANCE_STEPS, AdvanceInput
db, var, day = sys.argv[1], Path(sys.argv[2]), date.fromisoformat(sys.argv[3])
given = AdvanceInput(2025, day, Actor("test", datetime.now(UTC), "advance"), published=var / "published",
                     outbox=var / "outbox", kept=var / "shares")
rules = rules_for_year(2025)
with Store.open(db).unit_of_work() as uow:
    for step in ADVANCE_STEPS:
        step(uow, rules, given)
"""


@pytest.fixture(params=DATABASES)
def db(request, tmp_path) -> Iterator[str]:
    with evaluated_sample(request.param, tmp_path) as url:
        actor = Actor("test", datetime.now(UTC), "publicity")
        with Store.open(url).unit_of_work() as uow:
            publicize(uow, rules_for_year(YEAR), PublicizeInput(YEAR, PUBLICITY_ON, tmp_path / "pub", actor))
        yield url


def advance(db: str, var: Path, kill: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != KILL_AFTER_FILES}
    env |= {KILL_AFTER_FILES: kill} if kill else {}
    return subprocess.run([sys.executable, "-c", ADVANCE, db, str(var), SHARED_ON.isoformat()], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def shared(db: str) -> tuple[list[int], set[str]]:
    """The packages the store recorded, and the states of the year's current results."""
    with Store.open(db).unit_of_work(write=False) as uow:
        cycle = uow.lifecycle.cycle(YEAR)
        return [s.sequence for s in uow.lifecycle.shares(cycle)], {r.state for r in uow.lifecycle.current(cycle)}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def verify(db: str, outbox: Path):
    return CliRunner().invoke(app, ["verify", "--db", db, "--outbox", str(outbox)])


def test_killed_half_way_through_the_package_nothing_is_shared_and_the_rerun_shares_it_once_whole(db, tmp_path):
    var = tmp_path / "var"
    outbox = var / "outbox"

    killed = advance(db, var, kill="package:2")

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (outbox / "2025-001").exists()  # never two files of a package without its manifest
    assert shared(db) == ([], {"in_publicity"})  # the whole advance rolled back with it
    assert verify(db, outbox).exit_code == 0  # the staging folder of a dead writer is not a package
    rerun = advance(db, var)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in outbox.iterdir()) == ["2025-001"]  # the dead writer's staging folder is gone
    assert shared(db) == ([1], {"shared"})
    assert "manifest.json" in tree(outbox / "2025-001")
    checked = verify(db, outbox)
    assert checked.exit_code == 0, checked.output
    typo = CliRunner().invoke(app, ["verify", "--db", db, "--site", str(tmp_path / "sitee")])
    assert typo.exit_code == 2 and f"--site {tmp_path / 'sitee'}：文件夹不存在" in typo.stderr


def test_killed_after_the_package_is_in_place_verify_names_it_and_the_rerun_writes_the_same_package_not_a_second(db, tmp_path):
    var = tmp_path / "var"
    outbox = var / "outbox"

    killed = advance(db, var, kill="package:swapped")

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = tree(outbox / "2025-001")
    assert shared(db) == ([], {"in_publicity"})
    found = verify(db, outbox)
    assert found.exit_code == 1
    assert f"多出：{(outbox / '2025-001').resolve()}（共享数据包文件夹；存储中没有该数据包的记录" in found.stdout
    rerun = advance(db, var)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in outbox.iterdir()) == ["2025-001"]
    assert shared(db) == ([1], {"shared"})
    assert tree(outbox / "2025-001") == left  # what may already have been picked up is what the store records
    assert verify(db, outbox).exit_code == 0
    again = advance(db, var)
    assert again.returncode == 0 and sorted(p.name for p in outbox.iterdir()) == ["2025-001"]
    assert shared(db) == ([1], {"shared"})


def test_killed_while_writing_the_final_lists_the_rerun_publishes_and_shares_once(db, tmp_path):
    var = tmp_path / "var"

    killed = advance(db, var, kill="list:3")

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (var / "published" / "2025").exists() and not (var / "outbox").exists()
    assert shared(db) == ([], {"in_publicity"})
    assert advance(db, var).returncode == 0
    assert sorted(tree(var / "published" / "2025")) == sorted(
        ["final_results.html", "final_results.csv", "final_results.xlsx", "a_list.html", "a_list.csv"])
    assert shared(db) == ([1], {"shared"})
    assert CliRunner().invoke(app, ["verify", "--db", db]).exit_code == 0
