"""Golden and read-back tests of the lifecycle documents: R-14, R-15, R-16, R-17, R-18, R-20."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from reports.lifecycle import (
    A_LIST_COLUMNS,
    FINAL_COLUMNS,
    change_notice_context,
    render_a_list_csv,
    render_a_list_html,
    render_change_notice_html,
    render_final_results_csv,
    render_final_results_html,
    render_final_results_xlsx,
    render_reply_letter,
)
from reports.safe import path_inside
from tests.golden.lifecycle_sample import (
    A_ID_2,
    REVOKED_ID,
    change_context,
    final_context,
    final_results,
    package,
    previous_results,
    reply_deemed,
    reply_rejected,
    reply_upheld,
)
from tests.golden.publicity_sample import FORMULA_NAME, PERSONAL, SCRIPT_NAME

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
FINAL_ORDER = [  # county order of rules/bureau.yaml, then institution_id
    ("城区", "9114050215097111XC"),
    ("城区", "91140522192559211Y"),
    ("泽州县", "91140502147557110D"),
    ("泽州县", "91140522156702316G"),
    ("高平市", "121405241225528314"),
    ("阳城县", "91140524110231598W"),
    ("陵川县", REVOKED_ID),
    ("沁水县", A_ID_2),
]
REVOCATION_TEXT = "原评定等级A级已撤销，直接评定为D级（第十七条第（四）项）"
FIRST_PACKAGE = {"results.csv", "results.json", "cover_letter.html", "manifest.json"}
UPDATE_PACKAGE = FIRST_PACKAGE | {"changes.csv", "changes.json"}


@pytest.fixture
def final() -> dict:
    return final_context()


def read_csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "".join(
        f"# sheet {ws.title}\n"
        + "".join(json.dumps([iso_date(c) for c in row], ensure_ascii=False) + "\n"
                  for row in ws.iter_rows(values_only=True))
        for ws in wb.worksheets
    )


def iso_date(value: object) -> object:
    """A date cell (read back as a datetime) as the ISO text the CSV and the golden file hold."""
    return value.date().isoformat() if isinstance(value, datetime) else value


def all_published(final: dict) -> list[str]:
    """Every published document of the fixture, as text."""
    shared = package(2)
    return [
        render_final_results_html(final),
        render_final_results_csv(final).decode("utf-8-sig"),
        xlsx_text(render_final_results_xlsx(final)),
        render_a_list_html(final),
        render_a_list_csv(final).decode("utf-8-sig"),
        render_change_notice_html(change_context()),
        *(data.decode("utf-8-sig") for data in shared.values()),
    ]


# ---------------------------------------------------------------- golden files


def test_R17_final_results_html_matches_its_golden_file(final, golden):
    golden("final_results.html", render_final_results_html(final).encode("utf-8"))


def test_R17_final_results_csv_matches_its_golden_file_byte_for_byte(final, golden):
    golden("final_results.csv", render_final_results_csv(final))


def test_R17_final_results_xlsx_cell_values_match_their_golden_file(final, golden):
    golden("final_results.xlsx.txt", xlsx_text(render_final_results_xlsx(final)).encode("utf-8"))


def test_R18_a_list_html_and_csv_match_their_golden_files(final, golden):
    golden("a_list.html", render_a_list_html(final).encode("utf-8"))
    golden("a_list.csv", render_a_list_csv(final))


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        ("reply_letter_partly_upheld.html", reply_upheld()),
        ("reply_letter_rejected.html", reply_rejected()),
        ("reply_letter_deemed_late.html", reply_deemed("late")),
        ("reply_letter_deemed_no_evidence.html", reply_deemed("no_evidence")),
    ],
)
def test_R16_reply_letters_match_their_golden_files(name, facts, golden):
    golden(name, render_reply_letter(facts).encode("utf-8"))


def test_R15_change_notice_html_matches_its_golden_file(golden):
    golden("change_notice.html", render_change_notice_html(change_context()).encode("utf-8"))


@pytest.mark.parametrize("sequence", [1, 2])
def test_R17_share_package_files_match_their_golden_files_byte_for_byte(sequence, golden):
    for name, data in package(sequence).items():
        golden(f"share_package_{sequence}/{name}", data)


# ---------------------------------------------------------------- R-17 publication (第二十条)


def test_R17_final_results_page_has_the_title_the_determination_and_publication_dates_and_the_sharing(final):
    html = render_final_results_html(final)
    assert "<title>晋城市社会环境监测机构2025年度信用风险等级评价结果</title>" in html
    assert "已于2026年2月12日确定，现予以公布" in html
    assert '公布日期：<time datetime="2026-02-13">2026年2月13日</time>' in html
    assert '<footer class="signature">\n<p>晋城市生态环境局</p>\n<p><time datetime="2026-02-13">2026年2月13日</time>' in html
    assert "共享给本市市场监督管理部门（第二十条）" in html
    assert "2025年1月1日至2025年12月31日" in html


def test_R17_R01_final_results_csv_lists_every_institution_by_county_in_the_configured_order(final):
    frame = pd.read_csv(
        io.BytesIO(render_final_results_csv(final)), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert list(frame.columns) == list(FINAL_COLUMNS)
    assert list(zip(frame["所在县（市、区）"], frame["统一社会信用代码"], strict=True)) == FINAL_ORDER
    assert list(frame["信用风险等级"]) == [
        "不予评定", "A级", "B级", "D级（第十七条第（七）项）", "C级", "B级", "D级（第十七条第（四）项）", "A级",
    ]
    assert set(frame["结果确定日期"]) == {"2026-02-12"} and set(frame["公布日期"]) == {"2026-02-13"}


def test_R17_counts_per_county_and_grade_add_up_to_the_list_and_a_revoked_grade_counts_as_D(final):
    rows = {r["county"]: r["values"] for r in final["count_rows"]}
    assert final["grade_columns"] == ["A级", "B级", "C级", "D级", "不予评定", "合计"]
    assert rows["陵川县"] == [0, 0, 0, 1, 0, 1]
    assert rows["沁水县"] == [1, 0, 0, 0, 0, 1]
    assert final["count_totals"] == [2, 2, 1, 2, 1, 8]
    assert final["revoked_count"] == 1


def test_R14_R17_a_revoked_grade_is_published_as_revoked_and_directly_D_with_its_clause(final):
    by_id = {r["institution_id"]: r for r in final["rows"]}
    assert by_id[REVOKED_ID]["grade_text"] == "D级（第十七条第（四）项）"
    assert by_id[REVOKED_ID]["note"] == REVOCATION_TEXT
    assert REVOCATION_TEXT in render_final_results_html(final)
    assert f'data-institution-id="{REVOKED_ID}" data-revoked-grade="A"' in render_final_results_html(final)


def test_R17_not_rated_is_不予评定_and_a_clause_17_D_names_its_clause(final):
    by_id = {r["institution_id"]: r for r in final["rows"]}
    assert (by_id["9114050215097111XC"]["grade_text"], by_id["9114050215097111XC"]["note"]) == (
        "不予评定", "评价期间未纳入名录管理",
    )
    assert by_id["91140522156702316G"]["grade_text"] == "D级（第十七条第（七）项）"


def test_R17_xlsx_list_sheet_has_the_same_rows_as_the_csv_and_reproducible_bytes(final):
    data = render_final_results_xlsx(final)
    assert data == render_final_results_xlsx(final_context())
    sheet = [[iso_date(c) for c in r] for r in load_workbook(io.BytesIO(data))["评价结果"].iter_rows(values_only=True)]
    assert tuple(sheet[0]) == FINAL_COLUMNS
    for cells, row in zip(sheet[1:], read_csv_rows(render_final_results_csv(final)), strict=True):
        assert [str(c) if c is not None else "" for c in cells] == [v.removeprefix("'") for v in row.values()]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 2, 13, 0, 0, 0)}


def test_R14_a_revocation_without_a_matching_D_result_is_refused():
    with pytest.raises(ValueError, match="91140522192559211Y"):
        final_context(revoked={"91140522192559211Y": "B"})
    with pytest.raises(ValueError, match="not among the results"):
        final_context(revoked={"91140599MA0000000X": "A"})


def test_R17_publication_before_determination_is_refused():
    with pytest.raises(ValueError, match="before the results were determined"):
        final_context(published_on=date(2026, 2, 11))


# ---------------------------------------------------------------- R-18 A list (第二十一条)


def test_R18_a_list_holds_only_the_A_institutions_with_the_incentives_of_article_21(final):
    html = render_a_list_html(final)
    assert "<title>晋城市2025年度信用风险等级较低（A级）社会环境监测机构名单</title>" in html
    assert "鼓励各级政府、企事业单位在购买生态环境监测及生态环境监测设备运营维护服务时优先选择" in html
    assert "优先安排生态环境监测科研项目、专项资金或其他补助资金" in html
    rows = read_csv_rows(render_a_list_csv(final))
    assert tuple(rows[0]) == A_LIST_COLUMNS
    assert [(r["所在县（市、区）"], r["统一社会信用代码"], r["信用风险等级"]) for r in rows] == [
        ("城区", "91140522192559211Y", "A级"),
        ("沁水县", A_ID_2, "A级"),
    ]


def test_R14_R18_a_revoked_A_is_not_on_the_A_list(final):
    assert REVOKED_ID not in render_a_list_html(final)
    assert REVOKED_ID.encode() not in render_a_list_csv(final)


# ---------------------------------------------------------------- R-16 reply letters (第十九条)


def test_R16_partly_upheld_letter_tells_the_objector_the_decision_reason_corrections_and_new_result():
    html = render_reply_letter(reply_upheld())
    assert "<title>复核意见告知书</title>" in html
    assert '<p class="addressee">太原天恒检测技术有限公司：</p>' in html
    assert "异议编号：OBJ-2025-0003" in html
    assert "太原天恒检测技术有限公司（统一社会信用代码：91140524110231598W）2025年度信用风险等级评价结果" in html
    assert '<time datetime="2026-02-02">2026年2月2日</time>' in html
    assert "部分采纳（异议部分成立，予以部分采纳）" in html
    assert "经现场核查，EV-0107所涉报告系他机构出具" in html
    assert "<td class=\"num\">84.0分</td><td class=\"num changed\">90.0分</td>" in html
    assert "<td>B级</td><td class=\"changed\">A级</td>" in html
    assert "<code>EV-0107</code>：盲样考核不合格（2025-06-12）" in html
    assert "指标 <code>E-03</code>，依据 <code>EV-0107</code>（6.0分）：所涉报告非该机构出具" in html
    assert "&lt;b&gt;请复核&lt;/b&gt;" in html  # the claim is quoted as text


def test_R15_R16_a_changed_result_is_publicised_again_for_15_working_days():
    html = render_reply_letter(reply_upheld())
    assert "根据第十八条规定，变更后的评价结果将在晋城市生态环境局官网重新公示15个工作日" in html
    assert "（公示期：2026年2月25日至2026年3月17日）" in html


def test_R16_rejected_letter_says_维持_and_that_the_result_is_unchanged():
    html = render_reply_letter(reply_rejected())
    assert "维持（异议不成立，维持原评价结果）" in html
    assert f"复核后，{ESCAPED_SCRIPT}2025年度信用风险等级评价结果不变（B级）。" in html
    assert "重新公示" not in html and "复核前后评价结果" not in html


def test_R16_a_late_objection_is_deemed_no_objection_in_a_short_letter_citing_article_19():
    html = render_reply_letter(reply_deemed("late"))
    assert "<title>视为无异议告知书</title>" in html
    assert "公示期已于2026年2月11日届满，你（单位）的异议申请于2026年2月12日收到，已超过公示期" in html
    assert "第十九条“逾期未申请复核或未提供相应佐证材料的，视为无异议”的规定" in html
    assert "不予复核" in html and "复核意见" not in html


def test_R16_an_objection_without_evidence_is_deemed_no_objection_and_may_be_filed_again_in_the_window():
    html = render_reply_letter(reply_deemed("no_evidence"))
    assert "未提供相应的佐证资料或证据" in html and "视为无异议" in html
    assert "公示期届满前（2026年2月11日24时前），你（单位）可以书面形式重新提出异议申请" in html
    after_window = render_reply_letter(reply_deemed("no_evidence", letter_date=date(2026, 2, 12)))
    assert "重新提出异议申请" not in after_window


def test_R16_the_letter_names_the_filer_but_never_a_staff_number():
    for facts in (reply_upheld(), reply_rejected(), reply_deemed("late", decided_by="EMP-0042")):
        html = render_reply_letter(facts)
        assert "EMP-0042" not in html
        assert facts["filer_name"] in html


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (reply_rejected(after={"status": "rated", "grade": "A", "clause": "", "score": "90.0"}), "rejected"),
        (reply_upheld(decision="approved"), "decision must be one of"),
        (reply_upheld(reason=""), "needs its reason"),
        (reply_deemed("late", received_on=date(2026, 2, 11)), "not late"),
        (reply_deemed("late", publicity_last_day=None), "needs publicity_last_day"),
        (reply_deemed("too_long"), "inadmissible_reason"),
    ],
)
def test_R16_inconsistent_letter_facts_are_refused(facts, message):
    with pytest.raises(ValueError, match=message):
        render_reply_letter(facts)


# ---------------------------------------------------------------- change notice (第十七、十八条)


def test_R14_R15_change_notice_shows_before_after_reason_the_new_window_and_how_to_object():
    html = render_change_notice_html(change_context())
    assert "<title>晋城市社会环境监测机构2025年度信用风险等级评价结果变更公示</title>" in html
    assert f"<td>{REVOCATION_TEXT}</td>" in html
    assert "第十七条第（四）项情形经核实确认，信用风险等级实时调整（晋环罚〔2026〕3号）" in html
    assert "<td>由B级变更为A级</td>" in html and "异议复核（第十九条）" in html
    assert '<p class="window" data-first-day="2026-02-25" data-last-day="2026-03-17">公示期：2026年2月25日至2026年3月17日（15个工作日）</p>' in html
    assert "应在公示期内（2026年3月17日24时前），以书面形式向晋城市生态环境局申请复核" in html
    assert "山西省晋城市城区泽州路生态环境局信用管理科" in html


def test_R15_a_change_notice_without_a_changed_grade_or_with_a_window_before_publication_is_refused():
    same = {"institution_id": "X", "name": "n", "county": "城区", "cause": "objection", "decided_on": date(2026, 2, 24),
            "before": {"grade": "B"}, "after": {"grade": "B"}}
    with pytest.raises(ValueError, match="did not change"):
        change_notice_context([same], year=2025, publication_date=date(2026, 2, 24), first_day=date(2026, 2, 25),
                              last_day=date(2026, 3, 17), bureau={"bureau": "局"}, generated_at="")
    with pytest.raises(ValueError, match="publicity window"):
        change_context(first_day=date(2026, 2, 23))
    revocation_to_c = {**same, "cause": "revocation", "after": {"grade": "C"}}
    with pytest.raises(ValueError, match="revocation makes the grade D"):
        change_notice_context([revocation_to_c], year=2025, publication_date=date(2026, 2, 24),
                              first_day=date(2026, 2, 25), last_day=date(2026, 3, 17), bureau={"bureau": "局"},
                              generated_at="")


# ---------------------------------------------------------------- R-17 share package (第二十条)


def test_R17_first_share_package_holds_results_cover_letter_and_manifest():
    files = package(1)
    assert set(files) == FIRST_PACKAGE
    letter = files["cover_letter.html"].decode()
    assert "<title>关于共享2025年度社会环境监测机构信用风险等级评价结果的函</title>" in letter
    assert '<p class="addressee">晋城市市场监督管理局：</p>' in letter
    assert "共享批次：第1批" in letter and "本批变更情况" not in letter
    assert '<tr><td class="num">2</td><td class="num">2</td><td class="num">1</td><td class="num">2</td><td class="num">1</td><td class="num">8</td></tr>' in letter


def test_R17_update_package_lists_added_removed_and_changed_results_with_before_and_after_grade():
    files = package(2)
    assert set(files) == UPDATE_PACKAGE
    rows = read_csv_rows(files["changes.csv"])
    assert [(r["变更类型"], r["统一社会信用代码"], r["变更前等级"], r["变更后等级"]) for r in rows] == [
        ("新增", A_ID_2, "", "A级"),
        ("变更", REVOKED_ID, "A级", "D级（第十七条第（四）项）"),
        ("移除", "91140581MA0H7U3C54", "C级", ""),
    ]
    changes = json.loads(files["changes.json"])
    assert changes["previous_sequence"] == 1
    changed = changes["changes"][1]
    assert changed["fields"] == ["grade", "clause", "revoked_grade"]
    assert (changed["before"]["grade"], changed["after"]["grade"], changed["after"]["revoked_grade"]) == ("A", "D", "A")
    letter = files["cover_letter.html"].decode()
    assert "共享批次：第2批（更新）" in letter and "与上一批（第1批）相比，共3家" in letter


def test_R17_manifest_lists_every_other_file_with_its_rows_and_the_sha256_of_the_returned_bytes():
    files = package(2)
    manifest = json.loads(files["manifest.json"])
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == UPDATE_PACKAGE - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["bytes"] == len(files[name])
    assert listed["results.csv"]["rows"] == listed["results.json"]["rows"] == 8
    assert listed["changes.csv"]["rows"] == 3 and listed["cover_letter.html"]["rows"] is None
    assert (manifest["year"], manifest["sequence"]) == (2025, 2)


def test_R17_shared_results_csv_and_json_hold_one_record_per_institution_by_id():
    files = package(1)
    assert files["results.csv"].startswith(b"\xef\xbb\xbf") and files["results.csv"].count(b"\r\n") == 9
    data = json.loads(files["results.json"].decode("utf-8"))
    assert files["results.json"] == (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()
    records = data["records"]
    assert [r["institution_id"] for r in records] == sorted(r["institution_id"] for r in records)
    revoked = next(r for r in records if r["institution_id"] == REVOKED_ID)
    assert (revoked["grade"], revoked["clause"], revoked["revoked_grade"]) == ("D", "4", "A")
    not_rated = next(r for r in records if r["institution_id"] == "9114050215097111XC")
    assert (not_rated["status"], not_rated["grade"], not_rated["score"]) == ("not_rated", "", "")
    assert data["counts"] == {"A": 2, "B": 2, "C": 1, "D": 2, "not_rated": 1, "revoked": 1}


def test_R17_the_same_inputs_give_identical_bytes_whatever_the_row_order():
    first = package(2)
    assert package(2) == first
    reversed_rows = final_results().iloc[::-1].reset_index(drop=True)
    reversed_previous = previous_results().iloc[::-1].reset_index(drop=True)
    assert package(2, results=reversed_rows, previous=reversed_previous) == first


@pytest.mark.parametrize(("sequence", "previous"), [(1, "given"), (2, None), (0, None)])
def test_R17_sequence_one_is_the_first_sharing_and_every_update_needs_the_previous_results(sequence, previous):
    with pytest.raises(ValueError, match="sequence"):
        package(sequence, previous=previous_results() if previous else None)


# ---------------------------------------------------------------- R-20 safe output


def test_R20_share_file_names_are_fixed_plain_names_whatever_the_institutions_are_called(tmp_path):
    results = final_results()
    results.loc[0, "name"] = "../../etc/passwd"
    results.loc[1, "institution_id"] = "../results.csv"
    files = package(1, results=results)
    assert set(files) == FIRST_PACKAGE
    for name in files:
        assert path_inside(tmp_path, name) == tmp_path.resolve() / name


def test_R20_the_script_name_is_escaped_in_every_html_document(final):
    pages = [
        render_final_results_html(final),
        render_a_list_html(final_context(results=_with_script_as_a())),
        render_reply_letter(reply_rejected()),
        package(1)["cover_letter.html"].decode(),
    ]
    for html in pages:
        assert SCRIPT_NAME not in html
    assert ESCAPED_SCRIPT in pages[0] and ESCAPED_SCRIPT in pages[1] and ESCAPED_SCRIPT in pages[2]


def _with_script_as_a() -> pd.DataFrame:
    results = final_results()
    results.loc[results["name"] == SCRIPT_NAME, "grade"] = "A"
    return results


def test_R20_a_formula_like_name_gets_an_apostrophe_in_every_csv_and_quote_prefix_in_the_xlsx(final):
    formula_as_a = final_results()
    formula_as_a.loc[formula_as_a["name"] == FORMULA_NAME, "grade"] = "A"
    csvs = [
        render_final_results_csv(final),
        render_a_list_csv(final_context(results=formula_as_a)),
        package(1)["results.csv"],
    ]
    for data in csvs:
        names = [r["机构名称"] for r in read_csv_rows(data)]
        assert "'" + FORMULA_NAME in names
        assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
    ws = load_workbook(io.BytesIO(render_final_results_xlsx(final)))["评价结果"]
    cell = next(c for c in ws["C"] if c.value == FORMULA_NAME)
    assert cell.data_type == "s" and cell.quotePrefix is True


def test_nothing_published_or_shared_carries_personal_data(final):
    for text in all_published(final):
        for value in PERSONAL.values():
            assert value not in text
