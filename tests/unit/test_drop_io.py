"""Reading a drop (DATA_CONTRACT.md "Inputs"; docs/ARCHITECTURE.md "Pull")."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import pickle
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy
import yaml

from credit.contract import TABLES
from tasks.drop_io import Drop, StructuralError, read_drop, read_drop_sql, read_snapshot, write_snapshot
from tests.support.paths import EXAMPLE_DROP

EXAMPLE = EXAMPLE_DROP
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "drops"
TINY = FIXTURES / "tiny"
BROKEN = FIXTURES / "broken"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

needs_example = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="the spec's example drop is not here")


def copy_drop(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def assert_same_frames(left: Drop, right: Drop) -> None:
    assert list(left.tables) == list(right.tables)
    for name in left.tables:
        pd.testing.assert_frame_equal(left.tables[name].frame, right.tables[name].frame, obj=name)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# ------------------------------------------------------------------------------------------ CSV


@needs_example
def test_the_example_drop_gives_every_table_one_row_per_data_line_numbered_from_2():
    drop = read_drop(EXAMPLE)

    assert list(drop.tables) == list(TABLES)  # objections.csv is in the example
    for name, raw in drop.tables.items():
        lines = (EXAMPLE / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert raw.source == f"{name}.csv"
        assert len(raw.frame) == len(lines) - 1
        assert list(raw.frame.index) == list(range(2, len(lines) + 1))
        header = lines[0].split(",")
        assert list(raw.frame.columns) == [c for c in TABLES[name].all_columns if c in header]
        assert all(isinstance(d, pd.StringDtype) and d.na_value is pd.NA for d in raw.frame.dtypes)
    assert drop.origin == str(EXAMPLE.resolve())


@needs_example
def test_an_empty_cell_of_the_example_is_missing_and_a_filled_one_is_kept_as_written():
    institutions = read_drop(EXAMPLE).tables["institutions"].frame

    first = institutions.loc[2]
    assert first["institution_id"] == "9114050215097111XC"
    assert first["name"] == "太原衡立环境监测股份有限公司"
    assert first["registered_on"] == "2022-09-12"
    assert first["materials_missing"] is pd.NA
    assert institutions.loc[3, "status_changed_on"] is pd.NA


def test_cells_are_stripped_of_spaces_tabs_and_full_width_spaces_and_blank_cells_are_missing():
    drop = read_drop(TINY)
    institutions = drop.tables["institutions"].frame
    equipment = drop.tables["equipment"].frame
    personnel = drop.tables["personnel"].frame

    assert institutions.loc[2, "name"] == "太原衡立环境监测股份有限公司"
    assert institutions.loc[3, "institution_id"] == "9114052517611970XP"
    assert institutions.loc[3, "status_changed_on"] is pd.NA  # "   " in the file
    assert institutions.loc[2, "address"] == "山西省晋城市城区金匠路1442号, 二层"  # quoted comma
    assert equipment.loc[3, "name"] == "气相色谱仪"  # U+3000 before, a tab after
    assert personnel.loc[4, "name"] == "欧阳\u3000明"  # a space inside a cell stays


def test_extra_columns_are_dropped_and_optional_columns_are_kept_only_when_present():
    drop = read_drop(TINY)

    assert list(drop.tables["institutions"].frame.columns) == list(TABLES["institutions"].columns)
    assert list(drop.tables["credit_events"].frame.columns) == [
        *TABLES["credit_events"].columns,
        "amount_yuan",
    ]
    assert drop.tables["credit_events"].frame.loc[3, "amount_yuan"] == "50000"


def test_a_quoted_line_break_keeps_its_record_on_one_row_as_a_spreadsheet_shows_it():
    events = read_drop(TINY).tables["credit_events"].frame

    assert list(events.index) == [2, 3]  # record 2 spans lines 2-3 of the file
    assert events.loc[2, "summary"] == "行政处罚：警告\n（第二行）"
    assert events.loc[3, "summary"] == "罚款,五万元"
    assert events.loc[3, "verified"] == "TRUE"  # case is the validator's business


def test_a_blank_line_is_skipped_without_moving_the_row_numbers_of_the_rows_after_it():
    activities = read_drop(TINY).tables["activities"].frame

    assert list(activities.index) == [2, 3, 5]
    assert activities.loc[5, "activity_id"] == "A2025000000002"
    assert activities.loc[5, "subject_id"] is pd.NA


def test_a_utf8_bom_and_crlf_line_ends_give_the_same_frames_but_another_hash(tmp_path):
    excel = copy_drop(TINY, tmp_path / "excel")
    for path in excel.glob("*.csv"):
        text = path.read_bytes().decode("utf-8")
        # Only line ends between records: the quoted line break inside credit_events stays as it is.
        path.write_bytes(b"\xef\xbb\xbf" + re.sub(r"\n(?=[A-Z0-9]|$)", "\r\n", text).encode("utf-8"))

    plain, with_bom = read_drop(TINY), read_drop(excel)

    assert_same_frames(plain, with_bom)
    assert with_bom.snapshot != plain.snapshot  # other bytes, other input


def test_a_gb18030_file_as_excel_in_china_saves_it_is_decoded_to_the_same_chinese_text():
    assert "太原衡立".encode() not in (FIXTURES / "tiny-gb18030" / "institutions.csv").read_bytes()

    gb, utf8 = read_drop(FIXTURES / "tiny-gb18030"), read_drop(TINY)

    assert_same_frames(gb, utf8)
    assert gb.tables["institutions"].frame.loc[2, "name"] == "太原衡立环境监测股份有限公司"
    assert gb.tables["personnel"].frame.loc[2, "name"] == "郑娜"


def test_bytes_that_are_neither_utf8_nor_gb18030_raise_naming_the_file_and_the_line(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    shutil.copy(BROKEN / "institutions-invalid-bytes.csv", drop / "institutions.csv")

    with pytest.raises(StructuralError) as caught:
        read_drop(drop)

    assert caught.value.file == "institutions.csv"
    assert caught.value.column is None
    assert "line 3" in str(caught.value) and "0xff" in str(caught.value)
    assert str(caught.value).startswith("institutions.csv: ")
    assert str(caught.value).isascii()


def test_a_utf16_file_is_refused_with_a_hint_about_how_it_was_saved(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    path = drop / "changes.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))

    with pytest.raises(StructuralError, match=r"changes\.csv: .*UTF-16"):
        read_drop(drop)


def test_a_missing_required_column_raises_naming_the_file_and_the_column(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    shutil.copy(BROKEN / "institutions-missing-county.csv", drop / "institutions.csv")

    with pytest.raises(StructuralError) as caught:
        read_drop(drop)

    assert (caught.value.file, caught.value.column) == ("institutions.csv", "county")
    assert str(caught.value).startswith("institutions.csv, column 'county': ")


def test_a_contract_column_named_twice_in_the_header_raises(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    shutil.copy(BROKEN / "institutions-duplicate-name.csv", drop / "institutions.csv")

    with pytest.raises(StructuralError) as caught:
        read_drop(drop)

    assert (caught.value.file, caught.value.column) == ("institutions.csv", "name")


def test_a_missing_optional_column_of_credit_events_is_no_error_but_a_missing_required_one_is(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    path = drop / "credit_events.csv"
    rows = read_rows(path)
    keep = [i for i, c in enumerate(rows[0]) if c not in ("amount_yuan", "summary")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[r[i] for i in keep] for r in rows])

    with pytest.raises(StructuralError) as caught:
        read_drop(drop)

    assert (caught.value.file, caught.value.column) == ("credit_events.csv", "summary")


def test_a_missing_required_file_raises_naming_it(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    (drop / "personnel.csv").unlink()

    with pytest.raises(StructuralError) as caught:
        read_drop(drop)

    assert caught.value.file == "personnel.csv"
    assert caught.value.column is None


def test_objections_are_optional_and_absent_from_the_drop_when_the_file_is(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    (drop / "objections.csv").unlink()

    read = read_drop(drop)

    assert "objections" not in read.tables
    assert list(read.tables) == [n for n in TABLES if n != "objections"]


def test_a_row_with_too_many_or_too_few_fields_raises_naming_its_row_and_is_never_dropped(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    shutil.copy(BROKEN / "activities-ragged.csv", drop / "activities.csv")

    with pytest.raises(StructuralError) as caught:
        read_drop(drop)

    assert caught.value.file == "activities.csv"
    assert "row 3: 15 fields" in str(caught.value)
    assert "row 5: 17 fields" in str(caught.value)


def test_an_empty_file_raises_and_a_header_only_file_gives_an_empty_table(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    (drop / "changes.csv").write_text("institution_id,item,changed_on,filed_on\n", encoding="utf-8")

    changes = read_drop(drop).tables["changes"].frame
    assert changes.empty and list(changes.columns) == list(TABLES["changes"].columns)

    (drop / "changes.csv").write_bytes(b"")
    with pytest.raises(StructuralError, match=r"^changes\.csv: .*empty"):
        read_drop(drop)


def test_a_path_that_is_neither_a_folder_nor_a_workbook_is_refused(tmp_path):
    with pytest.raises(StructuralError, match="no such folder"):
        read_drop(tmp_path / "nowhere")
    with pytest.raises(StructuralError):
        read_drop(TINY / "institutions.csv")


# ----------------------------------------------------------------------------------------- XLSX


def workbook_from_csvs(folder: Path, target: Path) -> Path:
    """A workbook as a person would make it: a sheet per table, real date and number cells."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = workbook.create_sheet(path.stem)
        rows = read_rows(path)
        sheet.append(rows[0])
        for row in rows[1:]:
            sheet.append([as_cell(v) for v in row])
    workbook.save(target)
    return target


