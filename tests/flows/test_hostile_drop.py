"""Issue 11 items 6, 10 and 11: a hostile drop evaluates (rc 0) and both backends store the same thing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from store.uow import Store
from tests.support.databases import postgres_schema
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

LONG_COUNTY = "长" * 40
LONG_NATURE = "法" * 40
HUGE_NAME = "名" * 40_000


def edit(path: Path, row: int, **cells: str) -> None:
    """Set cells of one data row (row 2 = first data row) of a contract CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    for column, value in cells.items():
        rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.fixture
def hostile(tmp_path) -> Path:
    drop = tmp_path / "drop"
    shutil.copytree(EXAMPLE_DROP, drop)
    edit(drop / "institutions.csv", 2, county=LONG_COUNTY)
    edit(drop / "institutions.csv", 3, legal_nature=LONG_NATURE)
    edit(drop / "institutions.csv", 4, name=HUGE_NAME)
    edit(drop / "institutions.csv", 5, name="山西\ufeff安天")
    edit(drop / "changes.csv", 2, changed_on="0000-01-01")
    edit(drop / "activities.csv", 2, sampled_on="0000-01-01")
    edit(drop / "activities.csv", 3, client_name="委托\x00单位")
    edit(drop / "objections.csv", 2, objection_id="OB" + "9" * 70)
    return drop


def evaluate(drop: Path, out: Path, url: str):
    args = ["evaluate", "--drop", str(drop), "--year", "2025", "--as-of", "2026-01-20", "--out", str(out),
            "--db", url, "--by", "tester"]
    return CliRunner().invoke(app, args)


def stored(url: str) -> dict[str, pd.DataFrame]:
    """What the store keeps of the drop, without surrogate keys and clocks."""
    queries = {
        "institutions": "select institution_id, name, county, legal_nature, registered_on, status"
                        " from institutions order by institution_id",
        "results": "select institution_id, version, status, name, county, score, grade, clause, state"
                   " from results order by institution_id, version",
        "quarantined_rows": 'select table_name, file, "row", column_name, value, reason from quarantined_rows'
                            ' order by table_name, "row"',
        "warnings": 'select file, "row", key, column_name, reason from warnings order by file, "row", reason',
    }
    with Store.open(url).engine.connect() as connection:
        return {
            name: pd.DataFrame(connection.execute(text(sql)).mappings().all()).astype("string")
            for name, sql in queries.items()
        }


def test_the_same_hostile_drop_evaluates_and_is_stored_alike_on_sqlite_and_postgresql(hostile, tmp_path, var_dir):
    sqlite_url = f"sqlite:///{tmp_path / 'credit.db'}"
    first = evaluate(hostile, tmp_path / "out-sqlite", sqlite_url)
    assert first.exit_code == 0, first.stderr
    with postgres_schema() as pg_url:
        second = evaluate(hostile, tmp_path / "out-pg", pg_url)
        assert second.exit_code == 0, second.stderr
        on_pg = stored(pg_url)
    on_sqlite = stored(sqlite_url)
    Store.close(sqlite_url)
    for name, frame in on_sqlite.items():
        pd.testing.assert_frame_equal(frame, on_pg[name], obj=name)
    institutions = on_sqlite["institutions"].set_index("institution_id")
    assert institutions["county"].str.len().max() <= 32 and institutions["legal_nature"].str.len().max() <= 32
    assert HUGE_NAME in set(institutions["name"])


def test_year_zero_bom_nul_and_long_ids_are_quarantined_naming_the_column_and_counted(hostile, tmp_path, var_dir):
    result = evaluate(hostile, tmp_path / "out", f"sqlite:///{tmp_path / 'c.db'}")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    by_place = {(r.file, int(r.row)): r for r in quarantine.itertuples()}
    assert by_place[("changes.csv", 2)].column == "changed_on"
    assert by_place[("activities.csv", 2)].column == "sampled_on"
    assert by_place[("institutions.csv", 5)].column == "name"
    assert by_place[("institutions.csv", 5)].value == "山西<U+FEFF>安天"
    assert by_place[("activities.csv", 3)].column == "client_name"
    assert by_place[("activities.csv", 3)].reason_zh == "client_name 含有 BOM（U+FEFF）或 NUL 字符"
    assert by_place[("objections.csv", 2)].reason == "objection_id longer than 64 characters"
    warnings = pd.read_csv(out / "warnings.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert {("institutions.csv", "2", "county"), ("institutions.csv", "3", "legal_nature")} <= set(
        zip(warnings["file"], warnings["row"], warnings["column"], strict=True)
    )
    assert warnings["reason_zh"].str.len().gt(0).all()
    counts = pd.read_csv(out / "validation" / "counts.csv", encoding="utf-8-sig")
    assert (counts["read"] == counts["accepted"] + counts["quarantined"]).all()
    results = (out / "results.csv").read_text(encoding="utf-8-sig")
    assert "\ufeff" not in results and "\x00" not in results and LONG_COUNTY not in results
