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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook

from reports.common import (
    ENV,
    NOT_RATED,
    REGULATION,
    Band,
    Context,
    band_rows,
    bands_or_rules,
    clean_text,
    cn_date,
    csv_bytes,
    days_or_rules,
    direct_grade_of,
    group_by_county,
    institution_rows,
    objection_paragraphs,
    period_text,
    stable_workbook_bytes,
    write_list_sheet,
    write_notes_sheet,
)

DRAFT_LABEL = "草稿（未发布）"
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


# ---------------------------------------------------------------- the publicity context


@dataclass(frozen=True)
class Window(Context):
    """A publicity window as a notice states it (第十八条): first and last day, its working days."""

    first_day: str
    last_day: str
    first_day_iso: str
    last_day_iso: str
    working_days: int
    text: str

    @classmethod
    def of(cls, first_day: date, last_day: date, working_days: int) -> Window:
        return cls(
            first_day=cn_date(first_day), last_day=cn_date(last_day), first_day_iso=first_day.isoformat(),
            last_day_iso=last_day.isoformat(), working_days=working_days,
            text=f"公示期：{cn_date(first_day)}至{cn_date(last_day)}（{working_days}个工作日）",
        )


@dataclass(frozen=True)
class ObjectionNotice(Context):
    """How to object (第十九条): the paragraphs of the notice and where to send the objection."""

    paragraphs: list[str]
    address: str
    email: str
    phone: str


@dataclass(frozen=True)
class PublicityContext(Context):
    """Everything the publicity list shows (R-15 第十八条, R-16 第十九条, R-01)."""

    title: str
    draft: bool
    draft_label: str
    year: int
    period: str
    intro: str
    bands: list[dict[str, str]]
    bands_intro: str
    art17: str
    not_rated: str
    window: Window
    objection: ObjectionNotice
    grade_columns: list[str]
    count_rows: list[dict[str, Any]]
    count_totals: list[int]
    counties: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    bureau: str
    system: str
    website: str
    publication_date: str
    publication_date_iso: str
    generated_at: str
    snapshot: str
    index_version: str


BANDS_INTRO = "社会监测机构信用风险等级采用评分方式确定，以100分为基准分（第十六条）："
NOT_RATED_TEXT = "在本市开展监测活动但评价期间未纳入名录管理的社会监测机构，当年不予评定信用风险等级（第十四条、第二十二条）。"


def publicity_context(
    results: pd.DataFrame,
    *,
    year: int,
    publication_date: date,
    first_day: date,
    last_day: date,
    bureau: Mapping[str, Any],
    draft: bool,
    generated_at: str,
    snapshot: str,
    index_version: str,
    grade_bands: Sequence[Band] | None = None,
    publicity_working_days: int | None = None,
    review_working_days: int | None = None,
) -> PublicityContext:
    """Everything the publicity list shows, as plain data (R-15 第十八条, R-16 第十九条, R-01).

    `bureau` is rules/bureau.yaml as read; `first_day`/`last_day` are the window the caller computed
    in working days from `publication_date`; `grade_bands` are the index system's (rules.index.grades)
    and the two day counts rules/procedure.yaml's (rules.procedure.publicity, .review).
    Institutions are grouped by county in the configured order (unknown counties last), then by id.
    """
    if not publication_date <= first_day <= last_day:
        raise ValueError(
            f"publicity window {first_day}..{last_day} must start on or after the publication date {publication_date}"
        )
    bands = bands_or_rules(grade_bands, index_version=index_version)
    publicity_days = days_or_rules(publicity_working_days, "publicity")
    review_days = days_or_rules(review_working_days, "review")
    grades = [b.grade for b in bands]
    rows = institution_rows(results, set(grades))
    counties, published, matrix, totals = group_by_county(rows, bureau, [*grades, NOT_RATED])

    bureau_name = str(bureau["bureau"])
    objections = bureau.get("objections", {})
    period = period_text(year)
    return PublicityContext(
        title=f"晋城市社会环境监测机构{year}年度信用风险等级评价结果公示",
        draft=bool(draft),
        draft_label=DRAFT_LABEL,
        year=year,
        period=period,
        intro=(
            f"根据{REGULATION}第十四条至第十八条规定，{bureau_name}对在本市开展生态环境监测及生态环境"
            f"监测设备运营维护并纳入名录管理的社会环境监测机构（以下简称社会监测机构）{period}期间的"
            "信用风险状况进行了评价。现将评价结果予以公示。"
        ),
        bands=band_rows(bands),
        bands_intro=BANDS_INTRO,
        art17=(
            f"社会监测机构有第十七条所列情形之一并经核实确认的，直接评定为{direct_grade_of(bands)}级，"
            "名单中注明所依据的第十七条具体项。"
        ),
        not_rated=NOT_RATED_TEXT,
        window=Window.of(first_day, last_day, publicity_days),
        objection=ObjectionNotice(
            paragraphs=objection_paragraphs(bureau_name, last_day, review_days),
            address=clean_text(objections.get("address")),
            email=clean_text(objections.get("email")),
            phone=clean_text(objections.get("phone")),
        ),
        grade_columns=[*(f"{g}级" for g in grades), NOT_RATED, "合计"],
        count_rows=matrix,
        count_totals=totals,
        counties=counties,
        rows=published,
        bureau=bureau_name,
        system=clean_text(bureau.get("system")),
        website=clean_text(bureau.get("website")),
        publication_date=cn_date(publication_date),
        publication_date_iso=publication_date.isoformat(),
        generated_at=generated_at,
        snapshot=snapshot,
        index_version=index_version,
    )


