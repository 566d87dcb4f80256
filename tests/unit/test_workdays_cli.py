"""`credit workdays add|years` (CLI.md): the date on stdout, problems on stderr with exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.workdays import workdays_app
from credit.calendar import DEFAULT_OVERRIDES

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()

FAKE_2031 = """
years:
  2031:
    notice: 国办发明电〔2030〕99号（测试用）
    holidays: [2031-01-01]
    workdays: [2031-01-04]
"""


def run(*args: str):
    return runner.invoke(workdays_app, list(args))


@pytest.mark.parametrize(
    ("args", "end"),
    [
        (["2024-02-08", "7"], "2024-02-23"),
        (["2025-09-26", "7"], "2025-10-13"),
        (["2025-09-30", "15", "--exclude", "2025-10-13..2025-10-15"], "2025-10-31"),
        (
            [
                "2025-09-30",
                "15",
                "--exclude",
                "2025-10-13..2025-10-13",
                "--exclude",
                "2025-10-14..2025-10-15",
            ],
            "2025-10-31",
        ),
        (["2025-10-01", "0"], "2025-10-01"),
    ],
)
def test_add_prints_the_last_day_of_the_period_as_an_iso_date(args, end):
    result = run("add", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{end}\n"
    assert result.stderr == ""


def test_add_says_provisional_on_stderr_from_25_december_of_the_last_loaded_year():
    result = run("add", "2026-12-20", "5")
    assert result.exit_code == 0
    assert result.stdout == "2026-12-25\n"
    assert "（暂定）" in result.stderr


def test_add_into_an_unknown_year_exits_2_naming_the_year_and_the_file_to_edit():
    result = run("add", "2026-12-20", "15")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "2027" in result.stderr and str(DEFAULT_OVERRIDES) in result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["2025-13-01", "7"], "D '2025-13-01'：不是 YYYY-MM-DD 格式的日期"),
        (["tomorrow", "7"], "D 'tomorrow'：不是 YYYY-MM-DD 格式的日期"),
        (["2025-09-30", "seven"], "'N'"),
        (["2025-09-30", "15", "--exclude", "2025-10-13"], "--exclude '2025-10-13'：不是 A..B 形式的日期区间"),
        (["2025-09-30", "15", "--exclude", "2025-10-13..soon"], "--exclude 'soon'：不是 YYYY-MM-DD 格式的日期"),
        (["2025-09-30", "15", "--exclude", "2025-10-15..2025-10-13"], "--exclude '2025-10-15..2025-10-13'：结束日期早于开始日期"),
        (["2025-09-30", "--", "-1"], "N -1：工作日数须为 0 或正整数"),
    ],
)
def test_malformed_input_exits_2_naming_the_argument_or_option(args, named):
    result = run("add", *args)
    assert result.exit_code == 2
    assert named in result.stderr
    assert result.stdout == ""


def test_years_lists_each_loaded_year_and_its_source():
    result = run("years")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2004  chinesecalendar 1.11.0"
    assert lines[-1] == "2026  chinesecalendar 1.11.0"


def test_an_override_file_adds_its_year_with_the_notice(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(FAKE_2031, encoding="utf-8")
    years = run("years", "--overrides", str(path))
    assert years.stdout.splitlines()[-1] == "2031  国办发明电〔2030〕99号（测试用）"
    added = run("add", "2030-12-30", "3", "--overrides", str(path))
    assert added.exit_code == 2 and "2030" in added.stderr  # 2027..2030 are still unknown
    added = run("add", "2031-01-01", "3", "--overrides", str(path))
    assert added.stdout == "2031-01-04\n"  # Thu, Fri, then the Saturday make-up day


def test_a_wrong_override_file_exits_2_naming_the_file_and_the_year(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(FAKE_2031.replace("2031-01-04", "2031-01-06"), encoding="utf-8")
    for args in (["years"], ["add", "2025-09-26", "7"]):
        result = run(*args, "--overrides", str(path))
        assert result.exit_code == 2
        assert str(path) in result.stderr and "year 2031" in result.stderr


def test_the_workdays_commands_import_without_prefect():
    code = "import sys, cli.workdays; assert 'prefect' not in sys.modules, 'prefect imported'"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
