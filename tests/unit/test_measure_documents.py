"""R-07 (第十条): 书面告知书 and 约见谈话通知书 render from the inspection (第八、九条) and its finding;
R-20: data shows as text. Pure functions: no clock, no database."""

from __future__ import annotations

from datetime import date

import pytest

from reports.measures import MEASURE_TITLES, measure_context, render_measure_html
from tests.golden.publicity_sample import BUREAU, SCRIPT_NAME

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ART10_1 = (
    "监测过程不规范，出具的监测报告和原始记录（运维记录）未能严格执行或错误使用生态环境相关标准和技术规范，"
    "信息不完整，直接或间接影响最终监测数据（结果）的有效性和准确性的"
)
ART10_5 = "不符合本办法第五条、第六条规定的"


def measure(kind: str = "written_notice", **overrides) -> dict:
    """A 第十条第（一）项 finding of an on-site inspection, as the lead's code hands it over."""
    value = {
        "kind": kind,
        "document_no": "晋环监告〔2026〕3号" if kind == "written_notice" else "晋环监谈〔2026〕1号",
        "issued_on": date(2026, 3, 2),
        "institution_id": "91140524110231598W",
        "institution_name": "太原天恒检测技术有限公司",
        "institution_address": "山西省晋城市阳城县凤城镇新阳东街18号",
        "inspection_id": "INS-2026-0012",
        "inspected_on": date(2026, 2, 26),
        "method": "进入监测活动场所进行现场检查",
        "method_item": 2,
        "matters": [
            (2, "样品采集制备、分析测试、数据传输、结果评价等原始记录、监测报告"),
            {"item": 3, "name": "方法标准和技术规范的使用"},
        ],
        "inspectors": ["王建国", "李红"],
        "situation": 1,
        "situation_text": ART10_1,
        "facts": "2026年1月出具的JC-2026-0031号监测报告未记录采样时的气象参数。\n\n部分原始记录使用已废止的HJ 91-2002。",
        "indicator": {"code": "YW-05", "name": "监测过程不规范", "points": 3},
        "bureau": BUREAU,
    }
    if kind == "interview":
        value |= {"interview_at": "2026-03-05 09:30", "interview_place": "晋城市生态环境局三楼会议室"}
    value.update(overrides)
    return value


@pytest.mark.parametrize("kind", sorted(MEASURE_TITLES))
def test_R07_both_measures_cite_the_item_of_article_10_its_text_the_facts_the_number_and_the_indicator(kind):
    html = render_measure_html(measure(kind))
    doc_no = measure(kind)["document_no"]
    assert f"<title>{MEASURE_TITLES[kind]}（{doc_no}）</title>" in html
    assert f"<h1>{MEASURE_TITLES[kind]}</h1>" in html
    assert f'<p class="docno">{doc_no}</p>' in html
    assert (
        '太原天恒检测技术有限公司（统一社会信用代码：<span class="code">91140524110231598W</span>）：' in html
    )
    assert f"第十条第（一）项“{ART10_1}”所列情形" in html
    assert '<p class="body">2026年1月出具的JC-2026-0031号监测报告未记录采样时的气象参数。</p>' in html
    assert '<p class="body">部分原始记录使用已废止的HJ 91-2002。</p>' in html  # one paragraph per line
    assert "按《晋城市社会环境监测机构信用风险评价指标体系》YW-05“监测过程不规范”计入信用风险评价" in html
    assert (
        '<footer class="signature">\n<p>晋城市生态环境局</p>\n<p><time datetime="2026-03-02">2026年3月2日</time></p>'
        in html
    )
    assert "0356-2026936" in html


def test_R06_the_inspection_sentence_names_the_date_method_matters_inspection_and_inspectors():
    text = measure_context(measure())["inspection"]
    assert text == (
        "我局于2026年2月26日通过进入监测活动场所进行现场检查（第九条第（二）项）对你单位的"
        "样品采集制备、分析测试、数据传输、结果评价等原始记录、监测报告（第八条第（二）项）；"
        "方法标准和技术规范的使用（第八条第（三）项）开展了监督检查（检查编号：INS-2026-0012），"
        "检查人员：王建国、李红。"
    )


