"""Golden and read-back tests of the publicity list (公示名单): R-15, R-16, R-20, R-01."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from credit.indexsystem import GradeBand, load_index_system
from credit.lifecycle import Procedure
from credit.rules import version_in_force
from reports.render import (
    LIST_COLUMNS,
    publicity_context,
    render_publicity_csv,
    render_publicity_html,
    render_publicity_xlsx,
)
from tests.golden.publicity_sample import (
    BANDS,
    BUREAU,
    FORMULA_NAME,
    PERSONAL,
    PROCEDURE,
    SCRIPT_NAME,
    sample_context,
    sample_results,
)
from tests.support.paths import EXAMPLE_EXPECTED

ROOT = Path(__file__).resolve().parents[2]
WORKED_EXAMPLE = EXAMPLE_EXPECTED / "results.csv"
NOTICE_ORDER = [  # county order of rules/bureau.yaml, then institution_id
    ("城区", "9114050215097111XC"),
    ("城区", "91140522192559211Y"),
    ("泽州县", "91140502147557110D"),
    ("泽州县", "91140522156702316G"),
    ("高平市", "121405241225528314"),
    ("阳城县", "91140524110231598W"),
]


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_values(data: bytes) -> dict[str, list[list[object]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[iso_date(c) for c in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def iso_date(value: object) -> object:
    """A date cell (read back as a datetime) as the ISO text the CSV and the golden file hold."""
    return value.date().isoformat() if isinstance(value, datetime) else value


# ---------------------------------------------------------------- golden files


def test_R15_publicity_html_matches_its_golden_file(ctx, golden):
    golden("publicity.html", render_publicity_html(ctx).encode("utf-8"))


def test_R15_publicity_csv_matches_its_golden_file_byte_for_byte(ctx, golden):
    golden("publicity.csv", render_publicity_csv(ctx))


def test_R15_publicity_xlsx_cell_values_match_their_golden_file(ctx, golden):
    values = xlsx_values(render_publicity_xlsx(ctx))
    lines = [f"# sheet {title}\n" + "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
             for title, rows in values.items()]
    golden("publicity.xlsx.txt", "".join(lines).encode("utf-8"))


# ---------------------------------------------------------------- content


def test_R15_csv_is_utf8_with_bom_crlf_and_a_chinese_header(ctx):
    data = render_publicity_csv(ctx)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == len(ctx["rows"]) + 1
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.decode("utf-8-sig").split("\r\n")[0] == ",".join(LIST_COLUMNS)


def test_R15_R01_csv_read_back_lists_every_institution_with_its_county_in_notice_order(ctx):
    frame = pd.read_csv(io.BytesIO(render_publicity_csv(ctx)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(LIST_COLUMNS)
    assert list(zip(frame["所在县（市、区）"], frame["统一社会信用代码"], strict=True)) == NOTICE_ORDER
    assert list(frame["序号"]) == ["1", "2", "3", "4", "5", "6"]
    assert list(frame["信用风险等级"]) == ["不予评定", "A级", "B级", "D级（第十七条第（七）项）", "C级", "B级"]
    assert set(frame["公示期开始"]) == {"2026-01-22"} and set(frame["公示期结束"]) == {"2026-02-11"}


def test_R15_xlsx_list_sheet_has_the_same_rows_as_the_csv(ctx):
    sheet = xlsx_values(render_publicity_xlsx(ctx))["公示名单"]
    csv_rows = read_csv_rows(render_publicity_csv(ctx))
    assert tuple(sheet[0]) == LIST_COLUMNS
    for cells, row in zip(sheet[1:], csv_rows, strict=True):
        assert [str(c) if c is not None else "" for c in cells] == [
            v.removeprefix("'") for v in row.values()
        ]


def test_R15_notice_names_title_period_grade_bands_and_the_15_working_day_window(ctx):
    html = render_publicity_html(ctx)
    assert "<title>晋城市社会环境监测机构2025年度信用风险等级评价结果公示</title>" in html
    assert "2025年1月1日至2025年12月31日" in html
    assert "公示期：2026年1月22日至2026年2月11日（15个工作日）" in html
    for text in ("A级（较低风险）</strong>：得分在90分及以上", "B级（低风险）</strong>：得分在80分（含）—90分（不含）",
                 "C级（中风险）</strong>：得分在60分（含）—80分（不含）", "D级（高风险）</strong>：得分在60分以下"):
        assert text in html
    assert '<time datetime="2026-01-21">2026年1月21日</time>' in html
    assert "晋城市生态环境局" in html


def test_R15_not_rated_is_shown_as_不予评定_and_a_clause_17_D_names_its_clause(ctx):
    by_id = {r["institution_id"]: r for r in ctx["rows"]}
    assert by_id["9114050215097111XC"]["grade_text"] == "不予评定"
    assert by_id["91140522156702316G"]["grade_text"] == "D级（第十七条第（七）项）"


def test_R15_counts_per_county_and_grade_add_up_to_the_list(ctx):
    assert ctx["grade_columns"] == ["A级", "B级", "C级", "D级", "不予评定", "合计"]
    rows = {r["county"]: r["values"] for r in ctx["count_rows"]}
    assert list(rows) == BUREAU["counties"]
    assert rows["城区"] == [1, 0, 0, 0, 1, 2]
    assert rows["泽州县"] == [0, 1, 0, 1, 0, 2]
    assert rows["沁水县"] == [0, 0, 0, 0, 0, 0]
    assert ctx["count_totals"] == [1, 2, 1, 1, 1, 6]


def test_R01_an_institution_of_an_unconfigured_county_is_listed_last_not_dropped():
    results = sample_results()
    results.loc[0, "county"] = "太原市"
    ctx = sample_context(results=results)
    assert ctx["counties"][-1]["name"] == "未列明县（市、区）"
    assert [r["institution_id"] for r in ctx["counties"][-1]["rows"]] == ["91140524110231598W"]
    assert ctx["rows"][-1]["county"] == "太原市"


def test_R16_notice_says_object_in_writing_with_evidence_within_the_window_or_be_deemed_without_objection(ctx):
    html = render_publicity_html(ctx)
    assert "应在公示期内（2026年2月11日24时前），以书面形式向晋城市生态环境局申请复核，并提供完整的佐证资料或证据" in html
    assert "逾期未申请复核或未提供相应佐证材料的，视为无异议" in html
    assert "15个工作日内完成复核" in html
    for value in BUREAU["objections"].values():
        assert value in html


def test_R15_draft_shows_a_草稿_banner_and_the_published_notice_does_not():
    assert "草稿（未发布）" not in render_publicity_html(sample_context(draft=False))
    draft = render_publicity_html(sample_context(draft=True))
    assert '<p class="draft" role="note"><strong>草稿（未发布）</strong>' in draft
    assert "<title>【草稿（未发布）】晋城市" in draft
    lines = xlsx_values(render_publicity_xlsx(sample_context(draft=True)))["公示说明"]
    assert lines[0] == ["草稿（未发布）"]


def test_notice_says_when_and_from_which_snapshot_and_index_version_it_was_generated(ctx):
    html = render_publicity_html(ctx)
    assert "生成时间：2026-01-20 09:30:00 +08:00" in html
    assert ctx["snapshot"] in html and "评价指标体系版本：jc-2024.1" in html


def test_publicity_carries_no_personal_data_even_when_results_have_extra_columns(ctx):
    outputs = [
        render_publicity_html(ctx),
        render_publicity_csv(ctx).decode("utf-8-sig"),
        json.dumps(xlsx_values(render_publicity_xlsx(ctx)), ensure_ascii=False),
    ]
    for text in outputs:
        for value in PERSONAL.values():
            assert value not in text


def test_html_is_well_formed_html5_with_lang_caption_and_column_headers(ctx):
    html = render_publicity_html(ctx)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert "<script" not in html.replace("&lt;script", "")
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "no external resource"
    checker = TagBalance()
    checker.feed(html)
    checker.close()
    assert checker.stack == [] and checker.errors == []
    assert html.count("<table") == html.count("<caption>") == 1 + 4  # counts + 4 counties with rows
    assert html.count('<th scope="col"') == 7 + 4 * 5


class TagBalance(HTMLParser):
    VOID = {"meta", "link", "br", "hr", "img", "input", "col", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


# ---------------------------------------------------------------- R-20 safe output


def test_R20_an_institution_named_script_is_escaped_and_shown_as_text_in_html(ctx):
    html = render_publicity_html(ctx)
    assert SCRIPT_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_R20_a_formula_like_name_gets_an_apostrophe_in_the_csv(ctx):
    names = [r["机构名称"] for r in read_csv_rows(render_publicity_csv(ctx))]
    assert "'" + FORMULA_NAME in names
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


def test_R20_a_formula_like_name_is_a_quote_prefixed_string_cell_in_the_xlsx_never_a_formula(ctx):
    data = render_publicity_xlsx(ctx)
    ws = load_workbook(io.BytesIO(data))["公示名单"]
    cell = next(c for c in ws["C"] if c.value == FORMULA_NAME)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_R20_an_all_digit_credit_code_stays_text_in_the_xlsx(ctx):
    ws = load_workbook(io.BytesIO(render_publicity_xlsx(ctx)))["公示名单"]
    cell = next(c for c in ws["B"] if c.value == "121405241225528314")
    assert cell.data_type == "s" and cell.number_format == "@"


# ---------------------------------------------------------------- reproducible XLSX


def test_xlsx_bytes_are_reproducible_with_fixed_properties_and_zip_timestamps(ctx):
    first, second = render_publicity_xlsx(ctx), render_publicity_xlsx(sample_context())
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 21, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2026-01-21T00:00:00Z</dcterms:created>" in core
    assert "2026-01-21T00:00:00Z</dcterms:modified>" in core


# ---------------------------------------------------------------- rules stay data


def test_the_golden_grade_bands_are_those_of_the_index_system_in_force():
    index = load_index_system(version_in_force("index", date(2025, 1, 1)))
    assert [(b.grade, b.label, b.min) for b in BANDS] == [(b.grade, b.label, b.min) for b in index.grades]


def test_the_golden_day_counts_are_those_of_rules_procedure_yaml():
    raw = yaml.safe_load((ROOT / "rules/procedure.yaml").read_text(encoding="utf-8"))
    assert Procedure.from_rules(raw) == PROCEDURE
    ctx = sample_context()
    assert ctx["window"]["working_days"] == raw["publicity_working_days"]
    assert f"收到异议申请{raw['objection_review_working_days']}个工作日内" in ctx["objection"]["paragraphs"][2]


def test_bands_and_day_counts_not_passed_are_read_from_the_rules_in_force():
    given = sample_context()
    kwargs = {"year": 2025, "publication_date": date(2026, 1, 21), "first_day": date(2026, 1, 22),
              "last_day": date(2026, 2, 11), "bureau": BUREAU, "draft": False, "generated_at": given["generated_at"],
              "snapshot": given["snapshot"], "index_version": "jc-2024.1"}
    assert publicity_context(sample_results(), **kwargs) == given


def test_other_grade_bands_and_day_counts_are_stated_as_given():
    bands = (GradeBand("甲", "低", 850, ""), GradeBand("乙", "高", 0, ""))
    results = sample_results().assign(grade=lambda f: f["grade"].where(f["grade"] == "", "乙"), clause="")
    ctx = sample_context(results=results, grade_bands=bands, publicity_working_days=10, review_working_days=20)
    assert [b["name"] for b in ctx["bands"]] == ["甲级（低）", "乙级（高）"]
    assert ctx["window"]["working_days"] == 10 and "（10个工作日）" in ctx["window"]["text"]
    assert "收到异议申请20个工作日内" in ctx["objection"]["paragraphs"][2]
    assert "直接评定为乙级" in ctx["art17"]


def test_the_live_bureau_settings_render(tmp_path):
    bureau = yaml.safe_load((ROOT / "rules/bureau.yaml").read_text(encoding="utf-8"))
    html = render_publicity_html(sample_context(bureau=bureau))
    assert bureau["objections"]["address"] in html


@pytest.mark.skipif(not WORKED_EXAMPLE.exists(), reason="the shared worked example is not mounted")
def test_the_worked_example_results_render_one_row_per_institution():
    results = pd.read_csv(WORKED_EXAMPLE, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    ctx = sample_context(results=results)
    assert len(read_csv_rows(render_publicity_csv(ctx))) == len(results) == 15


# ---------------------------------------------------------------- refusals


def test_a_window_that_starts_before_the_publication_date_is_refused():
    with pytest.raises(ValueError, match="publicity window"):
        sample_context(first_day=date(2026, 1, 20))


def test_a_rated_result_without_a_grade_is_refused_rather_than_published():
    results = sample_results()
    results.loc[0, "grade"] = ""
    with pytest.raises(ValueError, match="91140524110231598W"):
        sample_context(results=results)
