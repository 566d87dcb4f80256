"""Documents of the lifecycle after the evaluation: pure render functions, context in, text or bytes out.

R-14 (第十七条 revocation), R-15 (第十八条 change publicity), R-16 (第十九条 reply letter to the objector),
R-17 (第二十条 publication and sharing), R-18 (第二十一条 A list), R-20 (safe output).
Like reports/render.py (both build on reports/common.py: template environment, helpers, CSS), nothing here
reads a file other than its own templates, nor the clock: every date and the generation time are parameters.
The rules the documents state come in as parameters too: the grade bands (rules.index.grades; 第十七条's
direct grade is the last band) and the procedure's working days (rules.procedure).

What is published (final results, A list, change notice) carries no personal data: only institution id,
name, county and grade are read from the results. The reply letter is sent to the objector, not
published: it names the filer, never a staff member.

Share package (R-17): a dict of fixed file names (never taken from data, R-20) to bytes; CSV as the
published lists (UTF-8 BOM, CRLF, formula-like cells with an apostrophe), JSON UTF-8 with sorted keys
and LF, `manifest.json` with the row count and SHA-256 of every other file. Same inputs, same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook

from credit.indexsystem import IndexSystem
from reports.common import (
    ENV,
    NOT_RATED,
    REGULATION,
    Band,
    Context,
    as_date,
    band_rows,
    bands_or_rules,
    clause_label,
    clean_text,
    cn_date,
    contact,
    csv_bytes,
    days_or_rules,
    direct_grade_of,
    grade_display,
    grades_of,
    group_by_county,
    institution_rows,
    json_bytes,
    objection_paragraphs,
    period_text,
    stable_workbook_bytes,
    write_list_sheet,
    write_notes_sheet,
)
from reports.explain import dimension_name, evidence_words
from reports.names import (  # 第十九条's outcomes and R-20's file names, kept where light commands read them
    CHANGES_CSV,
    CHANGES_JSON,
    COVER_LETTER,
    DECISIONS,
    MANIFEST,
    RESULTS_CSV,
    RESULTS_JSON,
)
from reports.render import BANDS_INTRO, NOT_RATED_TEXT, ObjectionNotice, Window

# 第十九条 逾期未申请复核或未提供相应佐证材料的，视为无异议.
DEEMED_REASONS = {"late": "逾期未申请复核", "no_evidence": "未提供相应佐证材料"}
ART19_DEEMED = "逾期未申请复核或未提供相应佐证材料的，视为无异议"
ART21_TEXT = (
    "对信用风险等级较低的社会监测机构，鼓励各级政府、企事业单位在购买生态环境监测及生态环境监测设备"
    "运营维护服务时优先选择，优先安排生态环境监测科研项目、专项资金或其他补助资金，在组织有关评优评奖"
    "活动中优先授予其有关荣誉称号或者采取国家或地方明确的其他激励性措施。"
)
CHANGE_CAUSES = ("objection", "revocation")
MARKET_REGULATOR = "晋城市市场监督管理局"

FINAL_COLUMNS = ("序号", "统一社会信用代码", "机构名称", "所在县（市、区）", "信用风险等级", "备注", "结果确定日期", "公布日期")
A_LIST_COLUMNS = ("序号", "统一社会信用代码", "机构名称", "所在县（市、区）", "信用风险等级", "评价年度", "公布日期")
SHARE_COLUMNS = (
    "统一社会信用代码", "机构名称", "所在县（市、区）", "评定状态", "信用风险等级", "得分", "第十七条情形",
    "原评定等级（已撤销）", "评价年度", "结果确定日期", "公布日期",
)
CHANGE_COLUMNS = (
    "变更类型", "统一社会信用代码", "机构名称", "所在县（市、区）", "变更前等级", "变更后等级",
    "变更前得分", "变更后得分", "变更事项",
)
_SHARED_FIELDS = ("name", "county", "status", "grade", "score", "clause", "revoked_grade")
_FIELD_LABELS = {
    "name": "机构名称", "county": "所在县（市、区）", "status": "评定状态", "grade": "信用风险等级",
    "score": "得分", "clause": "第十七条情形", "revoked_grade": "原评定等级（已撤销）",
}
_KIND_LABELS = {"added": "新增", "removed": "移除", "changed": "变更"}
_STATUS_LABELS = {"rated": "已评定", "not_rated": NOT_RATED}


# ---------------------------------------------------------------- small helpers


def _result_view(result: Mapping[str, Any] | None, grades: set[str], who: str) -> dict[str, str] | None:
    """A result (status, grade, clause, score) as the documents show it: "B级（84.0分）" and its parts."""
    if result is None:
        return None
    status, grade, clause = (clean_text(result.get(k)) for k in ("status", "grade", "clause"))
    key, shown, _ = grade_display(who, status or "rated", grade, clause, grades)
    score = clean_text(result.get("score"))
    return {
        "status": status or "rated",
        "grade": key,
        "clause": clause,
        "grade_text": shown,
        "score": score,
        "score_text": f"{score}分" if score else "—",
    }


def _revocation_note(revoked_grade: str, clause: str, direct_grade: str) -> str:
    """R-14 第十七条: 原评定等级B级已撤销，直接评定为D级（第十七条第（四）项）."""
    return f"原评定等级{revoked_grade}级已撤销，直接评定为{direct_grade}级（{clause_label(clause)}）"


# ---------------------------------------------------------------- 复核意见告知书 (R-16 第十九条)


def _set_aside_view(finding: Mapping[str, Any], index: IndexSystem | None) -> dict[str, str]:
    """A set-aside finding as the letter says it: with `index` (rules.index), the indicator's Chinese name,
    dimension and article, and the evidence in words (issue 12 item 2); without it, the codes as given."""
    view = {k: clean_text(finding.get(k)) for k in ("indicator", "evidence", "points", "reason")}
    view |= {"name": "", "about": "", "evidence_words": view["evidence"]}
    if index is not None and view["indicator"] in index.indicators:
        indicator = index.indicators[view["indicator"]]
        view["name"] = indicator.name
        view["about"] = "；".join(x for x in (dimension_name(index, indicator.code), indicator.article) if x)
        view["evidence_words"] = evidence_words(view["evidence"], indicator.trigger)
    return view


def reply_letter_context(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise the facts of a reply to an objector (R-16 第十九条: 将复核意见告知异议人).

    Keys: objection_id, filer_name, institution_id, institution_name, year, received_on, claim,
    letter_date, bureau (rules/bureau.yaml as read), grade_bands (rules.index.grades) and
    publicity_working_days (rules.procedure.publicity; both read from rules/ when absent).
    Reviewed objection (admissible true, the default): decision (rejected | partly_upheld | upheld),
    decided_on, reason, before and after (mappings with status, grade, clause, score; `after` omitted
    or equal when nothing changed), withdrawn_events (ids, or mappings with event_id and note),
    set_aside (mappings with indicator, evidence, optional points and reason; with `index`, the
    IndexSystem of rules.index, the letter names each indicator and says its evidence in words), and when the result
    changed optionally publicity_first_day / publicity_last_day of the new 第十八条 window.
    Deemed no objection (admissible false): inadmissible_reason late | no_evidence, and
    publicity_last_day (required for late). Other keys (staff ids, who decided) are never read.
    """
    grades = set(grades_of(bands_or_rules(ctx.get("grade_bands"), year=int(ctx["year"]))))
    bureau = ctx["bureau"]
    bureau_name = clean_text(bureau["bureau"])
    institution_id = clean_text(ctx["institution_id"])
    institution_name = clean_text(ctx["institution_name"])
    year = int(ctx["year"])
    received = as_date(ctx["received_on"])
    letter_date = as_date(ctx["letter_date"])
    if letter_date < received:
        raise ValueError(f"letter date {letter_date} is before the objection was received ({received})")
    objection_id = clean_text(ctx["objection_id"])
    subject = f"{institution_name}（统一社会信用代码：{institution_id}）{year}年度信用风险等级评价结果"
    opening = f"你（单位）于{cn_date(received)}提交的关于{subject}的书面异议申请（异议编号：{objection_id}）收悉。"
    last_day = as_date(ctx["publicity_last_day"]) if ctx.get("publicity_last_day") else None
    base = {
        "objection_id": objection_id,
        "filer_name": clean_text(ctx["filer_name"]),
        "institution_id": institution_id,
        "institution_name": institution_name,
        "year": year,
        "received_on": cn_date(received),
        "received_on_iso": received.isoformat(),
        "claim": clean_text(ctx["claim"]),
        "opening": opening,
        "bureau": bureau_name,
        "system": clean_text(bureau.get("system")),
        "contact": contact(bureau),
        "letter_date": cn_date(letter_date),
        "letter_date_iso": letter_date.isoformat(),
    }

    if not ctx.get("admissible", True):
        why = clean_text(ctx.get("inadmissible_reason"))
        if why not in DEEMED_REASONS:
            raise ValueError(f"{objection_id}: inadmissible_reason must be one of {sorted(DEEMED_REASONS)}, got {why!r}")
        if why == "late":
            if last_day is None:
                raise ValueError(f"{objection_id}: a late objection needs publicity_last_day")
            if received <= last_day:
                raise ValueError(f"{objection_id}: received {received}, within the window ending {last_day}: not late")
            finding = (
                f"经核查，该评价结果的公示期已于{cn_date(last_day)}届满，你（单位）的异议申请于"
                f"{cn_date(received)}收到，已超过公示期。"
            )
        else:
            finding = "经核查，你（单位）的异议申请未提供相应的佐证资料或证据。"
        paragraphs = [
            opening,
            finding,
            f"根据{REGULATION}第十九条“{ART19_DEEMED}”的规定，你（单位）的异议申请视为无异议，"
            f"{bureau_name}不予复核。",
        ]
        if why == "no_evidence" and last_day is not None and letter_date <= last_day:
            paragraphs.append(
                f"公示期届满前（{cn_date(last_day)}24时前），你（单位）可以书面形式重新提出异议申请，"
                "并提供完整的佐证资料或证据。"
            )
        return {
            **base,
            "deemed": True,
            "title": "视为无异议告知书",
            "deemed_reason": DEEMED_REASONS[why],
            "paragraphs": paragraphs,
        }

    decision = clean_text(ctx.get("decision"))
    if decision not in DECISIONS:
        raise ValueError(f"{objection_id}: decision must be one of {sorted(DECISIONS)}, got {decision!r}")
    reason = clean_text(ctx.get("reason"))
    if not reason:
        raise ValueError(f"{objection_id}: a review decision needs its reason")
    decided = as_date(ctx["decided_on"])
    before = _result_view(ctx["before"], grades, institution_id)
    after = _result_view(ctx.get("after"), grades, institution_id) or before
    assert before is not None and after is not None
    changed = any(before[k] != after[k] for k in ("status", "grade", "clause", "score"))
    withdrawn = [
        {"event_id": clean_text(e), "note": ""} if isinstance(e, str)
        else {"event_id": clean_text(e.get("event_id")), "note": clean_text(e.get("note"))}
        for e in ctx.get("withdrawn_events") or ()
    ]
    set_aside = [_set_aside_view(f, ctx.get("index")) for f in ctx.get("set_aside") or ()]
    if decision == "rejected" and (changed or withdrawn or set_aside):
        raise ValueError(f"{objection_id}: a rejected objection (维持) cannot change the result or withdraw anything")
    label, outcome = DECISIONS[decision]
    days = days_or_rules(ctx.get("publicity_working_days"), "publicity")
    republicity = ""
    if changed:
        window = ""
        if ctx.get("publicity_first_day") and ctx.get("publicity_last_day"):
            first, last = as_date(ctx["publicity_first_day"]), as_date(ctx["publicity_last_day"])
            window = f"（公示期：{cn_date(first)}至{cn_date(last)}）"
        republicity = (
            f"根据第十八条规定，变更后的评价结果将在{bureau_name}官网重新公示{days}个工作日{window}。"
            "公示期内对变更后的评价结果仍有异议的，可依照第十九条规定以书面形式申请复核。"
        )
    return {
        **base,
        "deemed": False,
        "title": "复核意见告知书",
        "intro": f"{opening}根据{REGULATION}第十九条规定，{bureau_name}已完成复核，现将复核意见告知如下：",
        "decision": decision,
        "decision_label": label,
        "decision_text": f"{label}（{outcome}）",
        "decided_on": cn_date(decided),
        "decided_on_iso": decided.isoformat(),
        "reason": reason,
        "changed": changed,
        "before": before,
        "after": after,
        "withdrawn": withdrawn,
        "set_aside": set_aside,
        "republicity": republicity,
        "unchanged": "" if changed else f"复核后，{institution_name}{year}年度信用风险等级评价结果不变（{after['grade_text']}）。",
    }


