"""Prefect task that writes an evaluation's outputs (DATA_CONTRACT.md "Outputs"; R-15, R-20).

Every file is a function of the inputs and parameters only (no clock), so a second run on the same
drop writes the same bytes.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from credit.calendar import require_calendar
from credit.indexsystem import IndexSystem
from credit.lifecycle import publicity_window
from credit.rules import Bureau, Rules
from credit.scoring import Scored
from reports.explain import finding_rows, findings_csv_chunks, indicator_totals, render_findings_xlsx
from reports.render import (
    publicity_context,
    render_publicity_csv,
    render_publicity_html,
    render_publicity_xlsx,
    render_run_summary_html,
)
from reports.safe import csv_frame
from tasks.drop_io import Drop
from tasks.progress import step
from tasks.reporting import artifact_key, markdown_table, publish_artifacts, run_logger
from tasks.retries import MINUTE, io_task
from tasks.validation import Validated

if TYPE_CHECKING:
    from store.repository import SaveReport

__all__ = [
    "OUTPUTS", "OUTPUT_ENTRIES", "RECORDED_OUTPUT", "Bureau", "grades_by_county", "render_outputs", "render_task",
    "report_evaluation", "require_calendar_ahead", "run_summary", "summary_markdown", "write_csv",
]

OUTPUTS = {
    "results": ("results.csv", "每个参评机构的得分、等级与扣分（DATA_CONTRACT.md）"),
    "findings": ("findings.csv", "每一分的依据：指标、日期、原始分、计入分、证据"),
    "findings_xlsx": ("评分明细.xlsx", "评分明细：每一分的指标名称、维度、条款、日期、证据（文字）与分值"),
    "findings_zh": ("findings_zh.csv", "评分明细 CSV（中文表头，供人阅读；程序读 findings.csv）"),
    "quarantine": ("quarantine.csv", "被隔离的输入行及原因"),
    "warnings": ("warnings.csv", "保留但有疑点的输入行"),
    "pending": ("pending_events.csv", "未核实或核实晚于基准日的信用事件（不计分）"),
    "publicity_html": ("publicity.html", "公示名单（草稿）"),
    "publicity_csv": ("publicity.csv", "公示名单 CSV"),
    "publicity_xlsx": ("publicity.xlsx", "公示名单 XLSX"),
    "validation": ("validation/counts.csv", "各表读取、接受、隔离行数"),
    "data_docs": ("validation/data-docs", "Great Expectations Data Docs"),
    "validation_report": ("validation/report.html", "输入数据校验报告（各表行数、隔离行及原因、疑点；离线可开）"),
    "summary_json": ("run-summary.json", "运行摘要（JSON）"),
    "summary_html": ("run-summary.html", "运行摘要"),
}
# Written when the store had events for the year (tasks/supervision.py): the rows the evidence ids of
# their findings name, so the outputs explain every point without the store.
RECORDED_OUTPUT = ("recorded_events.csv", "并入本次评价的监督检查、投诉举报信用事件（含未核实）")
# The top-level entries of an output folder that are the evaluation's (tasks/outputs.py replaces them).
OUTPUT_ENTRIES = frozenset({name.split("/")[0] for name, _ in OUTPUTS.values()} | {RECORDED_OUTPUT[0]})
NOT_RATED = "不予评定"


def require_calendar_ahead(rules: Rules, as_of: date) -> date:
    """Issue 10 item 4: the calendar knows every day the draft's deadlines can need, checked before anything is stored.

    Counted as the deadlines are, one after another: publication on the first working day after as_of,
    the window's last day (第十八条), the review of an objection received on that day (第十九条), and
    publication within its limit after determination (第二十条). Returns the last of those days.
    """
    procedure = rules.procedure
    return require_calendar(
        rules.calendar, as_of, (1, procedure.publicity, procedure.review, procedure.publication),
        needed_for=f"{rules.period_start.year}年度评价（基准日 {as_of.isoformat()}）的公示、异议复核与公布期限",
    )


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it right), CRLF line ends as RFC 4180 and the example outputs, empty = null."""
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n", na_rep="")  # R-20


