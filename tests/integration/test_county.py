"""R-01 `--county` on a real store (SQLite and PostgreSQL), without Prefect: the worked example publicised from
2026-02-02, determined on 03-01 and published on 03-02. A county outside rules/bureau.yaml is refused with
exit 2 naming `--county` and the valid ones; the branches get their own printable extracts of the final
list and of the plan. Issue 14: `cycle status` runs without pandas or pyarrow.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from credit.rules import rules_for_year
from store.uow import Store
from tests.integration.test_cycle_status import DATABASES, actor, determined_not_published, evaluated
from tests.support.databases import postgres_schema

COUNTIES = rules_for_year(2025).bureau.counties


def published(db: str, tmp_path: Path) -> None:
    from tasks.lifecycle import AdvanceInput, publish

    determined_not_published(db, tmp_path)
    given = AdvanceInput(2025, date(2026, 3, 2), actor("publish"), tmp_path / "web", tmp_path / "outbox",
                         tmp_path / "shares")
    with Store.open(db).unit_of_work() as uow:
        publish(uow, rules_for_year(2025), given)


@pytest.fixture(scope="module", params=DATABASES)
def db(request, tmp_path_factory) -> Iterator[str]:
    from store.settings import get_settings

    tmp_path = tmp_path_factory.mktemp("county")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else \
                postgres_schema() as url:
            try:
                evaluated(url, tmp_path / "var")
                published(url, tmp_path)
                yield url
            finally:
                Store.close_all()
    get_settings.cache_clear()


def credit(db: str, *args: str, code: int = 0):
    result = CliRunner().invoke(app, [*args, "--db", db])
    assert result.exit_code == code, result.output
    return result


@pytest.mark.parametrize("command", [("cycle", "status", "--year", "2025", "--as-of", "2026-03-13"),
                                     ("cycle", "lists", "--year", "2025", "--out", "{tmp}")])
def test_R01_a_county_not_in_bureau_yaml_is_refused_with_exit_2_naming_the_option_and_the_valid_ones(
        db, tmp_path, command):
    args = [part.replace("{tmp}", str(tmp_path / "lists")) for part in command]
    result = credit(db, *args, "--county", "太原市", code=2)
    assert "--county '太原市'" in result.output and "、".join(COUNTIES) in result.output
    assert not (tmp_path / "lists").exists()  # refused before anything is written


def test_R01_cycle_lists_writes_one_printable_extract_per_county_with_its_own_rows(db, tmp_path):
    shown = credit(db, "cycle", "lists", "--year", "2025", "--out", str(tmp_path)).stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"final_results_{c}.xlsx" for c in COUNTIES)
    sizes = {}
    for county in COUNTIES:
        ws = load_workbook(tmp_path / f"final_results_{county}.xlsx")["评价结果"]
        rows = list(ws.iter_rows(min_row=2))
        sizes[county] = len(rows)
        assert f"{county}{len(rows)}家" in shown
        assert {r[3].value for r in rows} <= {county}
        assert all(isinstance(r[7].value, datetime) and r[7].value.date() == date(2026, 3, 2) for r in rows)
        assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert sum(sizes.values()) == 15 and sizes["陵川县"] == 0 < sizes["高平市"]  # every published row, once


def test_R01_cycle_lists_county_writes_only_that_county(db, tmp_path):
    credit(db, "cycle", "lists", "--year", "2025", "--out", str(tmp_path), "--county", "阳城县")
    assert [p.name for p in tmp_path.iterdir()] == ["final_results_阳城县.xlsx"]
    notes = load_workbook(tmp_path / "final_results_阳城县.xlsx")["公布说明"]
    assert notes["A1"].value.endswith("（阳城县）")


def test_R01_the_plan_writes_an_extract_per_county_or_only_the_county_asked_for(db, tmp_path):
    from tasks.plan import PlanInput, make_plan

    rules = rules_for_year(2026)
    with Store.open(db).unit_of_work(write=False) as uow:
        every = make_plan(uow, rules, PlanInput(2026, "seed", tmp_path / "all"))
        one = make_plan(uow, rules, PlanInput(2026, "seed", tmp_path / "one", county="高平市"))
    assert {Path(p).name for p in every.written} >= {f"plan_{c}.xlsx" for c in COUNTIES}
    assert {Path(p).name for p in one.written} - {"plan.csv", "plan_inspectors.csv", "plan.html", "plan.xlsx"} == {
        "plan_高平市.xlsx"}
    assert (tmp_path / "one" / "plan.csv").read_bytes() == (tmp_path / "all" / "plan.csv").read_bytes()
    ws = load_workbook(io.BytesIO((tmp_path / "one" / "plan_高平市.xlsx").read_bytes()))["检查计划"]
    assert {r[3] for r in ws.iter_rows(min_row=2, values_only=True)} <= {"高平市"}


def test_R01_a_wrong_county_for_the_plan_is_refused_before_the_store_is_read(db, tmp_path):
    from tasks.county import CountyError
    from tasks.plan import PlanInput, make_plan

    with Store.open(db).unit_of_work(write=False) as uow, pytest.raises(CountyError, match="可选：城区、"):
        make_plan(uow, rules_for_year(2026), PlanInput(2026, "seed", tmp_path, county="太原市"))
    assert not any(tmp_path.iterdir())


def test_14_cycle_status_runs_without_pandas_or_pyarrow(db, tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from datetime import date
        from credit.rules import rules_for_year
        from store.uow import Store
        from tasks.status import StatusInput, cycle_status, status_text

        with Store.open({db!r}).unit_of_work(write=False) as uow:
            report = cycle_status(uow, rules_for_year(2025), StatusInput(2025, date(2026, 3, 13))).as_json()
        print(len(report["results"]), status_text(report).count("2025年度"))
        print(sorted(m for m in ("pandas", "pyarrow") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[2], env={**os.environ,
                          "CREDIT_VAR_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["15 1", "[]"]