def render_reply_letter(ctx: Mapping[str, Any]) -> str:
    """复核意见告知书, or 视为无异议告知书 when the objection was late or without evidence (R-16 第十九条)."""
    return ENV.get_template("reply_letter.html.j2").render(**reply_letter_context(ctx))


# ---------------------------------------------------------------- 评价结果公布 (R-17 第二十条) and A list


def _final_rows(
    results: pd.DataFrame, grades: list[str], revoked: Mapping[str, str], direct_grade: str
) -> list[dict[str, Any]]:
    """Published columns only; a 第十七条 revocation (R-14) carries the grade it replaced."""
    rows = institution_rows(results, set(grades))
    by_id = {r["institution_id"]: r for r in rows}
    for institution_id, old in sorted(revoked.items()):
        row = by_id.get(institution_id)
        if row is None:
            raise ValueError(f"{institution_id}: revoked but not among the results")
        if row["grade"] != direct_grade or not row["clause"] or clean_text(old) not in grades:
            raise ValueError(f"{institution_id}: a revoked grade {old!r} needs a {direct_grade} result with its "
                             "第十七条 clause")
        row["revoked_grade"] = clean_text(old)
        row["note"] = _revocation_note(clean_text(old), row["clause"], direct_grade)
    for row in rows:
        row.setdefault("revoked_grade", "")
    return rows


