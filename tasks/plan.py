"""The 第二十二条 inspection plan of year Y from the determined results of cycle Y−1, and the inspector roster.

R-19: the sample per grade and the 双随机 inspector draw are credit/sampling.py's (pure, reproducible from
the seed); here they are fed from the store and the cycle's own snapshot, and the plan is written as
plan.csv, plan_inspectors.csv, plan.html and plan.xlsx. The same seed gives the same bytes: nothing here
reads the clock. Use cases over a unit of work (`make_plan`, `import_roster`); the plan's task opens a
read-only one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from credit.detectors import Period
from credit.frames import day, days, equals
from credit.lifecycle import DETERMINED, PUBLISHED, SHARED, STATE_NAMES
from credit.rules import Rules
from credit.sampling import ROSTER_COLUMNS, draw_inspectors, plan
from credit.scoring import verified_by_as_of
from reports.plan import (
    county_plan_context,
    plan_context,
    render_plan_csv,
    render_plan_html,
    render_plan_inspectors_csv,
    render_plan_xlsx,
)
from reports.safe import path_inside
from store.lifecycle import Actor
from store.models import Inspector
from store.uow import Store
from tasks.county import checked_county, county_file
from tasks.outputs import replace_folder
from tasks.reporting import artifact_key, markdown_table, publish_artifacts, run_logger
from tasks.rescore import corrected_tables
from tasks.retries import MINUTE, io_task
from tasks.text_csv import read_text_csv

RESTS_ON = (DETERMINED, PUBLISHED, SHARED)  # 第二十条: results the plan may rest on
PLAN_FILES = ("plan.csv", "plan_inspectors.csv", "plan.html", "plan.xlsx")
ID_LENGTH = 32  # inspectors.inspector_id and inspectors.county are String(32)
TRUE_WORDS = {"", "true", "1", "yes", "y", "是"}
FALSE_WORDS = {"false", "0", "no", "n", "否"}


class CycleNotDeterminedError(LookupError):
    """The previous cycle's results are not determined yet: there is nothing to plan from (第二十条)."""


class RosterError(ValueError):
    """A roster file that cannot be imported; the message names the file, row and column."""


@dataclass(frozen=True)
class Source:
    """What the plan rests on: the determined results of cycle Y−1 and its verified complaints."""

    year: int
    stage: str
    snapshot: str
    results: pd.DataFrame  # institution_id, name, county, status, grade (current versions)
    complaints: pd.DataFrame  # institution_id, county, event_id (verified JY-02 events of the period)
    names: dict[str, str]  # institution_id → name, for the internal HTML/XLSX only


@dataclass(frozen=True)
class RosterImport:
    """A roster CSV: inspector_id, name, unit[, county][, active]."""

    file: Path


@dataclass(frozen=True)
class RosterReport:
    file: str
    inspectors: int
    new: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class PlanInput:
    """The plan of year `year` (from the results of cycle year − 1), its seed and its folder."""

    year: int
    seed: str
    out: Path
    county: str | None = None  # write only this county's extract (default: every configured county)


@dataclass(frozen=True)
class PlanReport:
    year: int
    source_year: int
    seed: str
    rules_version: str
    snapshot: str
    institutions: int
    inspections: int
    selected: dict[str, int]  # grade → institutions drawn
    complaints: int
    inspectors: int
    teams: int
    warning: str | None
    written: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------- roster

def read_roster(csv_path: Path) -> pd.DataFrame:
    """The roster CSV (inspector_id, name, unit[, county][, active]) checked row by row."""
    path = Path(csv_path)
    frame = read_text_csv(path, ("inspector_id", "name", "unit"), RosterError, missing_label="--file ")
    frame = frame.assign(**{c: "" for c in ("county", "active") if c not in frame.columns})
    frame = frame[[*ROSTER_COLUMNS, "active"]].apply(lambda column: column.str.strip())
    seen: set[str] = set()
    for row, record in zip(range(2, len(frame) + 2), frame.to_dict("records"), strict=True):
        where = f"{path.name} 第{row}行"
        for column in ("inspector_id", "name", "unit"):
            if not record[column]:
                raise RosterError(f"{where}，{column}：为空")
        for column in ("inspector_id", "county"):
            if len(record[column]) > ID_LENGTH:
                raise RosterError(f"{where}，{column}：超过 {ID_LENGTH} 个字符")
        if record["inspector_id"] in seen:
            raise RosterError(f"{where}，inspector_id：{record['inspector_id']} 在名录中重复出现")
        seen.add(record["inspector_id"])
        if record["active"].lower() not in TRUE_WORDS | FALSE_WORDS:
            raise RosterError(f"{where}，active：{record['active']!r} 应为 true 或 false（也可写 是、否，空为 true）")
    frame["active"] = frame["active"].str.lower().isin(TRUE_WORDS)
    return frame.reset_index(drop=True)