def as_cell(value: str) -> object:
    if value == "":
        return None
    if ISO_DATE.match(value):
        return dt.date.fromisoformat(value)
    if re.fullmatch(r"[1-9]\d{0,14}", value):
        return int(value)
    return value


@needs_example
def test_a_workbook_with_date_cells_and_a_sheet_per_table_gives_the_same_frames_as_the_csvs(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    path = workbook_from_csvs(EXAMPLE, folder / "drop.xlsx")
    check = openpyxl.load_workbook(path, read_only=True)
    assert isinstance(check["institutions"]["F2"].value, dt.datetime)  # a real date cell
    assert isinstance(check["qualifications"]["B2"].value, int)  # a real number cell
    check.close()

    from_folder, from_file, from_csv = read_drop(folder), read_drop(path), read_drop(EXAMPLE)

    assert_same_frames(from_folder, from_csv)
    assert_same_frames(from_file, from_csv)
    assert from_folder.tables["activities"].source == "drop.xlsx[activities]"
    assert from_folder.snapshot == from_file.snapshot
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    expected = hashlib.sha256(f"drop.xlsx\t{digest}\n".encode()).hexdigest()
    assert from_file.snapshot == f"sha256:{expected}"


def test_a_sheet_keeps_its_own_row_numbers_and_cells_read_as_a_csv_export_would_hold_them(tmp_path):
    path = workbook_from_csvs(TINY, tmp_path / "drop.xlsx")
    workbook = openpyxl.load_workbook(path)
    events = workbook["credit_events"]
    events.insert_rows(3)  # an empty sheet row between the two events
    events["H4"] = True  # verified as an Excel boolean
    events["L4"] = 12500.5  # amount_yuan with a fraction
    events["G4"] = dt.datetime(2025, 11, 1, 9, 30)  # decided_on with a time of day
    events.title = " Credit_Events "  # matched ignoring case and spaces
    workbook.save(path)

    frame = read_drop(path).tables["credit_events"].frame

    assert list(frame.index) == [2, 4]
    assert frame.loc[4, "verified"] == "true"
    assert frame.loc[4, "amount_yuan"] == "12500.5"
    assert frame.loc[4, "decided_on"] == "2025-11-01 09:30:00"
    assert frame.loc[2, "decided_on"] == "2025-12-30"
    assert frame.loc[2, "amount_yuan"] is pd.NA


def test_a_workbook_without_a_required_sheet_raises_naming_the_sheet(tmp_path):
    path = workbook_from_csvs(TINY, tmp_path / "drop.xlsx")
    workbook = openpyxl.load_workbook(path)
    del workbook["equipment"]
    workbook.save(path)

    with pytest.raises(StructuralError) as caught:
        read_drop(path)

    assert caught.value.file == "drop.xlsx[equipment]"


def test_a_folder_with_both_csv_files_and_a_workbook_or_two_workbooks_is_refused(tmp_path):
    both = copy_drop(TINY, tmp_path / "both")
    workbook_from_csvs(TINY, both / "drop.xlsx")
    with pytest.raises(StructuralError, match="both"):
        read_drop(both)

    two = tmp_path / "two"
    two.mkdir()
    workbook_from_csvs(TINY, two / "a.xlsx")
    workbook_from_csvs(TINY, two / "b.xlsx")
    with pytest.raises(StructuralError, match="2 workbooks"):
        read_drop(two)


# ------------------------------------------------------------------------------------------ SQL


def sqlite_from_csvs(folder: Path, target: Path) -> Path:
    """A management-system database: one table per file, empty cells stored as NULL."""
    with sqlite3.connect(target) as db:
        for path in sorted(folder.glob("*.csv")):
            header, *rows = read_rows(path)
            db.execute(f"CREATE TABLE {path.stem} ({', '.join(f'{c} TEXT' for c in header)})")
            marks = ", ".join("?" for _ in header)
            db.executemany(
                f"INSERT INTO {path.stem} VALUES ({marks})", [[v or None for v in r] for r in rows if r]
            )
    db.close()
    return target


def sql_config(tmp_path: Path, url: str, tables: dict[str, str]) -> Path:
    path = tmp_path / "source.yaml"
    path.write_text(yaml.safe_dump({"url": url, "tables": tables}, allow_unicode=True), encoding="utf-8")
    return path


@needs_example
def test_a_database_read_by_one_query_per_table_gives_the_same_frames_as_the_csvs(tmp_path):
    database = sqlite_from_csvs(EXAMPLE, tmp_path / "source.db")
    queries = {name: f"SELECT * FROM {name} ORDER BY rowid" for name in TABLES}
    config = sql_config(tmp_path, f"sqlite:///{database}", queries)

    from_sql, from_csv = read_drop_sql(config), read_drop(EXAMPLE)

    assert_same_frames(from_sql, from_csv)
    assert from_sql.tables["activities"].source == "source.yaml[activities]"
    assert from_sql.snapshot == read_drop_sql(config).snapshot
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", from_sql.snapshot)


def test_query_columns_match_ignoring_case_and_values_become_text(tmp_path):
    database = sqlite_from_csvs(TINY, tmp_path / "source.db")
    queries = {name: f"SELECT * FROM {name} ORDER BY rowid" for name in TABLES}
    queries["changes"] = (
        "SELECT institution_id AS INSTITUTION_ID, item AS Item, changed_on, filed_on, 42 AS n FROM changes"
    )
    queries["credit_events"] = (
        "SELECT event_id, institution_id, source, indicator, 4 AS clause, occurred_on, decided_on, verified,"
        " verified_on, document_no, summary, 50000.0 AS amount_yuan FROM credit_events ORDER BY rowid"
    )
    config = sql_config(tmp_path, f"sqlite:///{database}", queries)

    drop = read_drop_sql(config)

    assert list(drop.tables["changes"].frame.columns) == list(TABLES["changes"].columns)
    assert drop.tables["credit_events"].frame.loc[2, "clause"] == "4"
    assert drop.tables["credit_events"].frame.loc[2, "amount_yuan"] == "50000"


def test_a_database_without_a_query_for_a_required_table_raises_naming_it(tmp_path):
    database = sqlite_from_csvs(TINY, tmp_path / "source.db")
    queries = {name: f"SELECT * FROM {name}" for name in TABLES if name != "equipment"}
    config = sql_config(tmp_path, f"sqlite:///{database}", queries)

    with pytest.raises(StructuralError) as caught:
        read_drop_sql(config)

    assert caught.value.file == "source.yaml[equipment]"


def test_a_query_the_database_cannot_run_raises_naming_the_table(tmp_path):
    database = sqlite_from_csvs(TINY, tmp_path / "source.db")
    queries = {name: f"SELECT * FROM {name}" for name in TABLES}
    queries["personnel"] = "SELECT * FROM staff"
    config = sql_config(tmp_path, f"sqlite:///{database}", queries)

    with pytest.raises(StructuralError, match=r"^source\.yaml\[personnel\]: the query failed: no such table"):
        read_drop_sql(config)


def test_the_origin_of_a_database_drop_never_shows_the_password(tmp_path, monkeypatch):
    database = sqlite_from_csvs(TINY, tmp_path / "source.db")
    queries = {name: f"SELECT * FROM {name}" for name in TABLES}
    config = sql_config(tmp_path, "postgresql+psycopg://reader:s3cret@db.example:5432/credit", queries)
    real_create_engine = sqlalchemy.create_engine
    # A fake server: the PostgreSQL URL is answered by the SQLite file.
    monkeypatch.setattr(sqlalchemy, "create_engine", lambda url: real_create_engine(f"sqlite:///{database}"))

    drop = read_drop_sql(config)

    assert drop.origin == "postgresql+psycopg://reader:***@db.example:5432/credit"


# -------------------------------------------------------------------------------------- snapshots


@needs_example
def test_the_snapshot_hash_is_the_documented_sha256_over_the_contract_files_and_their_hashes(tmp_path):
    names = sorted(f"{n}.csv" for n in TABLES)
    text = "".join(f"{n}\t{hashlib.sha256((EXAMPLE / n).read_bytes()).hexdigest()}\n" for n in names)
    expected = "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    moved = copy_drop(EXAMPLE, tmp_path / "elsewhere")
    (moved / "notes.txt").write_text("not part of the drop", encoding="utf-8")
    (moved / "readme.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    assert read_drop(EXAMPLE).snapshot == expected
    assert read_drop(moved).snapshot == expected  # same files, another folder, extra files ignored


def test_the_snapshot_hash_changes_when_one_byte_of_one_file_changes(tmp_path):
    drop = copy_drop(TINY, tmp_path / "drop")
    path = drop / "changes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2025-11-06", "2025-11-07"), encoding="utf-8")

    assert read_drop(drop).snapshot != read_drop(TINY).snapshot