def row_day(record: Mapping[str, Any], key: str, default: date) -> date:
    """A row's own date (第二十条) from a date or ISO text; missing or empty: `default` (the list's)."""
    value = record.get(key)
    if value is None or value == "" or (not isinstance(value, date) and pd.isna(value)):
        return default
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _with_dates(rows: list[dict[str, Any]], results: pd.DataFrame, determined_on: date,
                published_on: date) -> list[dict[str, Any]]:
    """Each row with its own determination and publication dates (第二十条), the list's where it has none."""
    records = {clean_text(r.get("institution_id")): r for r in results.to_dict("records")}
    for row in rows:
        record = records.get(row["institution_id"], {})
        determined = row_day(record, "determined_on", determined_on)
        published = row_day(record, "published_on", published_on)
        row.update(determined_on=cn_date(determined), determined_on_iso=determined.isoformat(),
                   published_on=cn_date(published), published_on_iso=published.isoformat())
    return rows


def _date_groups(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The distinct (determined, published) dates of the rows, earliest first, each with its count."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["published_on_iso"], r["determined_on_iso"])
        group = groups.setdefault(key, {k: r[k] for k in ("determined_on", "determined_on_iso", "published_on",
                                                          "published_on_iso")} | {"count": 0})
        group["count"] += 1
    return [groups[k] for k in sorted(groups)]


def on_days(rows: Sequence[Mapping[str, Any]], key: str, default: date) -> str:
    """"于2026年3月1日", or "分别于2026年3月1日（29家）、2026年4月1日（1家）" when the rows' dates differ."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[f"{key}_iso"]] = counts.get(r[f"{key}_iso"], 0) + 1
    days = sorted(counts)
    if len(days) <= 1:
        return f"于{cn_date(date.fromisoformat(days[0]) if days else default)}"
    return "分别于" + "、".join(f"{cn_date(date.fromisoformat(d))}（{counts[d]}家）" for d in days)


@dataclass(frozen=True)
class AList(Context):
    """信用风险等级较低（A级）社会环境监测机构名单 (R-18 第二十一条): the lowest-risk band of the final results."""

    title: str
    grade: str
    grade_text: str
    intro: str
    incentives: str
    dynamic: str
    counties: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    count_rows: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class FinalResultsContext(Context):
    """The determined results as published (R-17 第二十条), with the A list (R-18) and 第十七条 revocations (R-14)."""

    title: str
    year: int
    period: str
    intro: str
    bands: list[dict[str, str]]
    bands_intro: str
    art17: str
    not_rated: str
    sharing: str
    grade_columns: list[str]
    count_rows: list[dict[str, Any]]
    count_totals: list[int]
    counties: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    revoked_count: int
    direct_grade: str
    a_list: AList
    bureau: str
    system: str
    website: str
    determined_on: str
    determined_on_iso: str
    published_on: str
    published_on_iso: str
    date_groups: list[dict[str, Any]]  # the rows' (determined, published) dates, each with its count
    dated_rows: bool  # the rows do not share one pair of dates: each list shows its row's own
    publication_working_days: int
    generated_at: str
    snapshot: str
    index_version: str


def final_results_context(
    results: pd.DataFrame,
    *,
    year: int,
    determined_on: date,
    published_on: date,
    bureau: Mapping[str, Any],
    snapshot: str,
    index_version: str,
    generated_at: str,
    grade_bands: Sequence[Band] | None = None,
    revoked: Mapping[str, str] | None = None,
    publication_working_days: int | None = None,
) -> FinalResultsContext:
    """The determined results as published on the website and shared (R-17 第二十条), with the A list (R-18).

    `results` has the columns of results.csv (other extra columns are never read) and optionally each
    row's own `determined_on` and `published_on` (第二十条; a missing or empty one is the list's date);
    `revoked` maps an institution id to the grade that a 第十七条 event revoked (its row is then the
    direct grade with the clause). `grade_bands` are rules.index.grades, `publication_working_days`
    rules.procedure.publication. `determined_on` and `published_on` date the list itself (its latest).
    """
    if published_on < determined_on:
        raise ValueError(f"published on {published_on}, before the results were determined on {determined_on}")
    bands = bands_or_rules(grade_bands, index_version=index_version)
    grades = grades_of(bands)
    direct = direct_grade_of(bands)
    rows = _with_dates(_final_rows(results, grades, revoked or {}, direct), results, determined_on, published_on)
    date_groups = _date_groups(rows)
    counties, published, matrix, totals = group_by_county(rows, bureau, [*grades, NOT_RATED])
    bureau_name = clean_text(bureau["bureau"])
    period = period_text(year)
    return FinalResultsContext(
        title=f"晋城市社会环境监测机构{year}年度信用风险等级评价结果",
        year=year,
        period=period,
        intro=(
            f"根据{REGULATION}第十四条至第二十条规定，{bureau_name}对在本市开展生态环境监测及生态环境监测"
            f"设备运营维护并纳入名录管理的社会环境监测机构（以下简称社会监测机构）{period}期间的信用风险状况"
            f"进行了评价。评价结果经公示和异议复核，已{on_days(rows, 'determined_on', determined_on)}确定，现予以公布。"
        ),
        bands=band_rows(bands),
        bands_intro=BANDS_INTRO,
        art17=(
            f"社会监测机构有第十七条所列情形之一并经核实确认的，信用风险等级实时调整，直接评定为{direct}级"
            "（已获评的信用风险等级直接撤销），名单中注明所依据的第十七条具体项。"
        ),
        not_rated=NOT_RATED_TEXT,
        sharing="本评价结果同时共享给本市市场监督管理部门（第二十条）。",
        grade_columns=[*(f"{g}级" for g in grades), NOT_RATED, "合计"],
        count_rows=matrix,
        count_totals=totals,
        counties=counties,
        rows=published,
        revoked_count=sum(1 for r in rows if r["revoked_grade"]),
        direct_grade=direct,
        a_list=_a_list(rows, bands[0], bureau, year, determined_on, direct),
        bureau=bureau_name,
        system=clean_text(bureau.get("system")),
        website=clean_text(bureau.get("website")),
        determined_on=cn_date(determined_on),
        determined_on_iso=determined_on.isoformat(),
        published_on=cn_date(published_on),
        published_on_iso=published_on.isoformat(),
        date_groups=date_groups,
        dated_rows=len(date_groups) > 1,
        publication_working_days=days_or_rules(publication_working_days, "publication"),
        generated_at=generated_at,
        snapshot=snapshot,
        index_version=index_version,
    )


def _a_list(rows: list[dict[str, Any]], top: Band, bureau: Mapping[str, Any], year: int, determined_on: date,
            direct: str) -> AList:
    """R-18 第二十一条: the institutions of the lowest-risk band, by county, each with its own dates."""
    top_rows = [r for r in rows if r["grade"] == top.grade]
    counties, a_rows, matrix, _ = group_by_county(top_rows, bureau, [top.grade])
    return AList(
        title=f"晋城市{year}年度信用风险等级较低（{top.grade}级）社会环境监测机构名单",
        grade=top.grade,
        grade_text=f"{top.grade}级（{top.label}）",
        intro=(
            f"根据{REGULATION}第二十一条规定，现将{year}年度信用风险等级评价结果为{top.grade}级（{top.label}）"
            f"的社会监测机构名单予以公布（评价结果{on_days(top_rows, 'determined_on', determined_on)}确定）。"
        ),
        incentives=f"第二十一条　{ART21_TEXT}",
        dynamic=(
            f"名单内社会监测机构有第十七条所列情形之一并经核实确认的，其信用风险等级直接撤销、评定为{direct}级，"
            "并移出本名单。"
        ),
        counties=counties,
        rows=a_rows,
        count_rows=[{"county": r["county"], "values": r["values"][:1]} for r in matrix],
        total=len(a_rows),
    )


def render_final_results_html(ctx: Mapping[str, Any]) -> str:
    """评价结果公布 as one self-contained HTML5 page (R-17 第二十条, R-14, R-20)."""
    return ENV.get_template("final_results.html.j2").render(**ctx, ctx=ctx)


def _final_list_rows(ctx: Mapping[str, Any]) -> Iterable[list[Any]]:
    for r in ctx["rows"]:
        yield [r["seq"], r["institution_id"], r["name"], r["county"], r["grade_text"], r["note"],
               r["determined_on_iso"], r["published_on_iso"]]


def render_final_results_csv(ctx: Mapping[str, Any]) -> bytes:
    """The published list as CSV: UTF-8 with BOM, CRLF, Chinese header, formula-like cells neutralised (R-20)."""
    return csv_bytes(FINAL_COLUMNS, _final_list_rows(ctx))


def final_notice_lines(ctx: Mapping[str, Any]) -> list[str]:
    """The publication notice as plain lines (sheet 公布说明), in the words of the HTML page."""
    lines = [ctx["title"], ctx["intro"], f"一、评价期间：{ctx['period']}", "二、信用风险等级划分", ctx["bands_intro"]]
    lines += [f"{b['name']}：{b['rule']}" for b in ctx["bands"]]
    lines += [
        ctx["art17"],
        ctx["not_rated"],
        "三、评价结果：见工作表“评价结果”。各等级机构数量："
        + "，".join(f"{c}{n}家" for c, n in zip(ctx["grade_columns"], ctx["count_totals"], strict=True)),
        f"四、{ctx['a_list']['incentives']}",
        ctx["sharing"],
        "",
        ctx["bureau"],
        ctx["published_on"],
        "",
        f"生成时间：{ctx['generated_at']}；数据快照：{ctx['snapshot']}；评价指标体系版本：{ctx['index_version']}",
    ]
    return lines


def render_final_results_xlsx(ctx: Mapping[str, Any]) -> bytes:
    """Sheets 评价结果 and 公布说明, reproducible bytes, text cells never formulas (R-17, R-20)."""
    wb = Workbook()
    write_list_sheet(wb.active, "评价结果", FINAL_COLUMNS, _final_list_rows(ctx), (6, 22, 40, 16, 26, 48, 12, 12),
                     date_columns=(7, 8))
    write_notes_sheet(wb.create_sheet(), "公布说明", final_notice_lines(ctx), heading_row=1)
    return stable_workbook_bytes(
        wb,
        title=ctx["title"],
        creator=ctx["system"] or ctx["bureau"],
        when=datetime.fromisoformat(ctx["published_on_iso"]),
    )


def county_final_context(ctx: Mapping[str, Any], county: str) -> Any:
    """R-01: the published list as one county's branch receives it — its rows only (each keeps its number
    in the city's list), its own counts per grade, under a title naming the county."""
    width = len(ctx["grade_columns"])
    values = next((m["values"] for m in ctx["count_rows"] if m["county"] == county), [0] * width)
    changes = {"title": f"{ctx['title']}（{county}）", "rows": [r for r in ctx["rows"] if r["county"] == county],
               "counties": [c for c in ctx["counties"] if c["name"] == county], "count_totals": list(values)}
    return dataclasses.replace(ctx, **changes) if dataclasses.is_dataclass(ctx) else {**ctx, **changes}


