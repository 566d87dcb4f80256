"""Issue 12 item 8: the XLSX files an officer prints — the draft mark on every sheet, date cells, print settings."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.lifecycle import render_final_results_xlsx
from reports.plan import render_plan_xlsx
from reports.render import DRAFT_LABEL, LIST_COLUMNS, render_publicity_xlsx
from tests.golden.lifecycle_sample import final_context
from tests.golden.publicity_sample import sample_context
from tests.unit.test_plan_report import context as plan_context


def workbook(data: bytes) -> list[Worksheet]:
    return list(load_workbook(io.BytesIO(data)).worksheets)


def texts(ws: Worksheet) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def all_workbooks() -> dict[str, bytes]:
    return {
        "publicity": render_publicity_xlsx(sample_context()),
        "draft": render_publicity_xlsx(sample_context(draft=True)),
        "final": render_final_results_xlsx(final_context()),
        "plan": render_plan_xlsx(plan_context()[0]),
    }


def test_the_draft_mark_is_on_every_sheet_including_the_first_on_screen_and_on_every_printed_page():
    sheets = workbook(render_publicity_xlsx(sample_context(draft=True)))
    assert [ws.title for ws in sheets] == ["公示名单", "公示说明"]
    for ws in sheets:
        assert ws["A1"].value == DRAFT_LABEL, ws.title
        assert ws.oddHeader.center.text == DRAFT_LABEL, ws.title
    first = sheets[0]
    assert [c.value for c in first[2]] == list(LIST_COLUMNS)  # the header under the mark
    assert first.print_title_rows == "$1:$2" and first.freeze_panes == "A3"


@pytest.mark.parametrize("name", ["publicity", "final", "plan"])
def test_published_and_internal_workbooks_carry_no_draft_mark(name):
    for ws in workbook(all_workbooks()[name]):
        assert not any("草稿" in t for t in texts(ws)), ws.title
        assert not ws.oddHeader.center.text, ws.title


@pytest.mark.parametrize("name", ["publicity", "draft", "final", "plan"])
def test_every_sheet_prints_on_a4_fit_to_width_and_lists_repeat_their_header_landscape_when_wide(name):
    for ws in workbook(all_workbooks()[name]):
        setup = ws.page_setup
        assert int(setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
        if ws.max_column > 6:  # a list sheet
            assert setup.orientation == "landscape", ws.title
            assert ws.print_title_rows in ("$1:$1", "$1:$2"), ws.title
        else:
            assert setup.orientation == "portrait", ws.title


@pytest.mark.parametrize(("name", "sheet", "columns", "first"), [
    ("publicity", "公示名单", ("公示期开始", "公示期结束"), 1),
    ("draft", "公示名单", ("公示期开始", "公示期结束"), 2),
    ("final", "评价结果", ("结果确定日期", "公布日期"), 1),
])
def test_dates_are_date_cells_shown_yyyy_mm_dd_not_text(name, sheet, columns, first):
    ws = load_workbook(io.BytesIO(all_workbooks()[name]))[sheet]
    header = [c.value for c in ws[first]]
    for title in columns:
        cells = [row[header.index(title)] for row in ws.iter_rows(min_row=first + 1)]
        assert cells
        for cell in cells:
            assert isinstance(cell.value, datetime) and cell.is_date, (title, cell.value)
            assert cell.number_format == "yyyy-mm-dd"


def test_workbooks_stay_byte_for_byte_reproducible():
    assert all_workbooks() == all_workbooks()