# ---------------------------------------------------------------- HTML


def render_publicity_html(ctx: Mapping[str, Any]) -> str:
    """The publicity notice and list as one self-contained HTML5 page (R-15, R-16, R-20)."""
    return ENV.get_template("publicity.html.j2").render(**ctx)


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
    mark = ctx["draft_label"] if ctx["draft"] else ""  # issue 12 item 8: on every sheet of a draft
    write_list_sheet(wb.active, "公示名单", LIST_COLUMNS, _list_rows(ctx), (6, 22, 40, 16, 26, 24, 12, 12),
                     date_columns=(7, 8), mark=mark)
    write_notes_sheet(wb.create_sheet(), "公示说明", notice_lines(ctx), heading_row=2 if ctx["draft"] else 1,
                      mark=mark)
    return stable_workbook_bytes(
        wb,
        title=ctx["title"],
        creator=ctx["system"] or ctx["bureau"],
        when=datetime.fromisoformat(ctx["publication_date_iso"]),
    )


# ---------------------------------------------------------------- run summary

STATUS_LABELS = {"rated": "已评定", "not_rated": NOT_RATED}


def _records(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, pd.DataFrame):
        return list(value.to_dict("records"))
    return [dict(v) for v in value]


def link(path: Any) -> str:
    """A relative link to an output beside the summary; "" (no link) for anything else: a scheme such as
    javascript: or http:, an absolute path, a way up (R-20: nothing from data becomes a live link)."""
    text = clean_text(path).replace("\\", "/")
    if not text or ":" in text or text.startswith("/") or ".." in text.split("/"):
        return ""
    return text


def run_summary_context(summary: Mapping[str, Any], *, grade_bands: Sequence[Band] | None = None) -> dict[str, Any]:
    """Normalise a run summary for the template; `grade_bands` (rules.index.grades) order the grade counts.

    Keys: drop, snapshot, year, as_of, index_version, generated_at (all shown as given);
    counts (Validated.counts as DataFrame or records: table, file, read, accepted, quarantined);
    results (results DataFrame, optional) or grades / statuses (mappings of counts);
    warnings (int, or the warnings DataFrame); outputs (mapping name → path, or records with
    name, path and optional description); publicity (optional: publication_date, first_day,
    last_day, draft).
    """
    counts = [
        {k: clean_text(r.get(k)) for k in ("table", "file", "read", "accepted", "quarantined")}
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
    bands = bands_or_rules(grade_bands, index_version=clean_text(summary.get("index_version")) or None,
                           year=int(summary["year"]) if summary.get("year") else None)
    known = [b.grade for b in bands]
    order = known + sorted(set(grades) - set(known))
    grade_rows = [{"label": f"{g}级", "count": int(grades.get(g, 0))} for g in order]
    status_rows = [
        {"label": STATUS_LABELS.get(str(s), str(s)), "count": int(n)} for s, n in sorted(statuses.items())
    ]
    warnings = summary.get("warnings", 0)
    if isinstance(warnings, pd.DataFrame):
        warnings = len(warnings)
    outputs = summary.get("outputs") or {}
    if isinstance(outputs, Mapping):
        outputs = [{"name": k, "path": clean_text(v), "href": link(v), "description": ""} for k, v in outputs.items()]
    else:
        outputs = [
            {"name": clean_text(o.get("name")), "path": clean_text(o.get("path")),
             "href": link(o.get("href") or o.get("path")), "description": clean_text(o.get("description"))}
            for o in _records(outputs)
        ]
    rated = int(statuses.get("rated", 0))
    publicity = summary.get("publicity")
    return {
        "title": f"{summary.get('year', '')}年度信用风险等级评价运行报告",
        "drop": clean_text(summary.get("drop")),
        "snapshot": clean_text(summary.get("snapshot")),
        "year": clean_text(summary.get("year")),
        "as_of": clean_text(summary.get("as_of")),
        "index_version": clean_text(summary.get("index_version")),
        "generated_at": clean_text(summary.get("generated_at")),
        "counts": counts,
        "count_totals": totals,
        "grades": grade_rows,
        "statuses": status_rows,
        "institutions": sum(int(n) for n in statuses.values()),
        "rated": rated,
        "not_rated": sum(int(n) for n in statuses.values()) - rated,
        "not_rated_label": NOT_RATED,
        "warnings": int(warnings),
        "indicators": [{k: clean_text(v) for k, v in dict(r).items()} for r in summary.get("indicators") or ()],
        "outputs": outputs,
        "publicity": (
            {k: v if isinstance(v, bool) else clean_text(v) for k, v in dict(publicity).items()} if publicity else None
        ),
    }


def render_run_summary_html(summary: Mapping[str, Any], *, grade_bands: Sequence[Band] | None = None) -> str:
    """A readable report of one evaluation run: inputs, counts, grades, warnings, where the files are."""
    return ENV.get_template("run_summary.html.j2").render(**run_summary_context(summary, grade_bands=grade_bands))