def render_a_list_html(ctx: Mapping[str, Any]) -> str:
    """信用风险等级较低（A级）社会环境监测机构名单 with the 第二十一条 incentives (R-18), from final_results_context."""
    return ENV.get_template("a_list.html.j2").render(**ctx)


def render_a_list_csv(ctx: Mapping[str, Any]) -> bytes:
    """The A list as CSV (R-18), same encoding and R-20 protection as every published CSV."""
    a_list = ctx["a_list"]
    rows = (
        [r["seq"], r["institution_id"], r["name"], r["county"], r["grade_text"], ctx["year"], r["published_on_iso"]]
        for r in a_list["rows"]
    )
    return csv_bytes(A_LIST_COLUMNS, rows)


# ---------------------------------------------------------------- 变更公示 (R-14 第十七条, R-15 第十八条)


@dataclass(frozen=True)
class ChangeNoticeContext(Context):
    """A changed result publicised again (R-14 第十七条, R-15 第十八条 发生变更后 公示)."""

    title: str
    year: int
    intro: str
    rows: list[dict[str, str]]
    window: Window
    objection: ObjectionNotice
    bureau: str
    system: str
    publication_date: str
    publication_date_iso: str
    generated_at: str


def change_notice_context(
    changes: Sequence[Mapping[str, Any]],
    *,
    year: int,
    publication_date: date,
    first_day: date,
    last_day: date,
    bureau: Mapping[str, Any],
    generated_at: str,
    grade_bands: Sequence[Band] | None = None,
    publicity_working_days: int | None = None,
    review_working_days: int | None = None,
) -> ChangeNoticeContext:
    """A changed result publicised again for the 第十八条 working days (R-15 第十八条 发生变更后 公示).

    Each change: institution_id, name, county, cause (objection | revocation), decided_on, before and
    after (status, grade, clause), reason (published: write it without personal data), optional
    document (e.g. the penalty decision a 第十七条 revocation rests on). `grade_bands` are
    rules.index.grades; the day counts rules.procedure.publicity and .review.
    """
    if not changes:
        raise ValueError("a change notice needs at least one changed result")
    if not publication_date <= first_day <= last_day:
        raise ValueError(
            f"publicity window {first_day}..{last_day} must start on or after the publication date {publication_date}"
        )
    bands = bands_or_rules(grade_bands, year=year)
    grades, direct = set(grades_of(bands)), direct_grade_of(bands)
    rows = [_change_row(change, grades, direct) for change in changes]
    bureau_name = clean_text(bureau["bureau"])
    review_days = days_or_rules(review_working_days, "review")
    return ChangeNoticeContext(
        title=f"晋城市社会环境监测机构{year}年度信用风险等级评价结果变更公示",
        year=year,
        intro=(
            f"根据{REGULATION}第十七条至第十九条规定，下列社会环境监测机构（以下简称社会监测机构）{year}年度"
            f"信用风险等级评价结果发生变更。根据第十八条规定，{bureau_name}现将变更后的评价结果予以公示。"
        ),
        rows=sorted(rows, key=lambda r: r["institution_id"]),
        window=Window.of(first_day, last_day, days_or_rules(publicity_working_days, "publicity")),
        objection=ObjectionNotice(paragraphs=objection_paragraphs(bureau_name, last_day, review_days),
                                  **contact(bureau)),
        bureau=bureau_name,
        system=clean_text(bureau.get("system")),
        publication_date=cn_date(publication_date),
        publication_date_iso=publication_date.isoformat(),
        generated_at=generated_at,
    )


