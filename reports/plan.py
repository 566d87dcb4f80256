"""The 第二十二条 inspection plan as CSV, HTML and XLSX: pure render functions, context in, bytes out (R-19, R-20).

- plan.csv: exactly `institution_id, county, grade, reason, inspections, on_site` (INDEX_SYSTEM.md), UTF-8
  with BOM, CRLF, on_site as `true`/`false`; the machine-readable plan anyone can re-check with the seed.
- plan_inspectors.csv: the 双随机 teams as credit.sampling.draw_inspectors returns them (header only when
  the roster is empty).
- plan.html / plan.xlsx: the internal plan in Chinese, grouped per county for the branches, stating the
  seed, the rules version and the counts per grade. Institutions appear by code and name only (no
  personal data); inspectors are bureau staff and appear by name. Autoescaped HTML, formula-safe cells,
  reproducible XLSX bytes (dated 1 January of the plan year).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl import Workbook

from credit.sampling import PLAN_COLUMNS, SamplingRules
from reports.common import (
    ENV,
    NOT_RATED,
    OTHER_COUNTY,
    REGULATION,
    clean_text,
    csv_bytes,
    stable_workbook_bytes,
    write_list_sheet,
    write_notes_sheet,
)

GRADE_TEXT = {"not_rated": NOT_RATED, "": "无评价结果"}  # a grade letter reads "B级"
REASON_TEXT = {"sampled": "随机抽取", "all": "全部纳入", "complaint": "投诉举报经查实"}
ROUNDING_TEXT = {"down": "向下取整", "up": "向上取整", "": "—"}
LIST_COLUMNS = ("序号", "统一社会信用代码", "机构名称", "所在县（市、区）", "信用风险等级", "纳入原因", "检查次数",
                "检查方式", "检查人员（双随机）")
TEAM_COLUMNS_CN = ("序号", "统一社会信用代码", "所在县（市、区）", "第几次检查", "检查人员", "备注")
COUNT_COLUMNS_CN = ("等级", "机构数", "抽查比例", "取整", "按比例抽取", "投诉举报机构", "投诉举报追加", "纳入检查",
                    "检查方式")
NO_ROSTER = "执法检查人员名录为空，本计划未抽取检查人员；导入名录（credit inspectors import）后以同一随机种子重新生成即可。"


def grade_text(grade: str) -> str:
    """B级 for a grade of the index system; 不予评定, or 无评价结果 when the institution has none."""
    return GRADE_TEXT.get(grade, f"{grade}级")


def percent(ratio: str) -> str:
    """"0.03" → 3%, exactly (no binary float)."""
    return f"{format((Decimal(ratio) * 100).normalize(), 'f')}%"


def reason_text(reason: str) -> str:
    """sampled;complaint → 随机抽取；投诉举报经查实."""
    return "；".join(REASON_TEXT.get(part, part) for part in reason.split(";") if part)


def _teams_by_institution(teams: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    """Per institution, each inspection's team as "name（unit）" texts, in draw order."""
    out: dict[str, list[dict[str, Any]]] = {}
    if teams is None:
        return out
    positions = sorted(int(c.split("_")[1]) for c in teams.columns if c.startswith("inspector_"))
    for record in teams.to_dict("records"):
        members = [f"{clean_text(record[f'name_{p}'])}（{clean_text(record[f'unit_{p}'])}）" for p in positions]
        ids = [clean_text(record[f"inspector_{p}"]) for p in positions]
        note = "检查组与本计划中已抽取的检查组重复" if clean_text(record.get("note")) else ""
        out.setdefault(clean_text(record["institution_id"]), []).append(
            {"inspection": int(record["inspection"]), "members": members, "ids": ids, "note": note,
             "text": f"第{int(record['inspection'])}次：{'、'.join(members)}"})
    return out


