"""`credit evaluate`: exit codes and messages (CLI.md), run through the real flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]



def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def evaluate_args(drop: Path, out: Path, db: Path, as_of: str = "2026-01-20") -> list[str]:
    return ["evaluate", "--drop", str(drop), "--year", "2025", "--as-of", as_of, "--out", str(out),
            "--db", f"sqlite:///{db}", "--by", "tester"]


@pytest.fixture
def drop(tmp_path) -> Path:
    copy = tmp_path / "drop"
    shutil.copytree(EXAMPLE_DROP, copy)
    return copy


def drop_column(path: Path, column: str) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    index = lines[0].split(",").index(column)
    path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines)
                    + "\n", encoding="utf-8")


def test_a_drop_missing_a_required_column_exits_2_naming_file_and_column(drop, tmp_path, var_dir):
    drop_column(drop / "changes.csv", "filed_on")
    result = invoke(*evaluate_args(drop, tmp_path / "out", tmp_path / "c.db"))
    assert result.exit_code == 2
    assert "changes.csv" in result.stderr and "filed_on" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_drop_missing_a_required_file_exits_2_naming_it(drop, tmp_path, var_dir):
    (drop / "equipment.csv").unlink()
    result = invoke(*evaluate_args(drop, tmp_path / "out", tmp_path / "c.db"))
    assert result.exit_code == 2
    assert "equipment.csv" in result.stderr


def test_an_as_of_inside_the_period_is_refused_with_exit_2(drop, tmp_path, var_dir):
    result = invoke(*evaluate_args(drop, tmp_path / "out", tmp_path / "c.db", as_of="2025-12-31"))
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_a_malformed_date_option_exits_2_naming_the_option(drop, tmp_path, var_dir):
    result = invoke(*evaluate_args(drop, tmp_path / "out", tmp_path / "c.db", as_of="20-01-2026"))
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_a_successful_run_prints_counts_and_where_the_outputs_are(drop, tmp_path, var_dir):
    result = invoke(*evaluate_args(drop, tmp_path / "out", tmp_path / "c.db"))
    assert result.exit_code == 0, result.stderr
    assert "activities.csv：读入 906 行，接收 906 行，隔离 0 行" in result.stdout
    assert f"输出文件夹：{(tmp_path / 'out').resolve()}" in result.stdout


def test_a_deadline_needing_a_year_without_calendar_exits_2_naming_the_year_and_the_file(tmp_path, var_dir):
    result = invoke("publicize", "--year", "2025", "--on", "2026-12-15", "--db", f"sqlite:///{tmp_path / 'c.db'}")
    assert result.exit_code == 2
    assert "2027" in result.stderr and "rules/calendar/overrides.yaml" in result.stderr
    assert "Traceback" not in result.stderr
