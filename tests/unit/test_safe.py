"""Issue 11 items 3, 4 and 12: one text policy (reports/safe.py) for HTML, CSV, XLSX and JSON, and no live formula
in any CSV the product writes for a person (R-20)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from reports.common import ENV, clean_text, csv_bytes, json_bytes, put_cell
from reports.lifecycle import render_final_results_xlsx
from reports.render import render_publicity_xlsx
from reports.safe import csv_cell, csv_frame, safe_text
from tasks.render import OUTPUTS, write_csv
from tests.golden.lifecycle_sample import final_context, final_results
from tests.golden.publicity_sample import sample_context, sample_results

ILLEGAL = "\ufffe\uffff\x00\x0b\x1f\x85\ud800"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"]


def test_safe_text_removes_xml_illegal_characters_and_bidi_controls_and_keeps_the_rest():
    kept = "晋城市 abc é \U0001f600\t\n\r\u3000"
    assert safe_text(f"a{ILLEGAL}b{BIDI}c{kept}") == f"abc{kept}"


def test_every_format_applies_the_one_policy():
    value = "abc\u202efdp\ufffe\uffff\x85\ud800.exe"  # clean_text also turns C0 controls into a space
    clean = "abcfdp.exe"
    assert clean_text(value) == clean
    assert csv_cell(value) == clean
    assert json.loads(json_bytes({value: [value]})) == {clean: [clean]}
    assert ENV.from_string("{{ v }}|{{ v | upper }}").render(v=value) == f"{clean}|{clean.upper()}"
    assert ENV.from_string("{{ v }}").render(v="<b>\u202e</b>") == "&lt;b&gt;&lt;/b&gt;"  # then escaped
    ws = Workbook().active
    put_cell(ws, 1, 1, value)
    assert ws.cell(1, 1).value == clean


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_and_frames_neutralise_formulas(formula):
    assert csv_cell(formula) == "'" + formula
    frame = pd.DataFrame({"text": pd.Series([formula, pd.NA], dtype="string"), "points": [-2.0, 1.0]})
    out = csv_frame(frame)
    assert out["text"].tolist()[0] == "'" + formula and pd.isna(out["text"].tolist()[1])
    assert out["points"].tolist() == [-2.0, 1.0]  # a number is never a formula
    assert list(csv.reader(io.StringIO(csv_bytes(["c"], [[formula]]).decode("utf-8-sig"))))[1] == ["'" + formula]


PERSON_CSVS = ("results", "findings", "quarantine", "warnings", "pending")


@pytest.mark.parametrize("key", PERSON_CSVS)
def test_every_csv_written_for_a_person_has_no_live_formula(tmp_path: Path, key: str):
    """tasks/render.py writes all five through write_csv: no cell of any of them starts like a formula."""
    frame = pd.DataFrame({"institution_id": ["91140500MA0000001X"] * len(FORMULAS), "evidence": FORMULAS,
                          "points": [-1.5] * len(FORMULAS)})
    path = tmp_path / OUTPUTS[key][0]
    write_csv(frame, path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["91140500MA0000001X"] * len(FORMULAS)  # ids unchanged
    assert [r[2] for r in rows[1:]] == ["-1.5"] * len(FORMULAS)  # points unchanged
    assert all(r[1].startswith("'") for r in rows[1:])


def test_a_name_with_u_fffe_and_u_ffff_leaves_publicity_and_final_results_workbooks_that_open():
    hostile = "晋城市\ufffe检测\uffff有限公司\u202e"
    publicity = sample_results()
    publicity.loc[0, "name"] = hostile
    final = final_results()
    final.loc[0, "name"] = hostile
    for data in (render_publicity_xlsx(sample_context(results=publicity)),
                 render_final_results_xlsx(final_context(results=final))):
        book = load_workbook(io.BytesIO(data))
        cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
        assert "晋城市检测有限公司" in cells
        assert not any(ch in cell for cell in cells for ch in "\ufffe\uffff\u202e")