def render_outputs(
    out: Path, *, drop: Drop, validated: Validated, scored: Scored, rules: Rules, as_of: date,
    generated_at: datetime | None = None,
) -> dict[str, Path]:
    """Write the contract's CSVs, the draft publicity list, the validation counts and the run summary.

    `generated_at` is the clock time of the run, read by the flow (the edge); the run summary states it as
    its 生成时间. Without it the summary says as_of, so a test or a benchmark can keep the bytes fixed.
    """
    index, year = rules.index, rules.period_start.year
    with step("render"):
        out.mkdir(parents=True, exist_ok=True)
        paths = {key: out / name for key, (name, _) in OUTPUTS.items()}
        snapshot = drop.snapshot
        write_csv(scored.results.assign(snapshot=snapshot), paths["results"])
        write_csv(scored.findings, paths["findings"])
        _write_findings_detail(paths, scored, rules, as_of)
        write_csv(validated.quarantine, paths["quarantine"])
        write_csv(validated.warnings, paths["warnings"])
        write_csv(scored.pending, paths["pending"])
        write_csv(validated.counts, paths["validation"])
        _write_recorded(drop, out, paths)
        publicity = _write_publicity(paths, scored, rules, as_of, snapshot)
        summary = run_summary(drop, validated, scored, index, year, as_of, publicity, paths, out,
                              generated_at=generated_at)
        paths["summary_json"].write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths["summary_html"].write_text(render_run_summary_html(summary, grade_bands=index.grades), encoding="utf-8")
        return paths


def _write_findings_detail(paths: dict[str, Path], scored: Scored, rules: Rules, as_of: date) -> None:
    """Issue 12 item 2: the findings in words beside the contract's findings.csv, which stays as it is."""
    rows = finding_rows(scored.findings, rules.index)
    names = dict(zip(scored.results["institution_id"].astype(str), scored.results["name"].fillna("").astype(str),
                     strict=True))
    with paths["findings_zh"].open("wb") as f:
        f.writelines(findings_csv_chunks(rows, names))  # in pieces: national scale's is hundreds of MB
    paths["findings_xlsx"].write_bytes(render_findings_xlsx(
        rows, names, year=rules.period_start.year, creator=str(rules.bureau.settings.get("bureau", "")), when=as_of))


def _write_recorded(drop: Drop, out: Path, paths: dict[str, Path]) -> None:
    path = out / RECORDED_OUTPUT[0]
    if "recorded_events" not in drop.tables:
        path.unlink(missing_ok=True)  # a file of an earlier run into the same folder would mislead
        return
    paths["recorded_events"] = path
    write_csv(drop.tables["recorded_events"].frame, path)


def _write_publicity(paths: dict[str, Path], scored: Scored, rules: Rules, as_of: date, snapshot: str) -> dict:
    """第十八条 draft: publication on the first working day after as_of; the window ends N working days later."""
    procedure = rules.procedure
    window = publicity_window(rules.calendar, rules.calendar.add_working_days(as_of, 1), procedure)
    published, last_day = window.first_day, window.last_day
    ctx = publicity_context(
        scored.results, year=rules.period_start.year, publication_date=published, first_day=published,
        last_day=last_day, bureau=rules.bureau.settings, draft=True, generated_at=as_of.isoformat(),
        snapshot=snapshot, index_version=rules.index.version, grade_bands=rules.index.grades,
        publicity_working_days=procedure.publicity, review_working_days=procedure.review,
    )
    paths["publicity_html"].write_text(render_publicity_html(ctx), encoding="utf-8")
    paths["publicity_csv"].write_bytes(render_publicity_csv(ctx))
    paths["publicity_xlsx"].write_bytes(render_publicity_xlsx(ctx))
    return {"publication_date": published.isoformat(), "first_day": published.isoformat(),
            "last_day": last_day.isoformat(), "draft": True}


def run_summary(drop: Drop, validated: Validated, scored: Scored, index: IndexSystem, year: int, as_of: date,
                publicity: dict, paths: dict[str, Path], out: Path, *, generated_at: datetime | None = None) -> dict:
    """What the run read, kept, scored and wrote: deterministic but for `generated_at`, the run's clock time."""
    results = scored.results
    rated = results[results["status"] == "rated"]
    return {
        "drop": drop.origin,
        "snapshot": drop.snapshot,
        "year": year,
        "as_of": as_of.isoformat(),
        "index_version": index.version,
        "generated_at": clock_text(generated_at) if generated_at else as_of.isoformat(),
        "counts": validated.counts.astype(object).to_dict("records"),
        "grades": {str(g): int(n) for g, n in rated["grade"].value_counts().sort_index().items()},
        "statuses": {str(s): int(n) for s, n in results["status"].value_counts().sort_index().items()},
        "warnings": len(validated.warnings),
        "findings": len(scored.findings),
        "indicators": indicator_totals(scored.findings, index),
        "pending_events": len(scored.pending),
        "publicity": publicity,
        "outputs": [
            {"name": key, "path": paths[key].relative_to(out).as_posix(),
             "href": (paths[key] / "index.html" if key == "data_docs" else paths[key]).relative_to(out).as_posix(),
             "description": OUTPUTS[key][1] if key in OUTPUTS else RECORDED_OUTPUT[1]}
            for key in paths
        ],
    }


