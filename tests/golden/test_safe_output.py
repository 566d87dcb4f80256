"""R-20 helpers: spreadsheet cells that never run as formulas, files that stay in their folder."""

from __future__ import annotations

import pytest

from reports.safe import UnsafePathError, csv_cell, path_inside


@pytest.mark.parametrize("text", ["=1+1", "+86 351", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"])
def test_R20_csv_cell_puts_an_apostrophe_before_every_formula_trigger(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["晋城市康宏环境科学研究所", "A级", "", "1 = 1", "91140522192559211Y"])
def test_R20_csv_cell_leaves_ordinary_text_alone(text):
    assert csv_cell(text) == text


def test_R20_path_inside_keeps_a_plain_name_in_the_output_folder(tmp_path):
    assert path_inside(tmp_path, "publicity.html") == tmp_path.resolve() / "publicity.html"


@pytest.mark.parametrize("name", ["../x.html", "/etc/passwd", "a/b.csv", "..", ".", "", "a\\b", "x\x00.csv"])
def test_R20_path_inside_refuses_a_name_that_would_leave_the_output_folder(tmp_path, name):
    with pytest.raises(UnsafePathError):
        path_inside(tmp_path, name)
