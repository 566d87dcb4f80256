"""Issue 14 item 1: help and the calendar's commands load neither Prefect, Great Expectations, pandas, pyarrow,
SQLAlchemy nor Alembic; the read-only store commands (cycle status, objection list, audit, audit verify,
letters) load SQLAlchemy for their queries and nothing else of those, nor the report renderers' openpyxl and
Jinja2. Each command runs in a fresh interpreter, which then prints what it loaded.

No timing here (bench/latency.py measures the cost); this keeps the heavy imports from creeping back in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

HEAVY = ("prefect", "great_expectations", "pandas", "pyarrow", "sqlalchemy", "alembic")
STORE_HEAVY = ("prefect", "great_expectations", "pandas", "pyarrow", "alembic", "openpyxl", "jinja2")
RUN_AND_LIST = """
import json, sys
from cli.main import main
sys.argv = ["credit", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as stop:
    code = stop.code or 0
else:
    code = 0
print(json.dumps({"code": code, "loaded": sorted({name.split(".")[0] for name in sys.modules})}), file=sys.stderr)
"""
COMMANDS = [
    ["--help"],
    ["workdays", "years"],
    ["workdays", "--help"],
    ["cycle", "--help"],
    ["objection", "--help"],
    ["audit", "--help"],
    ["inspection", "--help"],
    ["complaint", "--help"],
    ["inspectors", "--help"],
    ["evaluate", "--help"],
    ["advance", "--help"],
]


STORE_COMMANDS = [
    ["cycle", "status", "--year", "2025", "--as-of", "2026-02-25"],
    ["cycle", "status", "--year", "2025", "--as-of", "2026-02-25", "--json"],
    ["objection", "list", "--year", "2025"],
    ["audit", "verify"],
    ["audit", "--year", "2025"],
    ["letters", "--year", "2025"],
    ["inspection", "list", "--year", "2025"],
    ["complaint", "list", "--year", "2025"],
]
OBJECTED = "91140581173546984A"  # tests/flows/test_objections_cycle.py
OTHER = "121405241225528314"


def run_command(command: list[str], env: dict[str, str]) -> tuple[dict, str]:
    """The command's exit code and the top-level packages it loaded, and what it printed."""
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, json.dumps(command)], capture_output=True, text=True,
                          env=env, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stdout + done.stderr
    return report, done.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_the_command_loads_none_of_the_heavy_libraries(command: list[str], tmp_path) -> None:
    report, _ = run_command(command, {**os.environ, "CREDIT_VAR_DIR": str(tmp_path / "var")})
    assert [name for name in HEAVY if name in report["loaded"]] == []


@pytest.fixture(scope="module")
def store_env(tmp_path_factory) -> dict[str, str]:
    """A SQLite store of the worked example in publicity from 2026-02-02, with an admissible objection and
    one deemed withdrawn (its letter written), built in this process without Prefect."""
    from store.settings import get_settings
    from store.uow import Store

    folder = tmp_path_factory.mktemp("lazy-store")
    url, var_dir = f"sqlite:///{folder / 'credit.db'}", folder / "var"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_VAR_DIR", str(var_dir))
        get_settings.cache_clear()
        try:
            publicized_with_objections(url, var_dir, folder)
        finally:
            Store.close_all()
    get_settings.cache_clear()
    return {**os.environ, "CREDIT_VAR_DIR": str(var_dir), "CREDIT_DB_URL": url, "PROOF": str(folder / "proof.pdf")}


def publicized_with_objections(url: str, var_dir: Path, folder: Path) -> None:
    from credit.rules import rules_for_year
    from store.lifecycle import Actor
    from store.uow import Store
    from tasks.lifecycle import PublicizeInput, publicize
    from tasks.objections import AddInput, Filing, Intake, add_objection
    from tests.integration.test_cycle_status import evaluated

    evaluated(url, var_dir)
    rules, actor = rules_for_year(2025), Actor("tester", datetime.now(UTC), "test")
    proof = folder / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    with Store.open(url).unit_of_work() as uow:
        publicize(uow, rules, PublicizeInput(2025, date(2026, 2, 2), folder / "pub", actor))
    for institution, evidence in ((OBJECTED, (proof,)), (OTHER, ())):
        intake = Intake(year=2025, institution_id=institution, received_on=date(2026, 2, 10), filer_kind="institution",
                        filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=evidence)
        with Store.open(url).unit_of_work() as uow:
            add_objection(uow, rules, AddInput(intake, actor, Filing.under(var_dir)))


@pytest.mark.parametrize("command", STORE_COMMANDS, ids=" ".join)
def test_the_read_only_store_command_loads_sqlalchemy_and_none_of_the_other_heavy_libraries(
    command: list[str], store_env: dict[str, str]
) -> None:
    report, printed = run_command(command, store_env)

    assert [name for name in STORE_HEAVY if name in report["loaded"]] == []
    assert "sqlalchemy" in report["loaded"] and printed.strip()  # it did read the store


def test_registering_an_admissible_objection_loads_sqlalchemy_and_none_of_the_other_heavy_libraries(
    store_env: dict[str, str]
) -> None:
    command = ["objection", "add", "--year", "2025", "--institution", OBJECTED, "--received", "2026-02-12",
               "--filer-kind", "public", "--filer-name", "张三", "--claim", "对扣分事项有异议", "--evidence",
               store_env["PROOF"], "--by", "tester"]
    report, printed = run_command(command, store_env)

    assert [name for name in STORE_HEAVY if name in report["loaded"]] == []
    assert "复核期限" in printed