def import_roster(uow, given: RosterImport, actor: Actor) -> RosterReport:
    """Upsert the inspectors of a roster CSV by inspector_id; one audit row per new or changed one (R-21)."""
    roster = read_roster(given.file)
    store = uow.supervision
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for record in roster.to_dict("records"):
        values = {"name": record["name"], "unit": record["unit"], "county": record["county"] or None,
                  "active": bool(record["active"])}
        stored = store.inspector(record["inspector_id"])
        if stored is None:
            store.add(Inspector(inspector_id=record["inspector_id"], **values))
            store.audit("inspector", record["inspector_id"], "created", actor.why, actor.by, actor.at, None, values)
            counts["new"] += 1
            continue
        before = {k: getattr(stored, k) for k in values}
        if before == values:
            counts["unchanged"] += 1
            continue
        changed = [k for k in values if before[k] != values[k]]
        for key in changed:
            setattr(stored, key, values[key])
        store.audit("inspector", record["inspector_id"], "changed", actor.why, actor.by, actor.at,
                    {k: before[k] for k in changed}, {k: values[k] for k in changed})
        counts["changed"] += 1
    return RosterReport(file=str(given.file), inspectors=len(roster), **counts)


def active_roster(uow) -> pd.DataFrame:
    """The active inspectors, by inspector_id, as credit.sampling reads a roster."""
    rows = [{"inspector_id": i.inspector_id, "name": i.name, "unit": i.unit, "county": i.county or ""}
            for i in uow.supervision.active_inspectors()]
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS, dtype="string")


# --------------------------------------------------------------------------------------------- plan

def load_source(uow, rules: Rules, year: int) -> Source:
    """The determined results of cycle `year` and its verified complaints (第二十条, 第二十二条).

    A result counts when its current version is determined, published or shared; a grade revoked under
    第十七条 counts by its current (D) version whatever its state. Anything else is refused.
    """
    evaluations = uow.evaluations
    cycle = evaluations.saved_cycle(year)
    current = evaluations.current_results(year)
    revoked = evaluations.revoked_institutions(cycle.id)
    waiting = current[~current["state"].isin(RESTS_ON) & ~current["institution_id"].isin(revoked)]
    if current.empty or len(waiting):
        example = (f"，如 {waiting['institution_id'].iloc[0]} 为“{_state(waiting['state'].iloc[0])}”"
                   if len(waiting) else "")
        raise CycleNotDeterminedError(
            f"{year}年度评价周期处于“{_state(cycle.stage)}”阶段（{cycle.stage!r}）：{len(current)} 个结果中有 "
            f"{len(waiting)} 个尚未确定{example}。{year + 1}年度抽查计划（第二十二条）依据 {year} 年度已确定的"
            "评价结果：请先公示并推进该周期（`credit publicize`、`credit advance`）")
    events, registry = _cycle_events(uow, rules, cycle)
    complaints = verified_complaints(events, rules.sampling.complaint_indicator,
                                     Period.for_year(cycle.year, cycle.as_of))
    county = dict(zip(registry["institution_id"], registry["county"].fillna(""), strict=True))
    complaints = complaints.assign(county=[county.get(i, "") for i in complaints["institution_id"]])
    names = dict(zip(registry["institution_id"], registry["name"].fillna(""), strict=True))
    names |= dict(zip(current["institution_id"], current["name"], strict=True))
    results = current[["institution_id", "name", "county", "status", "grade"]].reset_index(drop=True)
    return Source(year=year, stage=cycle.stage, snapshot=cycle.snapshot, results=results, complaints=complaints,
                  names={k: str(v) for k, v in names.items()})


def _state(code: str) -> str:
    return STATE_NAMES.get(code, code)


def _cycle_events(uow, rules: Rules, cycle) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cycle's credit events (objection withdrawals applied) and registry, as scoring reads them."""
    tables = corrected_tables(uow, rules.with_index(cycle.index_version), cycle)
    registry = tables["institutions"].drop_duplicates("institution_id")
    return tables["credit_events"], registry[["institution_id", "name", "county"]]


def verified_complaints(events: pd.DataFrame, indicator: str, period: Period) -> pd.DataFrame:
    """Verified complaint events (第十三条): verified, verified on or before as_of, decided in the period."""
    decided = days(events["decided_on"])
    keep = equals(events["indicator"], indicator) & verified_by_as_of(events, period)
    keep &= (decided >= day(period.start)) & (decided <= day(period.end))
    chosen = events[keep]
    return pd.DataFrame({"institution_id": chosen["institution_id"].astype("string").to_numpy(),
                         "event_id": chosen["event_id"].astype("string").to_numpy()})