def test_a_snapshot_written_and_read_back_is_the_same_drop_and_is_written_once(tmp_path):
    drop = read_drop(TINY)

    path = write_snapshot(drop, tmp_path / "var")
    again = write_snapshot(drop, tmp_path / "var")
    back = read_snapshot(path)

    assert path == tmp_path / "var" / "snapshots" / drop.snapshot.removeprefix("sha256:")
    assert again == path
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["manifest.json", *(f"{n}.parquet" for n in drop.tables)]
    )
    assert [p.name for p in (tmp_path / "var" / "snapshots").iterdir()] == [path.name]  # no leftovers
    assert (back.snapshot, back.origin) == (drop.snapshot, drop.origin)
    assert [(t.name, t.source) for t in back.tables.values()] == [
        (t.name, t.source) for t in drop.tables.values()
    ]
    assert_same_frames(back, drop)
    assert read_snapshot(path / "manifest.json").snapshot == drop.snapshot


def test_an_empty_table_and_a_structural_error_survive_the_trip_through_files(tmp_path):
    folder = copy_drop(TINY, tmp_path / "drop")
    (folder / "changes.csv").write_text("institution_id,item,changed_on,filed_on\n", encoding="utf-8")
    drop = read_drop(folder)

    back = read_snapshot(write_snapshot(drop, tmp_path / "var"))

    assert_same_frames(back, drop)
    error = pickle.loads(pickle.dumps(StructuralError("a.csv", "b", "c")))  # Prefect pickles failures
    assert (error.file, error.column, error.message, str(error)) == (
        "a.csv",
        "b",
        "c",
        "a.csv, column 'b': c",
    )


