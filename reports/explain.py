"""Findings in the regulation's words: indicator names, dimensions, articles and evidence (issue 12 item 2).

`findings.csv` (DATA_CONTRACT.md) keeps codes (`YW-04`, `basic`, `role:quality_manager`) so that programs
can read it; a person reads the same finding as 指标名称, 维度, 条款 and evidence in words. Every function
here is pure: it takes the `IndexSystem` (`rules.index`) and returns text, so letters, notices, the run
summary, the what-if table and 评分明细.xlsx all say a finding the same way.

    from reports.explain import indicator_label, evidence_words, finding_rows
    indicator_label(rules.index, "YW-04")            # 'YW-04 报告非授权签字人签发'
    evidence_words("role:quality_manager")           # '质量负责人空缺（role:quality_manager）'
    finding_rows(scored.findings, rules.index)       # one dict per finding, keys in FINDING_ROW_KEYS

A code or an evidence shape this module does not know is shown as it is, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
from openpyxl import Workbook

from credit.indexsystem import Dimension, IndexSystem, Indicator, format_tenths, tenths
from reports.common import (
    csv_chunks,
    stable_workbook_bytes,
    stream_rows_xml,
    write_list_sheet,
    write_list_sheet_streamed,
)

__all__ = [
    "CHANGE_WORDS", "DETAIL_COLUMNS", "FINDING_HEADERS", "FINDING_ROW_KEYS", "MATERIAL_WORDS", "ROLE_WORDS",
    "detail_rows", "dimension_name", "evidence_words", "finding_rows", "findings_csv_chunks", "indicator_article",
    "indicator_label", "indicator_name", "indicator_totals", "reason_words", "render_findings_csv",
    "render_findings_xlsx",
]

# credit/contract.py KEY_ROLES and the other roles of personnel.csv (DATA_CONTRACT.md).
ROLE_WORDS = {
    "legal_representative": "法定代表人",
    "top_manager": "最高管理者",
    "technical_director": "技术负责人",
    "authorized_signatory": "授权签字人",
    "quality_manager": "质量负责人",
    "technician": "技术人员",
    "sampler": "采样人员",
}
# credit/contract.py MATERIAL_ITEMS: the application materials of the 名录 (第五条).
MATERIAL_WORDS = {
    "commitment": "信用承诺书",
    "licence": "营业执照或法人证书",
    "cma": "检验检测机构资质认定证书",
    "key_roles": "关键岗位人员材料",
    "staff": "人员材料",
    "equipment": "仪器设备材料",
    "other": "其他材料",
}
# changes.csv `item` (第六条: 信息变更).
CHANGE_WORDS = {
    "name": "名称",
    "address": "地址",
    "legal_nature": "法人性质",
    "key_personnel": "关键人员",
    "qualification_scope": "资质认定范围",
}

# The keys of a finding_rows() row, and the Chinese column headings 评分明细.xlsx and findings_zh.csv use.
FINDING_HEADERS = {
    "institution_id": "统一社会信用代码",
    "dimension": "维度",
    "indicator": "指标代码",
    "indicator_name": "指标名称",
    "article": "依据条款",
    "date": "日期",
    "evidence_words": "证据",
    "raw_points": "原始分",
    "points": "计入分",
    "cap_note": "封顶说明",
}
FINDING_ROW_KEYS = tuple(FINDING_HEADERS)

T = TypeVar("T")
_ISO = r"\d{4}-\d{2}-\d{2}"


def _indicator(index: IndexSystem, code: str) -> Indicator | None:
    return index.indicators.get(code)


def indicator_name(index: IndexSystem, code: str) -> str:
    """The Chinese name of an indicator (`报告非授权签字人签发`); an unknown code is returned as it is."""
    indicator = _indicator(index, code)
    return indicator.name if indicator else code


def indicator_label(index: IndexSystem, code: str) -> str:
    """Code and Chinese name, as a letter names an indicator: `YW-04 报告非授权签字人签发`."""
    indicator = _indicator(index, code)
    return f"{code} {indicator.name}" if indicator else code


def indicator_article(index: IndexSystem, code: str) -> str:
    """The article of the regulation the indicator implements (`第八条（二）`); empty for an unknown code."""
    indicator = _indicator(index, code)
    return indicator.article if indicator else ""


def _dimension(index: IndexSystem, code: str) -> Dimension | None:
    return next((d for d in index.dimensions if d.code == code), None)


def dimension_name(index: IndexSystem, code: str) -> str:
    """Chinese name of a dimension from its code (`basic` → `基本素质`) or of an indicator's dimension
    (`YW-04` → `业务执行`); anything else is returned as it is."""
    indicator = _indicator(index, code)
    dimension = _dimension(index, indicator.dimension if indicator else code)
    return dimension.name if dimension else code


def evidence_words(evidence: str, trigger: str | None = None) -> str:
    """The evidence of a finding in words, the token kept in brackets so it can still be looked up.

    Shapes (INDEX_SYSTEM.md "Precise readings"): `role:<role>` (JB-03), `materials:<item>` (JB-02),
    `change:<item>:<changed_on>` (JB-01), `<activity>;<activity>` (JY-01), and a single id: an activity
    for an auto indicator, a credit event (incl. supervision and complaint records) for an event one. Pass
    the indicator's `trigger` ("auto"/"event") to word a single id; without it, or for any unknown shape,
    the evidence is returned as it is.
    """
    text = "" if evidence is None else str(evidence)
    worded = _worded(text, trigger)
    return f"{worded}（{text}）" if worded else text


def _worded(text: str, trigger: str | None) -> str:
    """The words for one evidence token, or "" when its shape is unknown."""
    if match := re.fullmatch(r"role:(\w+)", text):
        role = ROLE_WORDS.get(match[1])
        return f"{role}空缺" if role else ""
    if match := re.fullmatch(r"materials:(\w+)", text):
        item = MATERIAL_WORDS.get(match[1])
        return f"名录材料缺少{item}" if item else ""
    if match := re.fullmatch(rf"change:(\w+):({_ISO})", text):
        item = CHANGE_WORDS.get(match[1])
        return f"{item}于 {match[2]} 变更，未按期办理变更" if item else ""
    if match := re.fullmatch(r"([^;:\s]+);([^;:\s]+)", text):
        return f"同一对象分别受管理部门（监测活动 {match[1]}）和被管理对象（监测活动 {match[2]}）委托"
    if text and re.fullmatch(r"[^;:\s]+", text):
        return {"auto": "监测活动", "event": "信用事件"}.get(trigger or "", "")
    return ""


def finding_rows(findings: pd.DataFrame, index: IndexSystem) -> list[dict[str, str]]:
    """One dict per finding of a findings.csv-shaped frame, in its order, for people to read.

    Keys (FINDING_ROW_KEYS; FINDING_HEADERS gives the Chinese headings): institution_id, dimension
    (Chinese), indicator (code), indicator_name, article, date (ISO), evidence_words, raw_points and
    points (one-decimal text as in findings.csv), cap_note (empty unless a cap cut the points: then which
    cap, the indicator's or the dimension's, and its value). `points` and `raw_points` may be the
    findings.csv text (`3.0`) or numbers of points.

    National scale has ~270k findings over a few dozen indicators: each word is worked out once per
    distinct value (`_once`), not once per finding.
    """
    codes = [str(v) for v in findings["indicator"].tolist()]
    dims = [str(v) for v in findings["dimension"].tolist()]
    triggers = {code: (i.trigger if (i := _indicator(index, code)) else None) for code in set(codes)}
    dim_words = _once(lambda d: dimension_name(index, d))
    names, articles = _once(lambda c: indicator_name(index, c)), _once(lambda c: indicator_article(index, c))
    evidence = _once(lambda key: evidence_words(key[0], key[1]))
    points = _once(lambda key: format_tenths(tenths(key[1], key[0])))
    rows = [
        {"institution_id": str(inst), "dimension": dim_words(dim), "indicator": code,
         "indicator_name": names(code), "article": articles(code), "date": str(day),
         "evidence_words": evidence((str(ev), triggers[code])), "raw_points": points((code, raw)),
         "points": points((code, pts)), "cap_note": ""}
        for inst, dim, code, day, ev, raw, pts in zip(
            findings["institution_id"].tolist(), dims, codes, findings["date"].tolist(),
            findings["evidence"].tolist(), findings["raw_points"].tolist(), findings["points"].tolist(), strict=True)
    ]
    _add_cap_notes(rows, dims, index)
    return rows


def _once(make: Callable[[Any], T]) -> Callable[[Any], T]:
    """`make` remembered per argument (equal arguments, e.g. "3.0" and 3.0 points, give equal text)."""
    seen: dict[Any, T] = {}

    def get(key: Any) -> T:
        try:
            return seen[key]
        except KeyError:
            seen[key] = value = make(key)
            return value
    return get


def _add_cap_notes(rows: list[dict[str, str]], dims: Sequence[str], index: IndexSystem) -> None:
    """第十五条 caps: say which cap a finding met when its counted points fall short of its raw points.

    The indicator's cap is named when the institution's counted points of that indicator reach it;
    otherwise the dimension's cap did the cutting.
    """
    counted: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["institution_id"], row["indicator"])
        counted[key] = counted.get(key, 0) + tenths(row["points"], row["indicator"])
    for row, dim in zip(rows, dims, strict=True):
        if tenths(row["points"], "") >= tenths(row["raw_points"], ""):
            continue
        indicator = _indicator(index, row["indicator"])
        dimension = _dimension(index, dim)
        if indicator and counted[(row["institution_id"], row["indicator"])] >= indicator.cap:
            row["cap_note"] = f"已达本指标上限 {format_tenths(indicator.cap)} 分，计 {row['points']} 分"
        elif dimension:
            what = dimension.name if dimension.is_bonus else f"{dimension.name}维度"
            row["cap_note"] = f"已达{what}上限 {format_tenths(dimension.cap)} 分，计 {row['points']} 分"
        else:
            row["cap_note"] = f"受上限限制，计 {row['points']} 分"


def indicator_totals(findings: pd.DataFrame, index: IndexSystem) -> list[dict[str, str]]:
    """Per indicator of a findings.csv-shaped frame, in the index system's order: code, name, dimension,
    article, the number of findings and their counted points (one-decimal text): the run summary's table."""
    order = {code: i for i, code in enumerate(index.indicators)}
    totals: dict[str, list[int]] = {}
    for code, points in zip(findings["indicator"].astype(str), findings["points"], strict=True):
        entry = totals.setdefault(code, [0, 0])
        entry[0] += 1
        entry[1] += tenths(points, code)
    return [
        {"code": code, "name": indicator_name(index, code), "dimension": dimension_name(index, code),
         "article": indicator_article(index, code), "findings": str(n), "points": format_tenths(points)}
        for code, (n, points) in sorted(totals.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]


def reason_words(why: str, *indexes: IndexSystem) -> str:
    """A what-if reason of credit/compare.py (`CX-01 5.0→10.0; 第十七条 —→4` or `grade bands`) with each
    indicator's Chinese name from the first index system that knows it; the numbers stay as they are."""
    if why == "grade bands":
        return "计分相同，等级分界不同（第十六条）"

    def named(match: re.Match[str]) -> str:
        code = match[0]
        name = next((i.indicators[code].name for i in indexes if code in i.indicators), "")
        return f"{code} {name}" if name else code

    return re.sub(r"\b[A-Z]{2}-\d{2}\b", named, why)


# ---------------------------------------------------------------- 评分明细.xlsx and findings_zh.csv

DETAIL_TITLE = "评分明细"
DETAIL_COLUMNS = ("序号", "统一社会信用代码", "机构名称", "维度", "指标代码", "指标名称", "依据条款", "日期", "证据",
                  "原始分", "计入分", "封顶说明")
DETAIL_WIDTHS = (6, 22, 32, 10, 9, 28, 22, 12, 56, 8, 8, 30)
DETAIL_DATE_COLUMN = 8


def detail_rows(rows: Sequence[Mapping[str, str]], names: Mapping[str, str]) -> list[list[Any]]:
    """The rows of 评分明细 (DETAIL_COLUMNS) from finding_rows(): numbered, the institution's name beside its code."""
    return list(_iter_detail_rows(rows, names))


def _iter_detail_rows(rows: Sequence[Mapping[str, str]], names: Mapping[str, str]) -> Iterator[list[Any]]:
    decimal = _once(Decimal)
    for i, row in enumerate(rows, start=1):
        yield [i, row["institution_id"], names.get(row["institution_id"], ""), row["dimension"], row["indicator"],
               row["indicator_name"], row["article"], row["date"], row["evidence_words"], decimal(row["raw_points"]),
               decimal(row["points"]), row["cap_note"]]


def render_findings_csv(rows: Sequence[Mapping[str, str]], names: Mapping[str, str]) -> bytes:
    """findings_zh.csv: 评分明细 with Chinese headings (UTF-8 with BOM, CRLF; R-20 cells). findings.csv stays
    the contract's file; this one is for people."""
    return b"".join(findings_csv_chunks(rows, names))


def findings_csv_chunks(rows: Sequence[Mapping[str, str]], names: Mapping[str, str]) -> Iterator[bytes]:
    """`render_findings_csv` in pieces, to write national scale's findings_zh.csv without holding it."""
    return csv_chunks(DETAIL_COLUMNS, _iter_detail_rows(rows, names))


# Above this many findings 评分明细.xlsx is written by a write-only (streaming) openpyxl workbook: the same
# cells, values, types and R-20 text cells, but other bytes than the normal workbook's (shared strings and
# styles are numbered in another order), so every small output (the worked example, tests/golden) keeps the
# normal workbook's bytes. A normal workbook holds every cell as an object: ~270k findings x 12 cells at
# national scale is the run's memory peak and most of its render time.
STREAM_ROWS = 20_000


def render_findings_xlsx(rows: Sequence[Mapping[str, str]], names: Mapping[str, str], *, year: int, creator: str,
                         when: date, stream_rows: int = STREAM_ROWS) -> bytes:
    """评分明细.xlsx: one sheet, header frozen and filterable, dates as date cells, reproducible bytes for `when`.

    More than `stream_rows` rows are streamed (STREAM_ROWS)."""
    title = f"{year}年度信用风险评价{DETAIL_TITLE}"
    at = datetime(when.year, when.month, when.day)
    if len(rows) > stream_rows:
        wb = Workbook(write_only=True)
        ws = write_list_sheet_streamed(wb, DETAIL_TITLE, DETAIL_COLUMNS, DETAIL_WIDTHS, row_count=len(rows))
        xml = stream_rows_xml(ws, _iter_detail_rows(rows, names), date_columns=(DETAIL_DATE_COLUMN,))
        return stable_workbook_bytes(wb, title=title, creator=creator, when=at,
                                     rows={"xl/worksheets/sheet1.xml": xml})
    wb = Workbook()
    write_list_sheet(wb.active, DETAIL_TITLE, DETAIL_COLUMNS, detail_rows(rows, names), DETAIL_WIDTHS,
                     date_columns=(DETAIL_DATE_COLUMN,))
    return stable_workbook_bytes(wb, title=title, creator=creator, when=at)
