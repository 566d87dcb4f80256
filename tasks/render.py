"""Prefect task that writes an evaluation's outputs (DATA_CONTRACT.md "Outputs"; R-15, R-20).

Every file is a function of the inputs and parameters only (no clock), so a second run on the same
drop writes the same bytes.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.indexsystem import IndexSystem
from credit.lifecycle import publicity_window
from credit.rules import Bureau, Rules
from credit.scoring import Scored
from reports.render import (
    publicity_context,
    render_publicity_csv,
    render_publicity_html,
    render_publicity_xlsx,
    render_run_summary_html,
)
from tasks.drop_io import Drop
from tasks.progress import step
from tasks.validation import Validated

__all__ = ["OUTPUTS", "RECORDED_OUTPUT", "Bureau", "render_outputs", "render_task", "run_summary", "write_csv"]

OUTPUTS = {
    "results": ("results.csv", "每个参评机构的得分、等级与扣分（DATA_CONTRACT.md）"),
    "findings": ("findings.csv", "每一分的依据：指标、日期、原始分、计入分、证据"),
    "quarantine": ("quarantine.csv", "被隔离的输入行及原因"),
    "warnings": ("warnings.csv", "保留但有疑点的输入行"),
    "pending": ("pending_events.csv", "未核实或核实晚于基准日的信用事件（不计分）"),
    "publicity_html": ("publicity.html", "公示名单（草稿）"),
    "publicity_csv": ("publicity.csv", "公示名单 CSV"),
    "publicity_xlsx": ("publicity.xlsx", "公示名单 XLSX"),
    "validation": ("validation/counts.csv", "各表读取、接受、隔离行数"),
    "data_docs": ("validation/data-docs", "Great Expectations Data Docs"),
    "summary_json": ("run-summary.json", "运行摘要（JSON）"),
    "summary_html": ("run-summary.html", "运行摘要"),
}
# Written when the store had events for the year (tasks/supervision.py): the rows the evidence ids of
# their findings name, so the outputs explain every point without the store.
RECORDED_OUTPUT = ("recorded_events.csv", "并入本次评价的监督检查、投诉举报信用事件（含未核实）")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it right), CRLF line ends as RFC 4180 and the example outputs, empty = null."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n", na_rep="")


def render_outputs(
    out: Path, *, drop: Drop, validated: Validated, scored: Scored, rules: Rules, as_of: date,
) -> dict[str, Path]:
    """Write the contract's CSVs, the draft publicity list, the validation counts and the run summary."""
    index, year = rules.index, rules.period_start.year
    with step("render"):
        out.mkdir(parents=True, exist_ok=True)
        paths = {key: out / name for key, (name, _) in OUTPUTS.items()}
        snapshot = drop.snapshot
        write_csv(scored.results.assign(snapshot=snapshot), paths["results"])
        write_csv(scored.findings, paths["findings"])
        write_csv(validated.quarantine, paths["quarantine"])
        write_csv(validated.warnings, paths["warnings"])
        write_csv(scored.pending, paths["pending"])
        write_csv(validated.counts, paths["validation"])
        _write_recorded(drop, out, paths)
        publicity = _write_publicity(paths, scored, rules, as_of, snapshot)
        summary = run_summary(drop, validated, scored, index, year, as_of, publicity, paths, out)
        paths["summary_json"].write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths["summary_html"].write_text(render_run_summary_html(summary, grade_bands=index.grades), encoding="utf-8")
        return paths


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
                publicity: dict, paths: dict[str, Path], out: Path) -> dict:
    """What the run read, kept, scored and wrote: deterministic, so it can be compared run to run."""
    results = scored.results
    rated = results[results["status"] == "rated"]
    return {
        "drop": drop.origin,
        "snapshot": drop.snapshot,
        "year": year,
        "as_of": as_of.isoformat(),
        "index_version": index.version,
        "generated_at": as_of.isoformat(),
        "counts": validated.counts.astype(object).to_dict("records"),
        "grades": {str(g): int(n) for g, n in rated["grade"].value_counts().sort_index().items()},
        "statuses": {str(s): int(n) for s, n in results["status"].value_counts().sort_index().items()},
        "warnings": len(validated.warnings),
        "findings": len(scored.findings),
        "pending_events": len(scored.pending),
        "publicity": publicity,
        "outputs": [
            {"name": key, "path": str(paths[key].relative_to(out)),
             "description": OUTPUTS[key][1] if key in OUTPUTS else RECORDED_OUTPUT[1]}
            for key in paths
        ],
    }


render_task = task(name="render outputs", cache_policy=NO_CACHE)(render_outputs)
