"""Publicity list (公示名单) and run summary: pure render functions, context in, text or bytes out.

R-15 (第十八条 公示), R-16 (第十九条 异议), R-20 (safe output), R-01 (every row carries its county).
Nothing here reads a file other than its own templates, nor the clock: dates, the generation time,
the snapshot and the index version are parameters.

Output formats (decided here, relied on by the flow and the tests):
- HTML: UTF-8, autoescaped (R-20), no script, no external resource.
- CSV: UTF-8 with BOM, CRLF line ends (RFC 4180; what Excel expects), Chinese header, one row per
  institution in the order of the notice; cells that could start a formula get an apostrophe (R-20).
  It is the machine-readable list: the notice text is in the HTML and in the XLSX sheet 公示说明.
- XLSX: sheet 公示名单 (same columns as the CSV, header in row 1) and sheet 公示说明 (the notice
  text); every text cell is an explicit string cell, formula-like ones with quotePrefix (R-20); the
  bytes are reproducible (fixed document properties and zip timestamps, both the publication date).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

from reports.safe import csv_cell, starts_like_formula

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# autoescape on for every template, whatever its file name.
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Band:
    """A grade band of 第十六条: inclusive lower bound in tenths of a point."""

    grade: str
    label: str
    min: int


# 第十六条, as in rules/index/jc-2024.1.yaml (a golden test keeps them equal). Pass `grade_bands`
# (e.g. IndexSystem.grades) when the index system in force says otherwise.
ART16_BANDS: tuple[Band, ...] = (
    Band("A", "较低风险", 900),
    Band("B", "低风险", 800),
    Band("C", "中风险", 600),
    Band("D", "高风险", 0),
)
NOT_RATED = "不予评定"
NOT_RATED_NOTE = "评价期间未纳入名录管理"
OTHER_COUNTY = "未列明县（市、区）"
DRAFT_LABEL = "草稿（未发布）"
REGULATION = "《晋城市社会环境监测机构服务管理办法（试行）》"
LIST_COLUMNS = (
    "序号",
    "统一社会信用代码",
    "机构名称",
    "所在县（市、区）",
    "信用风险等级",
    "备注",
    "公示期开始",
    "公示期结束",
)
_NUMERALS = "〇一二三四五六七八九十"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


# ---------------------------------------------------------------- small formatting helpers


def cn_date(d: date) -> str:
    """2026年1月21日: the date form of Chinese official notices (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def clause_label(clause: str) -> str:
    """第十七条第（七）项 for clause "7"."""
    if not clause.isdigit() or not 1 <= int(clause) <= 10:
        raise ValueError(f"第十七条 clause must be 1–8, got {clause!r}")
    return f"第十七条第（{_NUMERALS[int(clause)]}）项"


def _points(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10)
    return str(whole) if tenth == 0 else f"{whole}.{tenth}"


def _text(value: object) -> str:
    """A cell as clean text: NA → "", control characters → one space, surrounding spaces dropped."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return _CONTROL.sub(" ", str(value)).strip()


def _band_rows(bands: Sequence[Any]) -> list[dict[str, str]]:
    """第十六条 wording for each band, built from the bands' inclusive lower bounds (tenths)."""
    rows = []
    for i, band in enumerate(bands):
        if i == 0:
            rule = f"得分在{_points(band.min)}分及以上"
        elif band.min == 0:
            rule = f"得分在{_points(bands[i - 1].min)}分以下"
        else:
            rule = f"得分在{_points(band.min)}分（含）—{_points(bands[i - 1].min)}分（不含）"
        rows.append(
            {"grade": band.grade, "label": band.label, "name": f"{band.grade}级（{band.label}）", "rule": rule}
        )
    return rows


# ---------------------------------------------------------------- the publicity context


def grade_display(institution_id: str, status: str, grade: str, clause: str, grades: set[str]) -> tuple[str, str, str]:
    """(grade key, grade text, note) of one result: 不予评定, "B级" or "D级（第十七条第（七）项）"."""
    if status == "not_rated":
        return NOT_RATED, NOT_RATED, NOT_RATED_NOTE
    if status == "rated" and grade in grades:
        return grade, (f"{grade}级（{clause_label(clause)}）" if clause else f"{grade}级"), ""
    raise ValueError(f"{institution_id}: status {status!r} with grade {grade!r} cannot be published")


def _institution_rows(results: pd.DataFrame, grades: set[str]) -> list[dict[str, str]]:
    """Only the published columns are read (institution id, name, county, grade): no personal data."""
    rows = []
    for record in results.to_dict("records"):
        institution_id = _text(record.get("institution_id"))
        clause = _text(record.get("clause"))
        grade_key, grade_text, note = grade_display(
            institution_id, _text(record.get("status")), _text(record.get("grade")), clause, grades
        )
        rows.append(
            {
                "institution_id": institution_id,
                "name": _text(record.get("name")),
                "county": _text(record.get("county")),
                "grade": grade_key,
                "grade_text": grade_text,
                "grade_class": f"grade-{grade_key}" if grade_key in grades else "grade-none",
                "clause": clause,
                "note": note,
            }
        )
    return rows


def publicity_context(
    results: pd.DataFrame,
    *,
    year: int,
    publication_date: date,
    first_day: date,
    last_day: date,
    bureau: dict,
    draft: bool,
    generated_at: str,
    snapshot: str,
    index_version: str,
    grade_bands: Sequence[Any] = ART16_BANDS,
    publicity_working_days: int = 15,
    review_working_days: int = 15,
) -> dict:
    """Everything the publicity list shows, as plain data (R-15 第十八条, R-16 第十九条, R-01).

    `bureau` is rules/bureau.yaml as read; `first_day`/`last_day` are the window the caller computed
    in working days from `publication_date`; the two day counts are rules/procedure.yaml's.
    Institutions are grouped by county in the configured order (unknown counties last), then by id.
    """
    if not publication_date <= first_day <= last_day:
        raise ValueError(
            f"publicity window {first_day}..{last_day} must start on or after the publication date {publication_date}"
        )
    bands = list(grade_bands)
    grades = [b.grade for b in bands]
    rows = _institution_rows(results, set(grades))
    counties, published, matrix, totals = group_by_county(rows, bureau, [*grades, NOT_RATED])

    bureau_name = str(bureau["bureau"])
    objections = bureau.get("objections", {})
    period = f"{cn_date(date(year, 1, 1))}至{cn_date(date(year, 12, 31))}"
    window = f"{cn_date(first_day)}至{cn_date(last_day)}（{publicity_working_days}个工作日）"
    return {
        "title": f"晋城市社会环境监测机构{year}年度信用风险等级评价结果公示",
        "draft": bool(draft),
        "draft_label": DRAFT_LABEL,
        "year": year,
        "period": period,
        "intro": (
            f"根据{REGULATION}第十四条至第十八条规定，{bureau_name}对在本市开展生态环境监测及生态环境"
            f"监测设备运营维护并纳入名录管理的社会环境监测机构（以下简称社会监测机构）{period}期间的"
            "信用风险状况进行了评价。现将评价结果予以公示。"
        ),
        "bands": _band_rows(bands),
        "bands_intro": "社会监测机构信用风险等级采用评分方式确定，以100分为基准分（第十六条）：",
        "art17": (
            "社会监测机构有第十七条所列情形之一并经核实确认的，直接评定为D级，"
            "名单中注明所依据的第十七条具体项。"
        ),
        "not_rated": (
            "在本市开展监测活动但评价期间未纳入名录管理的社会监测机构，当年不予评定信用风险等级（第十四条、第二十二条）。"
        ),
        "window": {
            "first_day": cn_date(first_day),
            "last_day": cn_date(last_day),
            "first_day_iso": first_day.isoformat(),
            "last_day_iso": last_day.isoformat(),
            "working_days": publicity_working_days,
            "text": f"公示期：{window}",
        },
        "objection": {
            "paragraphs": objection_paragraphs(bureau_name, last_day, review_working_days),
            "address": _text(objections.get("address")),
            "email": _text(objections.get("email")),
            "phone": _text(objections.get("phone")),
        },
        "grade_columns": [*(f"{g}级" for g in grades), NOT_RATED, "合计"],
        "count_rows": matrix,
        "count_totals": totals,
        "counties": counties,
        "rows": published,
        "bureau": bureau_name,
        "system": _text(bureau.get("system")),
        "website": _text(bureau.get("website")),
        "publication_date": cn_date(publication_date),
        "publication_date_iso": publication_date.isoformat(),
        "generated_at": generated_at,
        "snapshot": snapshot,
        "index_version": index_version,
    }


def group_by_county(
    rows: list[dict[str, Any]], bureau: Mapping[str, Any], columns: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """R-01: rows in the configured county order (unknown counties last, under OTHER_COUNTY), then by id.

    Returns (counties, numbered rows, count rows, totals): each row gets `seq`; counts are per value of
    `columns` matched against each row's "grade", plus the county's total.
    """
    configured = [str(c) for c in bureau.get("counties", [])]
    order = {name: i for i, name in enumerate(configured)}
    rows = sorted(rows, key=lambda r: (order.get(r["county"], len(order)), r["county"], r["institution_id"]))

    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in configured}
    for r in rows:
        groups.setdefault(r["county"] if r["county"] in order else OTHER_COUNTY, []).append(r)

    published: list[dict[str, Any]] = []
    counties = []
    matrix = []
    for county, members in groups.items():
        for r in members:
            published.append({**r, "seq": len(published) + 1})
        counties.append({"name": county, "rows": published[len(published) - len(members) :]})
        counts = [sum(1 for r in members if r["grade"] == g) for g in columns]
        matrix.append({"county": county, "values": [*counts, len(members)]})
    totals = [sum(m["values"][i] for m in matrix) for i in range(len(columns) + 1)]
    return counties, published, matrix, totals


def objection_paragraphs(bureau_name: str, last_day: date, review_working_days: int) -> list[str]:
    """How and until when to object (第十九条), in the words of every publicity notice."""
    return [
        f"参评社会监测机构、公众或者其他社会组织对信用风险等级评价结果有异议的，应在公示期内"
        f"（{cn_date(last_day)}24时前），以书面形式向{bureau_name}申请复核，并提供完整的佐证资料或证据。",
        "逾期未申请复核或未提供相应佐证材料的，视为无异议。",
        f"{bureau_name}在收到异议申请{review_working_days}个工作日内完成复核，并将复核意见书面告知异议人；"
        "复核需要现场核查、监测的，所需时间不计入复核期间（第十九条）。",
    ]


# ---------------------------------------------------------------- HTML


def render_publicity_html(ctx: Mapping[str, Any]) -> str:
    """The publicity notice and list as one self-contained HTML5 page (R-15, R-16, R-20)."""
    return _ENV.get_template("publicity.html.j2").render(**ctx)


# ---------------------------------------------------------------- CSV and XLSX


def _list_rows(ctx: Mapping[str, Any]) -> Iterable[list[Any]]:
    window = ctx["window"]
    for r in ctx["rows"]:
        yield [
            r["seq"],
            r["institution_id"],
            r["name"],
            r["county"],
            r["grade_text"],
            r["note"],
            window["first_day_iso"],
            window["last_day_iso"],
        ]


def render_publicity_csv(ctx: Mapping[str, Any]) -> bytes:
    """The list as CSV: UTF-8 with BOM, CRLF, Chinese header; formula-like cells neutralised (R-20)."""
    return csv_bytes(LIST_COLUMNS, _list_rows(ctx))


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as published: UTF-8 with BOM, CRLF, header row; every cell through csv_cell (R-20)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    """R-20: text is always a string cell; formula-like text also gets quotePrefix (shown as typed)."""
    if value == "":
        return  # an empty cell, not an empty string
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if starts_like_formula(value):
            cell.quotePrefix = True


def notice_lines(ctx: Mapping[str, Any]) -> list[str]:
    """The notice as plain lines (sheet 公示说明), in the same words as the HTML page."""
    lines = [ctx["draft_label"]] if ctx["draft"] else []
    lines += [ctx["title"], ctx["intro"], f"一、评价期间：{ctx['period']}", "二、信用风险等级划分"]
    lines.append(ctx["bands_intro"])
    lines += [f"{b['name']}：{b['rule']}" for b in ctx["bands"]]
    lines += [ctx["art17"], ctx["not_rated"], f"三、{ctx['window']['text']}", "四、异议与复核"]
    lines += ctx["objection"]["paragraphs"]
    lines += [
        f"书面异议材料邮寄或送达地址：{ctx['objection']['address']}",
        f"电子邮箱：{ctx['objection']['email']}",
        f"咨询电话：{ctx['objection']['phone']}",
        "五、评价结果：见工作表“公示名单”。"
        + "各等级机构数量："
        + "，".join(f"{c}{n}家" for c, n in zip(ctx["grade_columns"], ctx["count_totals"], strict=True)),
        "",
        ctx["bureau"],
        ctx["publication_date"],
        "",
        f"生成时间：{ctx['generated_at']}；数据快照：{ctx['snapshot']}；评价指标体系版本：{ctx['index_version']}",
    ]
    return lines


def render_publicity_xlsx(ctx: Mapping[str, Any]) -> bytes:
    """The list and notice as XLSX with reproducible bytes; text cells are never formulas (R-20)."""
    wb = Workbook()
    write_list_sheet(wb.active, "公示名单", LIST_COLUMNS, _list_rows(ctx), (6, 22, 40, 16, 26, 24, 12, 12))
    write_notes_sheet(wb.create_sheet(), "公示说明", notice_lines(ctx), heading_row=2 if ctx["draft"] else 1)
    return stable_workbook_bytes(
        wb,
        title=ctx["title"],
        creator=ctx["system"] or ctx["bureau"],
        when=datetime.fromisoformat(ctx["publication_date_iso"]),
    )


def write_list_sheet(
    ws: Any, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]
) -> None:
    """A list sheet: bold header in row 1, frozen and filterable, column B (the credit code) as text (R-20)."""
    ws.title = title
    for col, name in enumerate(columns, start=1):
        _put(ws, 1, col, name)
        ws.cell(row=1, column=col).font = Font(bold=True)
    last = 1
    for i, row in enumerate(rows, start=2):
        last = i
        for col, value in enumerate(row, start=1):
            _put(ws, i, col, value)
            if col == 2:
                ws.cell(row=i, column=col).number_format = "@"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def write_notes_sheet(ws: Any, title: str, lines: Sequence[str], *, heading_row: int) -> None:
    """A notice as one wrapped line per row of column A, the heading row in large bold type."""
    ws.title = title
    ws.column_dimensions["A"].width = 100
    for i, line in enumerate(lines, start=1):
        _put(ws, i, 1, line)
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=heading_row, column=1).font = Font(bold=True, size=14)