def clock_text(at: datetime) -> str:
    """2026-01-20 09:30:00 +08:00: a clock time as the documents state it (to the second, with its offset)."""
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M:%S}" + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def grades_by_county(results: pd.DataFrame, grades: list[str], counties: list[str]) -> list[dict[str, object]]:
    """Rated institutions per grade and the not rated, per county of the bureau (every one) and the city."""
    rows = []
    frame = results.assign(county=results["county"].fillna("").astype(str).replace("", "（未填写）"))
    named = [*counties, *sorted(set(frame["county"]) - set(counties))]
    for county, group in [*((c, frame[frame["county"] == c]) for c in named), ("合计", frame)]:
        rated = group[group["status"] == "rated"]
        row: dict[str, object] = {"县（市、区）": county}
        row |= {f"{g}级": int((rated["grade"] == g).sum()) for g in grades}
        row |= {NOT_RATED: int((group["status"] != "rated").sum()), "合计": len(group)}
        rows.append(row)
    return rows


def summary_markdown(summary: dict, saved: SaveReport, out: Path, grades: list[str]) -> str:
    """The run in Chinese for the Prefect UI: what was read, rated, stored and written, and the draft's dates."""
    counts = [{"表": c["table"], "文件": c["file"], "读取": c["read"], "接受": c["accepted"], "隔离": c["quarantined"]}
              for c in summary["counts"]]
    statuses = summary["statuses"]
    rated = statuses.get("rated", 0)
    graded = "，".join(f"{g}级 {summary['grades'].get(g, 0)} 家" for g in grades)
    publicity = summary["publicity"]
    stored = ("与已存结果相同，未写入" if saved.wrote_nothing else
              f"新增 {saved.new}、变更 {saved.changed}、未变 {saved.unchanged}、撤回 {saved.withdrawn}")
    outputs = [{"文件": f"`{o['path']}`", "说明": o["description"]} for o in summary["outputs"]]
    return "\n\n".join([
        f"# {summary['year']}年度环境监测机构信用风险评价",
        f"基准日 {summary['as_of']}；指标体系 {summary['index_version']}；输入快照 `{summary['snapshot']}`",
        "## 输入\n\n" + markdown_table(counts),
        f"保留但有疑点的行（警告）{summary['warnings']} 条；未核实或核实晚于基准日的信用事件 {summary['pending_events']} 条。",
        f"## 结果\n\n参评机构 {rated} 家（评定等级：{graded}）；{NOT_RATED} {sum(statuses.values()) - rated} 家"
        f"（第十四条，评价期间未纳入名录管理）；合计 {sum(statuses.values())} 家。计分依据 {summary['findings']} 条。"
        f"存储的结果：{stored}。",
        f"## 公示名单（草稿）\n\n拟公示日期 {publicity['publication_date']}，公示期至 {publicity['last_day']}"
        "（第十八条）。公示由 `credit publicize` 开始。",
        f"## 输出\n\n输出文件夹 `{out}`\n\n" + markdown_table(outputs),
    ]) + "\n"


def report_evaluation(rules: Rules, as_of: date, results: pd.DataFrame, saved: SaveReport,
                      paths: dict[str, Path]) -> list[str]:
    """The run's own lines, and its artifacts `evaluation-<year>` and `evaluation-<year>-grades-by-county`."""
    log, year = run_logger(__name__), rules.period_start.year
    summary = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    folder = paths["summary_json"].parent.resolve()
    grades = [band.grade for band in rules.index.grades]
    log.info("结果：%s；等级：%s；警告 %s 条", summary["statuses"], summary["grades"] or "无", summary["warnings"])
    if saved.wrote_nothing:
        log.info("存储：与已存的 %s 年度结果相同，未写入", year)
    else:
        log.info("存储：新增 %s、变更 %s、未变 %s、撤回 %s 个结果", saved.new, saved.changed, saved.unchanged,
                 saved.withdrawn)
    log.info("输出文件夹 %s；公示名单草稿 %s 起公示，至 %s", folder, summary["publicity"]["publication_date"],
             summary["publicity"]["last_day"])
    return publish_artifacts(
        artifact_key("evaluation", year), summary_markdown(summary, saved, folder, grades),
        tables={"grades-by-county": grades_by_county(results, grades, rules.bureau.counties)},
        description=f"{year}年度信用评价（基准日 {as_of.isoformat()}）",
    )


# Writes the output files (into the staging folder of tasks/outputs.py): a file system that failed may heal.
render_task = io_task("render outputs", timeout_seconds=15 * MINUTE)(render_outputs)
