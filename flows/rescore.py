"""Ad-hoc re-scoring of a cycle or one institution from its snapshot (第十五条), as a deployable flow.

The steps, each a task run, in one writing unit of work: take in the recorded events (with
`recorded_events`) → score from the snapshot → apply the changes and publicise them again → set the stage.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from prefect import flow

from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import open_store
from tasks.reporting import artifact_key, log_errors_once, markdown_table, publish_artifacts, run_logger
from tasks.rescore import (
    ApplyInput,
    CycleScore,
    RescoreReport,
    ScoreInput,
    StageInput,
    TakeInInput,
    apply_rescore,
    score_from_snapshot,
    set_stage,
    take_in_recorded_events,
)
from tasks.retries import MINUTE, io_task

# The steps run in one writing unit of work that the flow holds: no other command (an advance, a decision)
# lands between taking in the events, the score and its application (tests/integration/test_writer_lock.py).
# Each retries on errors that heal (a file system that failed a moment, a dropped connection) and has a timeout.
take_in_task = io_task("take in recorded events", timeout_seconds=15 * MINUTE)(take_in_recorded_events)
score_task = io_task("score from the snapshot", timeout_seconds=15 * MINUTE)(score_from_snapshot)
apply_task = io_task("apply and publicise again", timeout_seconds=10 * MINUTE)(apply_rescore)
stage_task = io_task("set the stage", timeout_seconds=5 * MINUTE)(set_stage)
CHANGED_COLUMNS = {"institution_id": "机构编码", "name": "机构名称", "county": "县（市、区）", "status": "评定情况",
                   "score": "得分", "grade": "等级", "clause": "依据条款"}
STATUS_NAMES = {"rated": "予以评定", "not_rated": "不予评定"}


@flow(name="rescore", log_prints=False, validate_parameters=True, timeout_seconds=60 * MINUTE)
def rescore_flow(year: int, institution: str | None = None, index_version: str | None = None,
                 on: date | None = None, db_url: str | None = None, by: str | None = None,
                 recorded_events: bool = False) -> dict:
    """Re-score from the cycle's snapshot (with `recorded_events`, plus the events the store records now);
    changed results get a new version, publicised again if publicity began."""
    log_errors_once()
    log = run_logger()
    on = on or datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the edge
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), "ad-hoc re-scoring (第十五条)")
    settings = get_settings()
    store = open_store(db_url, run="rescore")
    rules = rules_for_year(year, index_version=index_version, rules_dir=settings.rules_dir)
    snapshot = None
    with store.unit_of_work() as uow:
        if recorded_events:
            snapshot = take_in_task(uow, rules, TakeInInput(year, actor, settings.var_dir)).snapshot
            log.info("%s年度：%s", year, f"纳入已记录的信用事件，新快照 {snapshot}" if snapshot
                     else "存储中没有快照未含的已记录信用事件")
        scored = score_task(uow, rules, ScoreInput(year, institution, index_version))
        changed = apply_task(uow, rules, ApplyInput(scored, on, actor)).changed
        stage_task(uow, rules, StageInput(year, actor))
    report = RescoreReport(year, scored.index_version, changed, snapshot)
    rows = changed_rows(scored, changed)
    log.info("%s年度重新评价（指标体系 %s%s）：评分 %s 个机构，变更 %s 个%s", year, scored.index_version,
             f"，机构 {institution}" if institution else "", len(scored.scored.results), len(changed),
             f"：{'、'.join(changed)}，自 {on.isoformat()} 起重新公示（已开始公示的）" if changed else "，结果不变")
    publish_artifacts(artifact_key("rescore", year), rescore_markdown(report, scored, rows, institution, on),
                      tables={"changed": rows} if rows else None,
                      description=f"{year}年度重新评价（第十五条）")
    return asdict(report)


def changed_rows(scored: CycleScore, changed: list[str]) -> list[dict]:
    """The changed institutions' new results, in Chinese column names."""
    frame = scored.scored.results
    frame = frame[frame["institution_id"].isin(changed)]
    columns = [c for c in CHANGED_COLUMNS if c in frame.columns]
    rows = frame[columns].astype(object).where(frame[columns].notna(), "").to_dict("records")
    return [{CHANGED_COLUMNS[c]: STATUS_NAMES.get(row[c], row[c]) if c == "status" else row[c] for c in columns}
            for row in rows]


def rescore_markdown(report: RescoreReport, scored: CycleScore, rows: list[dict], institution: str | None,
                     on: date) -> str:
    """The `rescore-<year>` artifact: what was scored, how many changed, which institutions, the new snapshot."""
    total = len(scored.scored.results)
    parts = [f"# {report.year}年度重新评价（第十五条）",
             f"指标体系 {report.index_version}；范围：{f'机构 {institution}' if institution else '全部机构'}。",
             markdown_table([{"评分机构数": total, "结果变更": len(report.changed),
                              "结果不变": total - len(report.changed)}]),
             f"新快照：`{report.new_snapshot}`" if report.new_snapshot else "快照：未变"]
    if rows:
        parts.append(f"## 变更的机构（新版本；已开始公示的，自 {on.isoformat()} 起重新公示）\n\n"
                     + markdown_table(rows))
    else:
        parts.append("没有评价结果变更。")
    return "\n\n".join(parts) + "\n"
