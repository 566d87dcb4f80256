"""Issue 11 items 6, 10 and 11, and issue 12: hostile or broken input refused clearly, reasons in Chinese."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from credit import checks
from credit.contract import TABLES
from credit.reasons import REASONS_ZH
from tasks.drop_io import StructuralError, read_drop
from tests.support.paths import EXAMPLE_DROP
from tests.unit.test_drop_io import workbook_from_csvs

SUITES = Path(__file__).resolve().parents[2] / "expectations"


# ------------------------------------------------------------------------------ item 6: year 0


@pytest.mark.parametrize("value", ["0000-01-01", "0000-12-31", "2025-02-30"])
def test_a_date_of_year_zero_does_not_parse_like_february_30th(value):
    parsed = checks.parse_dates(pd.Series([value, "0001-01-01", "9999-12-31"], dtype="string"))
    assert parsed.isna().tolist() == [True, False, False]
    assert not checks.date_parses(pd.Series([value], dtype="string")).iloc[0]


# ------------------------------------------------------------------ item 10: widths the store has


def test_the_contract_widths_are_the_store_column_widths():
    from store import models

    assert TABLES["institutions"].max_lengths == {
        "county": models.Institution.__table__.c.county.type.length,
        "legal_nature": models.Institution.__table__.c.legal_nature.type.length,
    }
    assert TABLES["objections"].max_lengths == {"objection_id": models.Objection.__table__.c.id.type.length}
    assert models.Result.__table__.c.county.type.length == TABLES["institutions"].max_lengths["county"]


def test_an_overlong_soft_column_is_read_as_empty_and_never_cut():
    table = TABLES["institutions"]
    frame = pd.DataFrame({c: pd.Series(["x"], dtype="string") for c in table.columns})
    frame["county"] = pd.Series(["长" * 33], dtype="string")
    assert not checks.check_frame(table, frame)["county__fits"].iloc[0]
    assert checks.typed(table, frame)["county"].isna().iloc[0]


@pytest.mark.parametrize("by", ["x" * 129, "a\x00b"])
def test_a_by_the_store_cannot_hold_exits_2_naming_the_option(tmp_path, by):
    result = CliRunner().invoke(app, ["evaluate", "--drop", str(tmp_path), "--year", "2025", "--as-of",
                                      "2026-01-20", "--out", str(tmp_path / "out"), "--by", by])
    assert result.exit_code == 2
    assert "--by" in result.output + (result.stderr or "")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------- item 11: BOM and NUL inside a value


def test_a_bom_or_nul_inside_any_cell_fails_the_text_check_and_names_the_column():
    table = TABLES["equipment"]
    frame = pd.DataFrame({c: pd.Series(["a", "b", "c"], dtype="string") for c in table.columns}, index=[2, 3, 4])
    frame.loc[3, "name"] = "泵\ufeff"
    frame.loc[4, "equipment_id"] = "E\x001"
    check = checks.check_frame(table, frame)
    assert check["text__clean"].tolist() == [True, False, False]
    failure = checks.Failure("{column} holds a BOM (U+FEFF) or NUL character", "*", "quarantine", [3, 4])
    _, quarantine, _ = checks.settle(table, "equipment.csv", frame, [failure])
    assert quarantine["column"].tolist() == ["name", "equipment_id"]
    assert quarantine["value"].tolist() == ["泵<U+FEFF>", "E<U+0000>1"]
    assert quarantine["reason_zh"].tolist() == ["name 含有 BOM（U+FEFF）或 NUL 字符", "equipment_id 含有 BOM（U+FEFF）或 NUL 字符"]


def test_the_text_check_reads_categorical_columns_by_their_values():
    values = pd.Series(["a", "b\x00", None, "a"], dtype="string").astype("category")
    assert checks.refused_characters(values).tolist() == [False, True, False, False]


# ------------------------------------------------------------ issue 12: one table of reasons


def test_every_reason_a_suite_gives_has_its_chinese_text():
    for path in sorted(SUITES.glob("*.json")):
        for spec in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            assert spec["meta"]["reason"] in REASONS_ZH, (path.name, spec["meta"]["reason"])


# ------------------------------------------------------------- item 11: unclear errors


def test_a_csv_row_longer_than_arrows_block_is_read_as_the_valid_row_it_is(tmp_path):
    drop = tmp_path / "drop"
    shutil.copytree(EXAMPLE_DROP, drop)
    path = drop / "activities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("client_name")] = '"' + "长" * 1_000_000 + '"'  # 3 MB
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    frame = read_drop(drop).tables["activities"].frame
    assert len(frame) == len(lines) - 1
    assert frame.loc[2, "client_name"] == "长" * 1_000_000


def workbook(tmp_path: Path) -> Path:
    folder = tmp_path / "xlsx"
    folder.mkdir()
    return workbook_from_csvs(EXAMPLE_DROP, folder / "drop.xlsx")


def refusal(path: Path) -> StructuralError:
    with pytest.raises(StructuralError) as raised:
        read_drop(path)
    return raised.value


def test_an_encrypted_workbook_is_named_as_encrypted_and_a_foreign_file_as_not_an_xlsx(tmp_path):
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert "加密" in str(refusal(encrypted))
    foreign = tmp_path / "foreign.xlsx"
    foreign.write_bytes(b"name,county\n")
    assert "不是 .xlsx" in str(refusal(foreign))


def test_a_formula_cell_without_a_cached_value_is_refused_naming_the_cell(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["institutions"]["B3"] = "=A3&\"x\""  # openpyxl saves no cached value, as an uncalculated file has none
    book.save(path)
    error = refusal(path)
    assert error.file == "drop.xlsx[institutions]" and "B3" in error.message


def test_merged_cells_are_refused_naming_the_sheet_and_the_range(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["changes"].merge_cells("B3:B4")
    book.save(path)
    error = refusal(path)
    assert error.file == "drop.xlsx[changes]" and "B3:B4" in error.message


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_like_a_table_is_refused_naming_it(tmp_path, state):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    extra = book.create_sheet("Activities ")
    extra.append(["activity_id"])
    extra.sheet_state = state
    book.save(path)
    error = refusal(path)
    assert error.file == "drop.xlsx[Activities ]" and state in error.message


def test_two_visible_sheets_named_like_one_table_are_refused_naming_both(tmp_path):
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet(" EQUIPMENT").append(["equipment_id"])
    book.save(path)
    error = refusal(path)
    assert "[equipment]" in error.message and "[ EQUIPMENT]" in error.message