def stable_workbook_bytes(wb: Workbook, *, title: str, creator: str, when: datetime) -> bytes:
    """The workbook's bytes, reproducible: document properties and zip timestamps are all `when`."""
    wb.properties.title = title
    wb.properties.creator = creator
    wb.properties.created = when
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps `modified` with the clock here; _stable_zip puts it back
    wb.properties.modified = when
    core = tostring(wb.properties.to_tree())
    return _stable_zip(buffer.getvalue(), when, {"docProps/core.xml": core})


def _stable_zip(data: bytes, when: datetime, replace: Mapping[str, bytes]) -> bytes:
    """Rewrite a zip with every entry dated `when` (and `replace`d members), so bytes are reproducible."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


# ---------------------------------------------------------------- run summary

STATUS_LABELS = {"rated": "已评定", "not_rated": NOT_RATED}


def _records(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, pd.DataFrame):
        return value.to_dict("records")
    return [dict(v) for v in value]


def run_summary_context(summary: Mapping[str, Any]) -> dict:
    """Normalise a run summary for the template.

    Keys: drop, snapshot, year, as_of, index_version, generated_at (all shown as given);
    counts (Validated.counts as DataFrame or records: table, file, read, accepted, quarantined);
    results (results DataFrame, optional) or grades / statuses (mappings of counts);
    warnings (int, or the warnings DataFrame); outputs (mapping name → path, or records with
    name, path and optional description); publicity (optional: publication_date, first_day,
    last_day, draft).
    """
    counts = [
        {k: _text(r.get(k)) for k in ("table", "file", "read", "accepted", "quarantined")}
        for r in _records(summary.get("counts"))
    ]
    totals = {
        k: sum(int(r[k] or 0) for r in counts) for k in ("read", "accepted", "quarantined")
    }
    results = summary.get("results")
    if isinstance(results, pd.DataFrame):
        grades = results.loc[results["status"] == "rated", "grade"].value_counts().to_dict()
        statuses = results["status"].value_counts().to_dict()
    else:
        grades = dict(summary.get("grades") or {})
        statuses = dict(summary.get("statuses") or {})
    order = [b.grade for b in ART16_BANDS] + sorted(set(grades) - {b.grade for b in ART16_BANDS})
    grade_rows = [{"label": f"{g}级", "count": int(grades.get(g, 0))} for g in order]
    status_rows = [
        {"label": STATUS_LABELS.get(str(s), str(s)), "count": int(n)} for s, n in sorted(statuses.items())
    ]
    warnings = summary.get("warnings", 0)
    if isinstance(warnings, pd.DataFrame):
        warnings = len(warnings)
    outputs = summary.get("outputs") or {}
    if isinstance(outputs, Mapping):
        outputs = [{"name": k, "path": str(v), "description": ""} for k, v in outputs.items()]
    else:
        outputs = [
            {"name": _text(o.get("name")), "path": _text(o.get("path")), "description": _text(o.get("description"))}
            for o in _records(outputs)
        ]
    publicity = summary.get("publicity")
    return {
        "title": f"{summary.get('year', '')}年度信用风险等级评价运行报告",
        "drop": _text(summary.get("drop")),
        "snapshot": _text(summary.get("snapshot")),
        "year": _text(summary.get("year")),
        "as_of": _text(summary.get("as_of")),
        "index_version": _text(summary.get("index_version")),
        "generated_at": _text(summary.get("generated_at")),
        "counts": counts,
        "count_totals": totals,
        "grades": grade_rows,
        "statuses": status_rows,
        "institutions": sum(int(n) for n in statuses.values()),
        "warnings": int(warnings),
        "outputs": outputs,
        "publicity": (
            {k: v if isinstance(v, bool) else _text(v) for k, v in dict(publicity).items()} if publicity else None
        ),
    }


def render_run_summary_html(summary: Mapping[str, Any]) -> str:
    """A readable report of one evaluation run: inputs, counts, grades, warnings, where the files are."""
    return _ENV.get_template("run_summary.html.j2").render(**run_summary_context(summary))
