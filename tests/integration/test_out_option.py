"""Issue 11 item 11: an output folder option naming an existing file is refused with exit code 2, naming the option,
before anything runs (it was rc 1 "[Errno 20] Not a directory")."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.support.paths import EXAMPLE_DROP

COMMANDS = [
    ("--out", ["evaluate", "--drop", str(EXAMPLE_DROP), "--year", "2025", "--as-of", "2026-01-20", "--out"]),
    ("--out", ["plan", "--year", "2026", "--seed", "s", "--out"]),
    ("--out", ["registry-changes", "--year", "2025", "--out"]),
    ("--out", ["site", "build", "--as-of", "2026-03-02", "--out"]),
    ("--out", ["publicize", "--year", "2025", "--on", "2026-02-02", "--out"]),
    ("--outbox", ["advance", "--as-of", "2026-03-02", "--outbox"]),
    ("--site", ["advance", "--as-of", "2026-03-02", "--site"]),
    ("--published", ["advance", "--as-of", "2026-03-02", "--published"]),
]


@pytest.mark.parametrize(("option", "command"), COMMANDS, ids=[" ".join(c[1][:2]) + " " + c[0] for c in COMMANDS])
def test_item11_an_output_folder_option_naming_an_existing_file_is_bad_input_naming_the_option(
    option, command, tmp_path
):
    existing = tmp_path / "report.txt"
    existing.write_text("not a folder\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'credit.db'}"

    result = CliRunner().invoke(app, [*command, str(existing), "--db", db])

    assert result.exit_code == 2, result.output
    assert f"{option} {existing}：是已存在的文件，不是文件夹" in result.stderr
    assert not (tmp_path / "credit.db").exists()  # refused before the store was opened


def test_item11_a_folder_below_an_existing_file_is_refused_too(tmp_path):
    existing = tmp_path / "report.txt"
    existing.write_text("not a folder\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["site", "build", "--out", str(existing / "site"), "--db",
                                      f"sqlite:///{tmp_path / 'credit.db'}"])

    assert result.exit_code == 2 and f"路径中的 {existing} 是文件" in result.stderr
