"""The inspection plan's files (第二十二条; R-19, R-20): exact plan.csv, safe HTML/XLSX, reproducible bytes."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from credit.sampling import draw_inspectors, load_sampling_rules, plan
from reports.plan import (
    plan_context,
    render_plan_csv,
    render_plan_html,
    render_plan_inspectors_csv,
    render_plan_xlsx,
)

BUREAU = {"bureau": "晋城市生态环境局", "system": "测试系统", "counties": ["城区", "泽州县"]}
RULES = load_sampling_rules("jc-2024.1")
RESULTS = pd.DataFrame({
    "institution_id": ["91140500000000001A", "91140500000000002B", "91140500000000003C", "91140500000000004D"],
    "county": ["城区", "泽州县", "城区", "外省"],
    "status": ["rated", "rated", "rated", "not_rated"],
    "grade": ["A", "D", "C", ""],
})
COMPLAINTS = pd.DataFrame({"institution_id": ["91140500000000001A", "91140500000000009Z"],
                           "county": ["城区", "泽州县"]})
NAMES = {"91140500000000001A": "<script>alert(1)</script>", "91140500000000002B": "=HYPERLINK(\"x\")"}
ROSTER = pd.DataFrame({"inspector_id": ["C1", "C2", "Z1"], "name": ["=王", "李", "张"],
                       "unit": ["支队", "监测科", "泽州县分局"], "county": ["", "市局", "泽州县"]})


def context(seed: str = "s", roster: pd.DataFrame | None = ROSTER) -> tuple[dict, pd.DataFrame, pd.DataFrame | None]:
    drawn = plan(RESULTS, COMPLAINTS, RULES, seed)
    teams = None if roster is None else draw_inspectors(drawn.rows, roster, seed)
    ctx = plan_context(drawn.rows, drawn.counts, teams, year=2026, source_year=2025, seed=seed, rules=RULES,
                       names=NAMES, bureau=BUREAU, snapshot="sha256:" + "0" * 64)
    return ctx, drawn.rows, teams


def test_R19_plan_csv_has_exactly_the_columns_of_index_system_with_bom_crlf_and_lower_case_on_site():
    _, rows, _ = context()
    text = render_plan_csv(rows).decode("utf-8")
    lines = text.split("\r\n")
    assert text.startswith("\ufeff") and lines[0] == "\ufeffinstitution_id,county,grade,reason,inspections,on_site"
    assert "91140500000000001A,城区,A,complaint,1,true" in lines
    assert "91140500000000009Z,泽州县,,complaint,1,true" in lines
    assert len(lines) == 1 + len(rows) + 1 and lines[-1] == ""


def test_R20_institution_names_are_escaped_in_html_and_never_formulas_in_xlsx_or_csv():
    ctx, _, teams = context()
    html = render_plan_html(ctx)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "随机种子" in html and "jc-2024.1" in html and "泽州县" in html
    assert b"'=" in render_plan_inspectors_csv(teams, team_size=2)  # inspector "=王" neutralised
    wb = load_workbook(io.BytesIO(render_plan_xlsx(ctx)))
    assert wb.sheetnames == ["检查计划", "检查人员", "计划说明"]
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_R19_same_seed_same_bytes_and_an_empty_roster_is_said_plainly():
    first, second = context()[0], context()[0]
    assert render_plan_xlsx(first) == render_plan_xlsx(second)
    assert render_plan_html(first) == render_plan_html(second)
    bare, _, _ = context(roster=None)
    assert "名录为空" in render_plan_html(bare)
    assert render_plan_inspectors_csv(None, team_size=2).decode("utf-8-sig").count("\r\n") == 1


def test_counts_per_grade_are_stated_with_exact_ratios():
    ctx, _, _ = context()
    by_grade = {r["grade_text"]: r for r in ctx["counts"]}
    assert by_grade["A级"]["ratio"] == "3%" and by_grade["C级"]["ratio"] == "10%"
    assert by_grade["D级"]["ratio"] == "100%" and by_grade["C级"]["selected"] == 1
    assert [c["name"] for c in ctx["counties"]] == ["城区", "泽州县", "未列明县（市、区）"]