def _change_row(change: Mapping[str, Any], grades: set[str], direct: str) -> dict[str, str]:
    """One changed result as the notice lists it: before, after, on what basis."""
    institution_id = clean_text(change["institution_id"])
    cause = clean_text(change.get("cause"))
    if cause not in CHANGE_CAUSES:
        raise ValueError(f"{institution_id}: cause must be one of {CHANGE_CAUSES}, got {cause!r}")
    before = _result_view(change["before"], grades, institution_id)
    after = _result_view(change["after"], grades, institution_id)
    assert before is not None and after is not None
    if (before["grade"], before["clause"]) == (after["grade"], after["clause"]):
        raise ValueError(f"{institution_id}: the grade did not change, there is nothing to publicise")
    if cause == "revocation":
        if after["grade"] != direct or not after["clause"]:
            raise ValueError(f"{institution_id}: a 第十七条 revocation makes the grade {direct} with its clause")
        basis = f"{clause_label(after['clause'])}情形经核实确认，信用风险等级实时调整"
        result = (
            _revocation_note(before["grade"], after["clause"], direct) if before["grade"] in grades
            else f"直接评定为{direct}级（{clause_label(after['clause'])}）"
        )
    else:
        basis = "异议复核（第十九条）"
        result = f"由{before['grade_text']}变更为{after['grade_text']}"
    decided = as_date(change["decided_on"])
    return {
        "institution_id": institution_id,
        "name": clean_text(change.get("name")),
        "county": clean_text(change.get("county")),
        "before": before["grade_text"],
        "after": after["grade_text"],
        "after_class": f"grade-{after['grade']}" if after["grade"] in grades else "grade-none",
        "basis": basis,
        "document": clean_text(change.get("document")),
        "result": result,
        "reason": clean_text(change.get("reason")),
        "decided_on": cn_date(decided),
        "decided_on_iso": decided.isoformat(),
    }


