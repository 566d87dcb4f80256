"""Every indicator code has its Chinese name, and every evidence token its words (issue 12 item 2)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from credit.contract import KEY_ROLES, MATERIAL_ITEMS, TABLES
from credit.indexsystem import load_index_system
from reports.explain import (
    CHANGE_WORDS,
    FINDING_ROW_KEYS,
    ROLE_WORDS,
    dimension_name,
    evidence_words,
    finding_rows,
    indicator_article,
    indicator_label,
)

EXAMPLE_FINDINGS = Path("/work/shared/examples/expected-2025/findings.csv")
INDEX = load_index_system("jc-2024.1")


def findings(*rows: tuple[str, str, str, str, str, str, str]) -> pd.DataFrame:
    columns = ["institution_id", "dimension", "indicator", "date", "raw_points", "points", "evidence"]
    return pd.DataFrame(list(rows), columns=columns, dtype=object)


def test_an_indicator_is_labelled_with_its_code_and_the_name_in_the_rules() -> None:
    assert indicator_label(INDEX, "YW-04") == "YW-04 报告非授权签字人签发"
    assert indicator_article(INDEX, "YW-04") == INDEX.indicators["YW-04"].article
    assert dimension_name(INDEX, "YW-04") == "业务执行"
    assert dimension_name(INDEX, "basic") == "基本素质"


def test_every_indicator_of_the_index_system_has_a_chinese_label_and_dimension() -> None:
    for code, indicator in INDEX.indicators.items():
        assert indicator_label(INDEX, code) == f"{code} {indicator.name}"
        assert dimension_name(INDEX, code) == INDEX.dimension(indicator.dimension).name


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert indicator_label(INDEX, "ZZ-99") == "ZZ-99"
    assert dimension_name(INDEX, "elsewhere") == "elsewhere"
    assert indicator_article(INDEX, "ZZ-99") == ""


def test_a_vacant_role_is_said_in_words_keeping_the_token() -> None:
    assert evidence_words("role:quality_manager") == "质量负责人空缺（role:quality_manager）"


def test_every_key_role_material_and_change_item_of_the_contract_has_words() -> None:
    items = TABLES["changes"].enums["item"]
    for token in [f"role:{r}" for r in KEY_ROLES] + [f"materials:{m}" for m in MATERIAL_ITEMS] + [
            f"change:{i}:2025-05-22" for i in items]:
        worded = evidence_words(token)
        assert worded.endswith(f"（{token}）") and len(worded) > len(token) + 2
    assert set(KEY_ROLES) <= set(ROLE_WORDS) and set(items) == set(CHANGE_WORDS)


def test_changes_materials_and_conflicts_name_what_the_token_says() -> None:
    assert evidence_words("change:address:2025-02-26") == "地址于 2025-02-26 变更，未按期办理变更（change:address:2025-02-26）"
    assert evidence_words("materials:cma") == "名录材料缺少检验检测机构资质认定证书（materials:cma）"
    assert evidence_words("A1;A2") == "同一对象分别受管理部门（监测活动 A1）和被管理对象（监测活动 A2）委托（A1;A2）"


def test_a_single_id_is_an_activity_or_an_event_by_the_indicators_trigger() -> None:
    assert evidence_words("A2025000000234", "auto") == "监测活动（A2025000000234）"
    assert evidence_words("EV20250000008", "event") == "信用事件（EV20250000008）"
    assert evidence_words("EV20250000008") == "EV20250000008"


@pytest.mark.parametrize("token", ["role:astronaut", "materials:cake", "change:colour:2025-01-01", "a b", ""])
def test_an_unknown_evidence_shape_is_shown_as_it_is(token: str) -> None:
    assert evidence_words(token, "auto") == token


def test_finding_rows_give_name_dimension_article_and_evidence_for_every_example_finding() -> None:
    frame = pd.read_csv(EXAMPLE_FINDINGS, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    rows = finding_rows(frame, INDEX)
    assert len(rows) == len(frame)
    for row, record in zip(rows, frame.to_dict("records"), strict=True):
        assert tuple(row) == FINDING_ROW_KEYS
        indicator = INDEX.indicators[record["indicator"]]
        assert row["indicator_name"] == indicator.name and row["article"] == indicator.article
        assert row["dimension"] == INDEX.dimension(record["dimension"]).name
        assert row["evidence_words"].endswith(f"（{record['evidence']}）")
        assert (row["raw_points"], row["points"], row["date"]) == (record["raw_points"], record["points"],
                                                                   record["date"])


def test_a_finding_cut_by_the_indicator_cap_says_so() -> None:
    cap = INDEX.indicators["JB-03"].cap  # 6 points: the third vacancy of 3 points is cut to 0
    rows = finding_rows(findings(
        ("X", "basic", "JB-03", "2025-12-31", "3.0", "3.0", "role:quality_manager"),
        ("X", "basic", "JB-03", "2025-12-31", "3.0", "3.0", "role:technical_director"),
        ("X", "basic", "JB-03", "2025-12-31", "3.0", "0.0", "role:top_manager"),
    ), INDEX)
    assert cap == 60
    assert [r["cap_note"] for r in rows] == ["", "", "已达本指标上限 6.0 分，计 0.0 分"]


def test_a_finding_cut_by_the_dimension_cap_says_so() -> None:
    rows = finding_rows(findings(
        ("X", "bonus", "BN-02", "2025-11-25", "2.0", "1.0", "EV1"),
    ), INDEX)
    assert rows[0]["cap_note"] == "已达加分上限 5.0 分，计 1.0 分"
    assert rows[0]["evidence_words"] == "信用事件（EV1）"


def test_the_reply_letter_names_a_set_aside_indicator_and_says_its_evidence_in_words() -> None:
    from reports.lifecycle import render_reply_letter
    from tests.golden.lifecycle_sample import reply_upheld

    aside = [{"indicator": "YW-04", "evidence": "A2025000000096", "points": "2.0", "reason": "签字人已获授权"}]
    html = render_reply_letter(reply_upheld(set_aside=aside, index=INDEX))
    assert ("指标 <code>YW-04</code> 报告非授权签字人签发（业务执行；第五条（一）4、第十条（一）），"
            "依据 监测活动（A2025000000096）（2.0分）：签字人已获授权") in html
    assert "指标 <code>YW-04</code>，依据 <code>A2025000000096</code>" in render_reply_letter(reply_upheld(set_aside=aside))


def test_a_what_if_reason_names_each_indicator_and_keeps_the_numbers() -> None:
    from reports.explain import reason_words

    assert reason_words("CX-01 5.0→10.0; 第十七条 —→4", INDEX) == "CX-01 行政处罚：警告、通报批评 5.0→10.0; 第十七条 —→4"
    assert reason_words("ZZ-99 1.0→0.0", INDEX) == "ZZ-99 1.0→0.0"
    assert reason_words("grade bands", INDEX) == "计分相同，等级分界不同（第十六条）"


def test_the_run_summary_counts_findings_per_indicator_by_name_in_the_index_systems_order() -> None:
    from reports.explain import indicator_totals
    from reports.render import render_run_summary_html

    totals = indicator_totals(findings(
        ("X", "execution", "YW-01", "2025-02-14", "0.5", "0.5", "A1"),
        ("Y", "execution", "YW-01", "2025-03-14", "0.5", "0.5", "A2"),
        ("X", "basic", "JB-03", "2025-12-31", "3.0", "3.0", "role:top_manager"),
    ), INDEX)
    assert totals == [
        {"code": "JB-03", "name": "关键岗位空缺", "dimension": "基本素质", "article": "第五条", "findings": "1",
         "points": "3.0"},
        {"code": "YW-01", "name": "监测活动信息未按时报送", "dimension": "业务执行",
         "article": INDEX.indicators["YW-01"].article, "findings": "2", "points": "1.0"},
    ]
    html = render_run_summary_html({"year": 2025, "index_version": "jc-2024.1", "indicators": totals},
                                   grade_bands=INDEX.grades)
    assert "<code>YW-01</code> 监测活动信息未按时报送</th><td>业务执行</td>" in html
