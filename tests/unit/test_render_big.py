"""Render at national scale (issue 14 item 4): the streamed 评分明细.xlsx reads as the normal one, and the
vectorised CSV cleaning writes what the cell-by-cell one wrote."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

from credit.indexsystem import load_index_system
from reports.common import _as_cell_date, stream_cell, stream_rows_xml, write_list_sheet_streamed
from reports.explain import DETAIL_COLUMNS, DETAIL_WIDTHS, detail_rows, finding_rows, render_findings_xlsx
from reports.safe import csv_cell, csv_frame

EXAMPLE_FINDINGS = Path("/work/shared/examples/expected-2025/findings.csv")
INDEX = load_index_system("jc-2024.1")
FORMULA = "=HYPERLINK(\"http://x\",\"点\")"


def medium_rows() -> tuple[list[dict[str, str]], dict[str, str]]:
    """The worked example's findings repeated to a few hundred rows, one evidence and one name formula-like."""
    frame = pd.read_csv(EXAMPLE_FINDINGS, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame = pd.concat([frame] * 20, ignore_index=True)
    frame.loc[3, "evidence"] = FORMULA
    frame.loc[5, "date"] = ""
    rows = finding_rows(frame, INDEX)
    ids = sorted({row["institution_id"] for row in rows})
    names = {code: f"机构{i}\u202e" for i, code in enumerate(ids)} | {ids[0]: "+" + FORMULA}
    return rows, names


def sheet_of(data: bytes) -> list[list[tuple[object, str, str, bool]]]:
    ws = load_workbook(io.BytesIO(data)).active
    return [[(c.value, c.data_type, c.number_format, bool(c.quotePrefix)) for c in row] for row in ws.iter_rows()]


def render(rows: list[dict[str, str]], names: dict[str, str], stream_rows: int) -> bytes:
    return render_findings_xlsx(rows, names, year=2025, creator="局", when=date(2026, 1, 20), stream_rows=stream_rows)


def test_the_streamed_workbook_has_the_normal_workbooks_cells() -> None:
    rows, names = medium_rows()
    normal, streamed = render(rows, names, len(rows)), render(rows, names, 0)
    assert normal != streamed  # the other writer really ran
    assert sheet_of(streamed) == sheet_of(normal)
    assert len(sheet_of(streamed)) == len(rows) + 1


def sheet_xml(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_the_row_xml_is_what_openpyxls_write_only_writer_writes_for_put_cells_rule() -> None:
    rows, names = medium_rows()
    detail = detail_rows(rows, names)
    detail[0][2] = "  spaced  "
    detail[1][3] = "a & <b>"
    detail[2][1] = ""  # an empty code keeps column B's text format
    ours = Workbook(write_only=True)
    ws = write_list_sheet_streamed(ours, "评分明细", DETAIL_COLUMNS, DETAIL_WIDTHS, row_count=len(detail))
    xml = b"".join(stream_rows_xml(ws, detail, date_columns=(8,), chunk_rows=7))
    theirs = Workbook(write_only=True)
    ws = write_list_sheet_streamed(theirs, "评分明细", DETAIL_COLUMNS, DETAIL_WIDTHS, row_count=len(detail))
    for row in detail:
        ws.append([stream_cell(ws, _as_cell_date(v) if col == 8 else v, number_format="@" if col == 2 else "")
                   for col, v in enumerate(row, start=1)])
    head, tail = sheet_xml(ours).rsplit(b"</sheetData>", 1)
    assert head + xml + b"</sheetData>" + tail == sheet_xml(theirs)


def test_the_streamed_workbook_keeps_formula_like_text_as_text_and_the_sheets_settings() -> None:
    rows, names = medium_rows()
    ws = load_workbook(io.BytesIO(render(rows, names, 0))).active
    evidence = next(c for c in ws["I"] if isinstance(c.value, str) and FORMULA in c.value)
    name = next(c for c in ws["C"] if c.value == "+" + FORMULA)
    for cell in (evidence, name):
        assert cell.data_type == "s" and cell.quotePrefix  # shown as typed, never run
    assert not any("\u202e" in str(c.value) for c in ws["C"])  # safe_text on every cell
    assert isinstance(ws["H2"].value, date) and ws["H2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].number_format == "@" and ws["A1"].font.bold
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:L{len(rows) + 1}"
    assert ws.title == "评分明细" and ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"


def test_csv_frame_cleans_each_distinct_text_as_csv_cell_does() -> None:
    frame = pd.DataFrame({
        "text": ["=1+1", "a\u202eb", None, "=1+1", "plain", "-3"],
        "mixed": [1, "1", 1.0, None, "@x", True],
        "typed": pd.array(["x", None, "+y", "x", "z", "\t"], dtype="string"),
        "number": [-1, 2, 3, 4, 5, 6],
    })
    out = csv_frame(frame)
    for column in ("text", "mixed", "typed"):
        expected = [csv_cell(v) if isinstance(v, str) else v for v in frame[column].astype(object)]
        got = out[column].tolist()
        assert [("" if pd.isna(v) else v) for v in got] == [("" if pd.isna(v) else v) for v in expected]
        assert [type(v) for v in got if not pd.isna(v)] == [type(v) for v in expected if not pd.isna(v)]
    assert out["number"].tolist() == [-1, 2, 3, 4, 5, 6]
    assert frame.to_csv(index=False) != out.to_csv(index=False)