def test_R07_a_written_notice_asks_for_rectification_by_the_given_date_or_at_once():
    dated = measure_context(measure(rectify_by="2026-03-31"))
    assert dated["requirement"] == "请于2026年3月31日前完成整改，并将整改情况书面报送我局。"
    assert "根据第十条规定，现予以书面告知。" in dated["basis"]
    assert measure_context(measure())["requirement"] == "请立即整改，并将整改情况书面报送我局。"


def test_R07_an_interview_notice_gives_time_place_and_asks_the_legal_representative_with_the_materials():
    ctx = measure_context(measure("interview"))
    assert ctx["interview_at"] == "2026年3月5日（星期四）9:30"
    assert ctx["interview_place"] == "晋城市生态环境局三楼会议室"
    assert "请你单位法定代表人或主要负责人按上述时间、地点参加约见谈话，并携带" in ctx["requirement"]
    assert "根据第十条规定，现对你单位进行约见谈话。" in ctx["basis"]
    html = render_measure_html(measure("interview", attendees="技术负责人和质量负责人"))
    assert '<time datetime="2026-03-05T09:30">2026年3月5日（星期四）9:30</time>' in html
    assert "请你单位技术负责人和质量负责人按上述时间" in html
    assert "整改要求" not in html


@pytest.mark.parametrize(
    "missing", [{"interview_at": None}, {"interview_at": "2026-03-05"}, {"interview_place": ""}]
)
def test_R07_an_interview_notice_without_a_time_or_place_is_refused(missing):
    with pytest.raises(ValueError, match=r"约谈(时间（interview_at）|地点（interview_place）)"):
        measure_context(measure("interview", **missing))


def test_R07_a_document_issued_before_the_inspection_is_refused_naming_both_dates():
    with pytest.raises(ValueError, match=r"签发日期 2026-02-25 早于检查日期 2026-02-26"):
        measure_context(measure(issued_on=date(2026, 2, 25)))


def test_R07_a_document_issued_on_the_inspection_day_is_allowed():
    assert measure_context(measure(issued_on="2026-02-26"))["issued_on"] == "2026年2月26日"


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "warning_letter"},
        {"situation": 7},
        {"method_item": 0},
        {"matters": [(9, "其他")]},
        {"matters": []},
        {"inspectors": []},
        {"facts": " \n "},
        {"indicator": None},  # only 第十条第（五）项 has no indicator
        {"rectify_by": date(2026, 3, 1)},
    ],
)
def test_R07_incomplete_or_inconsistent_facts_are_refused(overrides):
    with pytest.raises(ValueError):
        measure_context(measure(**overrides))


def test_R07_situation_5_without_an_indicator_is_left_to_the_registry_of_articles_5_and_6():
    html = render_measure_html(measure(situation=5, situation_text=ART10_5, indicator=None))
    assert f"第十条第（五）项“{ART10_5}”所列情形" in html
    assert "上述情形按第五条、第六条规定的名录管理办理，请你单位通过晋城社会环境监测机构管理系统" in html
    assert "不另行作为信用信息记入信用记录" in html
    assert "计入信用风险评价（第十四条）" not in html and "data-indicator" not in html


@pytest.mark.parametrize("kind", sorted(MEASURE_TITLES))
def test_R20_a_script_in_the_name_facts_or_place_shows_as_text(kind):
    html = render_measure_html(
        measure(
            kind, institution_name=SCRIPT_NAME, facts=f"记录中写有{SCRIPT_NAME}", interview_place=SCRIPT_NAME
        )
    )
    assert "<script" not in html
    assert f'<p class="addressee">{ESCAPED_SCRIPT}（统一社会信用代码' in html
    assert f'<p class="body">记录中写有{ESCAPED_SCRIPT}</p>' in html


@pytest.mark.parametrize("kind", sorted(MEASURE_TITLES))
def test_the_same_facts_give_the_same_bytes_whether_dates_are_dates_or_iso_text(kind):
    as_text = measure(kind, issued_on="2026-03-02", inspected_on="2026-02-26")
    assert render_measure_html(measure(kind)).encode() == render_measure_html(as_text).encode()