def render_change_notice_html(ctx: Mapping[str, Any]) -> str:
    """变更公示 page: before/after grade, basis, the new 第十八条 window, how to object (R-14, R-15)."""
    return ENV.get_template("change_notice.html.j2").render(**ctx)


# ---------------------------------------------------------------- share package (R-17 第二十条)


def _share_records(frame: pd.DataFrame, grades: list[str], revoked: Mapping[str, str], direct: str,
                   determined_on: date, published_on: date) -> dict[str, dict[str, str]]:
    """institution_id → the shared fields and the row's own dates; the frame's own revoked_grade column is
    read when present."""
    rows = _with_dates(_final_rows(frame, grades, revoked, direct), frame, determined_on, published_on)
    scores = {clean_text(r.get("institution_id")): r for r in frame.to_dict("records")}
    records = {}
    for row in rows:
        source = scores[row["institution_id"]]
        status = clean_text(source.get("status"))
        revoked_grade = row["revoked_grade"] or clean_text(source.get("revoked_grade"))
        records[row["institution_id"]] = {
            "institution_id": row["institution_id"],
            "name": row["name"],
            "county": row["county"],
            "status": status,
            "grade": row["grade"] if status == "rated" else "",
            "score": clean_text(source.get("score")) if status == "rated" else "",
            "clause": row["clause"],
            "revoked_grade": revoked_grade,
            "grade_text": row["grade_text"],
            "determined_on_iso": row["determined_on_iso"],
            "published_on_iso": row["published_on_iso"],
        }
    if len(records) != len(rows):
        raise ValueError("an institution appears twice among the results to share")
    return records