def make_plan(uow, rules: Rules, given: PlanInput) -> PlanReport:
    """Write the year's inspection plan (第二十二条; R-19) to `out`; the same seed gives the same bytes.

    `rules` are those of the plan year (its sampling rules); the source cycle is read with its own index.
    """
    sampling = rules.sampling
    counties = extract_counties(rules, given.county)  # a wrong --county is refused before anything is read
    source = load_source(uow, rules, given.year - 1)
    roster = active_roster(uow)
    drawn = plan(source.results, source.complaints, sampling, given.seed)
    teams = None
    if len(roster):
        teams = draw_inspectors(drawn.rows, roster, given.seed, team_size=sampling.inspectors_per_inspection)
    ctx = plan_context(drawn.rows, drawn.counts, teams, year=given.year, source_year=source.year, seed=given.seed,
                       rules=sampling, names=source.names, bureau=rules.bureau.settings, snapshot=source.snapshot)
    files = {
        "plan.csv": render_plan_csv(drawn.rows),
        "plan_inspectors.csv": render_plan_inspectors_csv(teams, team_size=sampling.inspectors_per_inspection),
        "plan.html": render_plan_html(ctx).encode("utf-8"),
        "plan.xlsx": render_plan_xlsx(ctx),
    }
    for county in counties:  # each branch its own list to print
        files[county_file("plan", county)] = render_plan_xlsx(county_plan_context(ctx, county))
    written = _write_files(Path(given.out), files)
    selected = {str(r["grade"]): int(r["selected"]) for r in drawn.counts.to_dict("records")}
    return PlanReport(
        year=given.year, source_year=source.year, seed=given.seed, rules_version=sampling.version,
        snapshot=source.snapshot, institutions=len(drawn.rows), inspections=int(drawn.rows["inspections"].sum()),
        selected=selected, complaints=int(source.complaints["institution_id"].nunique()),
        inspectors=len(roster), teams=0 if teams is None else len(teams),
        warning=None if teams is not None else "执法检查人员名录为空，计划未分配检查人员；"
                                               "请用 `credit inspectors import --file CSV` 导入名录",
        written=written,
    )


def extract_counties(rules: Rules, county: str | None) -> list[str]:
    """The counties whose plan extract is written: the one asked for (checked, exit 2 otherwise), else all."""
    chosen = checked_county(county, rules.bureau.counties)
    return [chosen] if chosen else list(rules.bureau.counties)


def _write_files(out: Path, files: dict[str, bytes]) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = path_inside(out, name)
        path.write_bytes(data)
        written.append(str(path))
    return written


def plan_step(store: Store, rules: Rules, given: PlanInput) -> PlanReport:
    """The plan from a read-only unit of work of `store`, written beside `given.out` and swapped into place."""
    target = Path(given.out)
    owned = (*PLAN_FILES, *(county_file("plan", c) for c in rules.bureau.counties))
    with store.unit_of_work(write=False) as uow, replace_folder(target, owned=owned) as staging:
        staged = make_plan(uow, rules, replace(given, out=staging))
    return replace(staged, written=[str(path_inside(target, Path(p).name)) for p in staged.written])


def plan_markdown(report: PlanReport, out: Path) -> str:
    """The plan in Chinese for the Prefect UI: what it rests on, what was drawn, where the files are."""
    selected = [{"等级": grade or "无结果", "抽取机构": n} for grade, n in report.selected.items()]
    inspectors = (f"检查人员名录 {report.inspectors} 人，组成 {report.teams} 个检查组" if report.warning is None
                  else f"注意：{report.warning}")
    files = [{"文件": f"`{Path(p).name}`"} for p in report.written]
    return "\n\n".join([
        f"# {report.year}年度双随机抽查计划（第二十二条）",
        f"依据 {report.source_year} 年度已确定的评价结果（快照 `{report.snapshot}`）；抽样规则 {report.rules_version}；"
        f"随机种子 `{report.seed}`（同一种子得到同一计划）",
        f"抽取机构 {report.institutions} 家、检查 {report.inspections} 次，其中有已核实投诉举报的机构 "
        f"{report.complaints} 家。\n\n" + markdown_table(selected),
        inspectors,
        f"## 输出\n\n输出文件夹 `{out}`\n\n" + markdown_table(files),
    ]) + "\n"


def report_plan(report: PlanReport) -> list[str]:
    """The plan run's own lines and its artifact `plan-<year>`."""
    log = run_logger(__name__)
    out = Path(report.written[0]).parent if report.written else Path()
    log.info("%s年度抽查计划：依据 %s 年度结果，抽取 %s 家、检查 %s 次（%s）；投诉举报 %s 家", report.year,
             report.source_year, report.institutions, report.inspections, report.selected, report.complaints)
    if report.warning:
        log.warning(report.warning)
    log.info("输出文件夹 %s", out)
    return publish_artifacts(artifact_key("plan", report.year), plan_markdown(report, out),
                             description=f"{report.year}年度双随机抽查计划")


# Reads the store and writes the files: retried when either failed for a moment (tasks/retries.py).
make_plan_task = io_task("make_plan", timeout_seconds=10 * MINUTE)(plan_step)