def plan_context(
    rows: pd.DataFrame,
    counts: pd.DataFrame,
    teams: pd.DataFrame | None,
    *,
    year: int,
    source_year: int,
    seed: str,
    rules: SamplingRules,
    names: Mapping[str, str],
    bureau: Mapping[str, Any],
    snapshot: str,
) -> dict[str, Any]:
    """Everything the plan shows, as plain data: rows grouped per county in the configured order (R-01)."""
    by_institution = _teams_by_institution(teams)
    configured = [str(c) for c in bureau.get("counties", [])]
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in configured}
    for record in rows.to_dict("records"):
        institution_id, county = clean_text(record["institution_id"]), clean_text(record["county"])
        grade = clean_text(record["grade"])
        team = by_institution.get(institution_id, [])
        groups.setdefault(county if county in configured else OTHER_COUNTY, []).append({
            "institution_id": institution_id, "name": clean_text(names.get(institution_id, "")), "county": county,
            "grade": grade, "grade_text": grade_text(grade), "reason_text": reason_text(clean_text(record["reason"])),
            "inspections": int(record["inspections"]),
            "on_site_text": "现场检查" if bool(record["on_site"]) else "非现场检查",
            "teams": team, "team_text": "；".join(t["text"] for t in team),
        })
    seq = 0
    counties = []
    for county, members in groups.items():
        for member in members:
            seq += 1
            member["seq"] = seq
        counties.append({"name": county, "rows": members, "inspections": sum(m["inspections"] for m in members)})

    rule_of = {g.grade: g for g in rules.groups}
    count_rows: list[dict[str, Any]] = []
    for record in counts.to_dict("records"):
        grade = clean_text(record["grade"])
        rule = rule_of.get(grade)
        ratio = clean_text(record["ratio"])
        count_rows.append({
            "grade_text": grade_text(grade), "label": rule.label if rule else "有投诉举报、无评价结果",
            "n": int(record["n"]), "ratio": percent(ratio) if ratio else "—",
            "rounding": ROUNDING_TEXT.get(clean_text(record["rounding"]), clean_text(record["rounding"])),
            "k": int(record["k"]), "complaints": int(record["complaints"]),
            "complaint_added": int(record["complaint_added"]), "selected": int(record["selected"]),
            "mode": ("非现场检查（投诉举报的现场检查）" if rule and rule.on_site == "complaint_only" else "现场检查"),
            "article": rule.article if rule else rules.complaint_article,
        })
    totals = {key: sum(r[key] for r in count_rows) for key in ("n", "k", "complaints", "complaint_added", "selected")}
    bureau_name = str(bureau.get("bureau", ""))
    return {
        "title": f"晋城市社会环境监测机构{year}年度差异化监督检查计划",
        "year": year,
        "source_year": source_year,
        "intro": (
            f"根据{REGULATION}第二十二条，{bureau_name}依据{source_year}年度社会监测机构信用风险等级评价确定结果，"
            f"按差异化监管抽查规则（版本 {rules.version}）确定{year}年度监督检查对象、检查次数和检查方式，"
            "并随机抽取检查人员（双随机）。"
        ),
        "method": (
            "各等级（不予评定单列一组）按“sha256(随机种子 + \":\" + 统一社会信用代码)”的十六进制值升序排列，"
            "取前 k 家，k = 机构数 × 抽查比例（精确小数，按规则取整）；投诉举报经查实的机构不论等级一律追加纳入。"
            "任何人可凭随机种子复核抽取结果。"
        ),
        "inspector_method": (
            f"每次检查由{rules.inspectors_per_inspection}名检查人员实施，从执法检查人员名录中随机抽取，"
            "回避机构所在县（市、区）的检查人员（市局人员不回避），同一检查组在本计划中尽量不重复。"
        ),
        "seed": seed,
        "rules_version": rules.version,
        "rules_source": rules.source,
        "counts": count_rows,
        "count_totals": totals,
        "count_columns": COUNT_COLUMNS_CN,
        "counties": counties,
        "has_inspectors": teams is not None,
        "no_roster": NO_ROSTER,
        "teams": [] if teams is None else teams.to_dict("records"),
        "team_size": rules.inspectors_per_inspection,
        "institutions": sum(len(c["rows"]) for c in counties),
        "inspections": sum(c["inspections"] for c in counties),
        "bureau": bureau_name,
        "system": clean_text(bureau.get("system")),
        "snapshot": snapshot,
        "internal": "内部工作文件：含检查人员信息，不对外公开。",
    }


def render_plan_html(ctx: Mapping[str, Any]) -> str:
    """The plan as one self-contained HTML5 page, one section per county (R-19, R-20)."""
    return ENV.get_template("plan.html.j2").render(**ctx)


def render_plan_csv(rows: pd.DataFrame) -> bytes:
    """plan.csv exactly as INDEX_SYSTEM.md names it; on_site lower-case true/false (R-20 cells)."""
    records = rows[PLAN_COLUMNS].to_dict("records")
    return csv_bytes(PLAN_COLUMNS, ([clean_text(r["institution_id"]), clean_text(r["county"]), clean_text(r["grade"]),
                                     clean_text(r["reason"]), int(r["inspections"]),
                                     "true" if bool(r["on_site"]) else "false"] for r in records))