def test_an_existing_snapshot_is_reused_not_rewritten(tmp_path):
    drop = read_drop(TINY)
    path = write_snapshot(drop, tmp_path / "var")
    stamp = (path / "activities.parquet").stat().st_mtime_ns

    write_snapshot(drop, tmp_path / "var")

    assert (path / "activities.parquet").stat().st_mtime_ns == stamp


# ---------------------------------------------------------------------------------------- tasks


def test_the_pull_tasks_only_wrap_the_plain_functions():
    from tasks import pull

    assert pull.pull_drop.fn is read_drop
    assert pull.pull_drop_sql.fn is read_drop_sql
    assert pull.save_snapshot.fn is write_snapshot
    assert pull.load_snapshot.fn is read_snapshot


def test_the_pull_tasks_retry_what_can_heal_and_never_a_drop_that_breaks_the_contract():
    from types import SimpleNamespace

    from tasks import pull
    from tasks.retries import retry_if_heals

    for step in (pull.pull_drop, pull.pull_drop_sql, pull.save_snapshot, pull.load_snapshot):
        assert step.retries > 0 and step.retry_condition_fn is retry_if_heals and step.timeout_seconds
    failed = SimpleNamespace  # what retry_if_heals reads of a Failed state: its data, the exception
    assert not retry_if_heals(None, None, failed(data=StructuralError("a.csv", "b", "missing column b")))
    assert not retry_if_heals(None, None, failed(data=FileNotFoundError("drop/a.csv")))
    assert retry_if_heals(None, None, failed(data=OSError(5, "Input/output error")))