def _public(record: Mapping[str, str]) -> dict[str, str]:
    return {k: record[k] for k in ("institution_id", *_SHARED_FIELDS)}


def _dated(record: Mapping[str, str]) -> dict[str, str]:
    """The shared fields with the row's own dates (第二十条)."""
    return _public(record) | {"determined_on": record["determined_on_iso"], "published_on": record["published_on_iso"]}


def share_package(
    results: pd.DataFrame,
    *,
    year: int,
    sequence: int,
    previous: pd.DataFrame | None,
    bureau: Mapping[str, Any],
    generated_at: str,
    determined_on: date,
    published_on: date,
    shared_on: date,
    snapshot: str,
    index_version: str,
    revoked: Mapping[str, str] | None = None,
    previous_revoked: Mapping[str, str] | None = None,
    grade_bands: Sequence[Band] | None = None,
    recipient: str = MARKET_REGULATOR,
) -> dict[str, bytes]:
    """The files shared with the market regulation department (R-17 第二十条), file name → bytes.

    Sequence 1 is the first sharing of the year; a later sequence is an update and needs `previous`
    (the results shared last time), from which changes.csv and changes.json are derived.
    File names are constants (R-20); manifest.json hashes the bytes returned. `grade_bands` are
    rules.index.grades.
    """
    if sequence < 1 or (sequence == 1) != (previous is None):
        raise ValueError(f"sequence {sequence}: the first sharing has no previous results, every update has them")
    if not determined_on <= published_on <= shared_on:
        raise ValueError(f"dates out of order: determined {determined_on}, published {published_on}, shared {shared_on}")
    bands = bands_or_rules(grade_bands, index_version=index_version)
    grades, direct = grades_of(bands), direct_grade_of(bands)
    current = _share_records(results, grades, revoked or {}, direct, determined_on, published_on)
    ordered = [current[k] for k in sorted(current)]
    header = {
        "year": year,
        "sequence": sequence,
        "determined_on": determined_on.isoformat(),
        "published_on": published_on.isoformat(),
        "shared_on": shared_on.isoformat(),
        "generated_at": generated_at,
        "snapshot": snapshot,
        "index_version": index_version,
        "bureau": clean_text(bureau["bureau"]),
    }
    counts = {g: sum(1 for r in ordered if r["status"] == "rated" and r["grade"] == g) for g in grades}
    counts["not_rated"] = sum(1 for r in ordered if r["status"] == "not_rated")
    counts["revoked"] = sum(1 for r in ordered if r["revoked_grade"])
    files: dict[str, bytes] = {}
    rows_of: dict[str, int | None] = {}
    files[RESULTS_CSV] = csv_bytes(
        SHARE_COLUMNS,
        (
            [r["institution_id"], r["name"], r["county"], _STATUS_LABELS.get(r["status"], r["status"]), r["grade"],
             r["score"], clause_label(r["clause"]) if r["clause"] else "", r["revoked_grade"], year,
             r["determined_on_iso"], r["published_on_iso"]]
            for r in ordered
        ),
    )
    files[RESULTS_JSON] = json_bytes({**header, "counts": counts, "records": [_dated(r) for r in ordered]})
    rows_of[RESULTS_CSV] = rows_of[RESULTS_JSON] = len(ordered)

    changes: list[dict[str, Any]] = []
    if previous is not None:
        before = _share_records(previous, grades, previous_revoked or {}, direct, determined_on, published_on)
        for institution_id in sorted(set(before) | set(current)):
            old, new = before.get(institution_id), current.get(institution_id)
            fields = [f for f in _SHARED_FIELDS if old and new and old[f] != new[f]]
            kind = "added" if old is None else "removed" if new is None else "changed" if fields else ""
            if kind:
                changes.append({"kind": kind, "institution_id": institution_id, "old": old, "new": new, "fields": fields})
        files[CHANGES_CSV] = csv_bytes(
            CHANGE_COLUMNS,
            (
                [_KIND_LABELS[c["kind"]], c["institution_id"], (c["new"] or c["old"])["name"],
                 (c["new"] or c["old"])["county"], c["old"]["grade_text"] if c["old"] else "",
                 c["new"]["grade_text"] if c["new"] else "", c["old"]["score"] if c["old"] else "",
                 c["new"]["score"] if c["new"] else "", "、".join(_FIELD_LABELS[f] for f in c["fields"])]
                for c in changes
            ),
        )
        files[CHANGES_JSON] = json_bytes(
            {
                **header,
                "previous_sequence": sequence - 1,
                "changes": [
                    {"kind": c["kind"], "institution_id": c["institution_id"], "fields": c["fields"],
                     "before": _public(c["old"]) if c["old"] else None,
                     "after": _public(c["new"]) if c["new"] else None}
                    for c in changes
                ],
            }
        )
        rows_of[CHANGES_CSV] = rows_of[CHANGES_JSON] = len(changes)

    described = {
        RESULTS_CSV: "评价结果（CSV，UTF-8）",
        RESULTS_JSON: "评价结果（JSON，UTF-8）",
        CHANGES_CSV: "本批变更明细（CSV，UTF-8）",
        CHANGES_JSON: "本批变更明细（JSON，UTF-8）",
    }
    bureau_name = clean_text(bureau["bureau"])
    update = previous is not None
    grade_columns = [*(f"{g}级" for g in grades), NOT_RATED]
    count_values = [*(counts[g] for g in grades), counts["not_rated"]]
    letter = ENV.get_template("share_cover_letter.html.j2").render(
        title=f"关于共享{year}年度社会环境监测机构信用风险等级评价结果的函",
        recipient=recipient,
        sequence=sequence,
        update=update,
        intro=(
            f"根据{REGULATION}第二十条规定，{bureau_name}{on_days(ordered, 'published_on', published_on)}通过官网公布"
            f"了本市社会环境监测机构{year}年度信用风险等级评价结果（评价结果{on_days(ordered, 'determined_on', determined_on)}"
            "确定）。"
            + (
                f"因部分社会环境监测机构的评价结果发生变更（第十七条至第十九条），现将更新后的评价结果（第{sequence}批）"
                "共享给你单位，请以本批为准。"
                if update
                else "现将评价结果共享给你单位，请结合职责参考使用。"
            )
        ),
        grade_columns=[*grade_columns, "合计"],
        count_values=[*count_values, len(ordered)],
        revoked_count=counts["revoked"],
        direct_grade=direct,
        changes=[
            {"kind": _KIND_LABELS[c["kind"]], "institution_id": c["institution_id"],
             "name": (c["new"] or c["old"])["name"],
             "before": c["old"]["grade_text"] if c["old"] else "—",
             "after": c["new"]["grade_text"] if c["new"] else "—",
             "fields": "、".join(_FIELD_LABELS[f] for f in c["fields"])}
            for c in changes
        ],
        files=[
            {"name": name, "description": described[name], "rows": rows_of[name],
             "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
        contact=contact(bureau),
        bureau=bureau_name,
        system=clean_text(bureau.get("system")),
        shared_on=cn_date(shared_on),
        shared_on_iso=shared_on.isoformat(),
        generated_at=generated_at,
        snapshot=snapshot,
        index_version=index_version,
    )
    files[COVER_LETTER] = letter.encode("utf-8")
    rows_of[COVER_LETTER] = None  # a letter has no rows
    files[MANIFEST] = json_bytes(
        {
            **header,
            "files": [
                {"name": name, "bytes": len(data), "rows": rows_of[name], "sha256": hashlib.sha256(data).hexdigest()}
                for name, data in sorted(files.items())
            ],
        }
    )
    return files