def team_columns(team_size: int) -> list[str]:
    members = [f"{c}_{p}" for p in range(1, team_size + 1) for c in ("inspector", "name", "unit")]
    return ["institution_id", "county", "inspection", *members, "note"]


def render_plan_inspectors_csv(teams: pd.DataFrame | None, *, team_size: int) -> bytes:
    """The 双随机 teams, one row per inspection; only the header when no roster was loaded."""
    columns = team_columns(team_size)
    records = [] if teams is None else teams[columns].to_dict("records")
    return csv_bytes(columns, ([clean_text(r[c]) for c in columns] for r in records))


def _list_rows(ctx: Mapping[str, Any]) -> Iterable[list[Any]]:
    for county in ctx["counties"]:
        for r in county["rows"]:
            yield [r["seq"], r["institution_id"], r["name"], r["county"], r["grade_text"], r["reason_text"],
                   r["inspections"], r["on_site_text"], r["team_text"]]


def _team_rows(ctx: Mapping[str, Any]) -> Iterable[list[Any]]:
    seq = 0
    for county in ctx["counties"]:
        for r in county["rows"]:
            for team in r["teams"]:
                seq += 1
                yield [seq, r["institution_id"], r["county"], team["inspection"], "、".join(team["members"]),
                       team["note"]]


def notice_lines(ctx: Mapping[str, Any]) -> list[str]:
    """The plan's explanation as plain lines (sheet 计划说明), in the words of the HTML page."""
    lines = [ctx["title"], ctx["internal"], ctx["intro"], "一、抽取规则与随机种子",
             f"随机种子：{ctx['seed']}", f"抽查规则版本：{ctx['rules_version']}", ctx["method"],
             "二、各等级纳入检查机构数量"]
    for r in ctx["counts"]:
        lines.append(f"{r['grade_text']}（{r['label']}）：机构{r['n']}家，抽查比例{r['ratio']}（{r['rounding']}），"
                     f"按比例抽取{r['k']}家，投诉举报机构{r['complaints']}家、追加{r['complaint_added']}家，"
                     f"纳入检查{r['selected']}家，{r['mode']}。依据：{r['article']}")
    totals = ctx["count_totals"]
    lines.append(f"合计：纳入检查{totals['selected']}家，检查{ctx['inspections']}次。")
    lines += ["三、检查人员（双随机）", ctx["inspector_method"] if ctx["has_inspectors"] else ctx["no_roster"],
              "四、检查对象：见工作表“检查计划”。", "", ctx["bureau"], "",
              f"评价年度：{ctx['source_year']}；数据快照：{ctx['snapshot']}；随机种子：{ctx['seed']}；"
              f"抽查规则版本：{ctx['rules_version']}"]
    return lines


def render_plan_xlsx(ctx: Mapping[str, Any]) -> bytes:
    """Sheets 检查计划, 检查人员 and 计划说明, reproducible bytes, text cells never formulas (R-20)."""
    wb = Workbook()
    write_list_sheet(wb.active, "检查计划", LIST_COLUMNS, _list_rows(ctx), (6, 22, 36, 14, 12, 24, 8, 12, 60))
    write_list_sheet(wb.create_sheet(), "检查人员", TEAM_COLUMNS_CN, _team_rows(ctx), (6, 22, 14, 10, 60, 30))
    write_notes_sheet(wb.create_sheet(), "计划说明", notice_lines(ctx), heading_row=1)
    return stable_workbook_bytes(wb, title=ctx["title"], creator=ctx["system"] or ctx["bureau"],
                                 when=datetime(int(ctx["year"]), 1, 1))


def county_plan_context(ctx: Mapping[str, Any], county: str) -> dict[str, Any]:
    """R-01: the plan as one county's branch receives it — only its institutions and their teams, under a
    title naming the county; the citywide counts, seed and rules stay, and each row keeps its plan number."""
    rows = [c for c in ctx["counties"] if c["name"] == county]
    members = rows[0]["rows"] if rows else []
    return {**ctx, "title": f"{ctx['title']}（{county}）", "counties": rows or [{"name": county, "rows": [],
                                                                              "inspections": 0}],
            "institutions": len(members), "inspections": sum(m["inspections"] for m in members)}
