"""The steps after scoring (第十八—二十条): publicity, then the daily advance, as use cases over one unit of work.

Each use case is `(uow, rules, inputs) -> report` and reads the state it moves inside the writing unit of
work it is given (which holds the store's writer lock), so a run killed half-way and run again, or two runs
at once, end where one uninterrupted run ends. The rules of each move are credit/lifecycle.py's; dates are
inputs, nothing reads the clock. The @task wrappers at the end run them in the unit of work the flow opened.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.lifecycle import (
    DETERMINED,
    GIVEN,
    IN_PUBLICITY,
    PUBLISHED,
    REVOKED,
    SCORED,
    SHARED,
    ListDates,
    ObjectionView,
    ResultDates,
    Window,
    final_list_dates,
    next_state,
    package_dates,
    publicity_window,
)
from credit.rules import Rules
from reports.lifecycle import (
    final_results_context,
    render_a_list_csv,
    render_a_list_html,
    render_final_results_csv,
    render_final_results_html,
    render_final_results_xlsx,
    share_package,
)
from reports.render import (
    publicity_context,
    render_publicity_csv,
    render_publicity_html,
    render_publicity_xlsx,
)
from reports.safe import path_inside
from store.lifecycle import Actor
from tasks.outputs import kill_point, replace_folder, sha256_file, sha256_hex, write_file_atomically
from tasks.status import CycleStatus, StatusInput, cycle_status
from tasks.verify import TamperedOutputError

PUBLIC_STATES = (*GIVEN, REVOKED)  # what the public may see of a cycle (第二十条, 第十七条)
DIGEST_COLUMNS = ["institution_id", "name", "county", "status", "score", "grade", "clause", "state"]
FINAL_LIST_FILES = ("final_results.html", "final_results.csv", "final_results.xlsx", "a_list.html", "a_list.csv")


# ---- publicity (第十八条) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicizeInput:
    """Start the publicity of `year`'s scored results on `on`; the notice goes to `out`."""

    year: int
    on: date
    out: Path
    actor: Actor


@dataclass(frozen=True)
class PublicizeReport:
    """The window opened, how many results entered it, and the notice files written."""

    year: int
    window: Window
    moved: int
    written: list[str]


def publicize(uow, rules: Rules, given: PublicizeInput) -> PublicizeReport:
    """第十八条: the year's scored results enter their publicity from `on`; the notice is written (R-15)."""
    lifecycle = uow.lifecycle
    cycle = lifecycle.cycle(given.year)
    rules = rules.with_index(cycle.index_version)
    window = publicity_window(rules.calendar, given.on, rules.procedure)
    scored = lifecycle.current(cycle, SCORED)
    for result in scored:
        lifecycle.move(result, given.actor, state=IN_PUBLICITY, publicity_on=given.on,
                       publicity_last_day=window.last_day)
    lifecycle.set_stage(cycle, given.actor)
    written = _write_publicity(given.out, lifecycle.results_frame(cycle), cycle, window, rules)
    return PublicizeReport(given.year, window, len(scored), written)


def _write_publicity(out: Path, results: pd.DataFrame, cycle, window: Window, rules: Rules) -> list[str]:
    ctx = publicity_context(
        results, year=cycle.year, publication_date=window.first_day, first_day=window.first_day,
        last_day=window.last_day, bureau=rules.bureau.settings, draft=False,
        generated_at=window.first_day.isoformat(), snapshot=cycle.snapshot, index_version=cycle.index_version,
        grade_bands=rules.index.grades, publicity_working_days=rules.procedure.publicity,
        review_working_days=rules.procedure.review,
    )
    files = {
        "publicity.html": render_publicity_html(ctx).encode("utf-8"),
        "publicity.csv": render_publicity_csv(ctx),
        "publicity.xlsx": render_publicity_xlsx(ctx),
    }
    return _write_files(out, files)


# ---- the daily advance (第十九、二十条) ------------------------------------------------------------------


@dataclass(frozen=True)
class AdvanceInput:
    """One cycle's advance on `as_of`: final lists go to `published/<year>`, packages to `outbox`, the rows
    each package carried to `kept` (so that the next package can say what changed)."""

    year: int
    as_of: date
    actor: Actor
    published: Path
    outbox: Path
    kept: Path


@dataclass
class StepReport:
    """What one step of the advance moved (count by new state) and wrote."""

    step: str
    year: int
    moved: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)

    def count(self, state: str) -> None:
        self.moved[state] = self.moved.get(state, 0) + 1


@dataclass
class AdvanceReport:
    """What one `advance` run moved, wrote and found due or overdue, over every open cycle."""

    as_of: date
    moved: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    due: list[dict] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)

    def add(self, step: StepReport) -> None:
        for state, n in step.moved.items():
            self.moved[state] = self.moved.get(state, 0) + n
        self.written += step.written

    def add_status(self, status: CycleStatus) -> None:
        """Objection reviews and publication near or past their limits (cycle status)."""
        self.due += [{"year": status.year, **item} for item in status.deadlines]
        self.overdue += [{"year": status.year, **item} for item in status.overdue]


def open_years(uow) -> list[int]:
    """The years of the cycles whose results are not all shared yet."""
    return [cycle.year for cycle in uow.lifecycle.open_cycles()]


def close_windows(uow, rules: Rules, given: AdvanceInput) -> StepReport:
    """第十九条: a result in publicity goes under review while an objection to it is open, and back after."""
    return _transitions(uow, rules, given, "close windows", lambda state: state != DETERMINED)


def determine(uow, rules: Rules, given: AdvanceInput) -> StepReport:
    """第二十条: a result is determined once its window closed and no objection to it is open."""
    return _transitions(uow, rules, given, "determine", lambda state: state == DETERMINED)


def _transitions(uow, rules: Rules, given: AdvanceInput, step: str, wanted: Callable[[str], bool]) -> StepReport:
    lifecycle = uow.lifecycle
    cycle = lifecycle.cycle(given.year)
    objections = [_objection_view(o) for o in lifecycle.objections(cycle)]
    report = StepReport(step, given.year)
    for result in lifecycle.current(cycle):
        changes = next_state(ResultDates.of(result), objections, given.as_of, rules.calendar, rules.procedure)
        if changes is not None and wanted(str(changes["state"])):
            lifecycle.move(result, given.actor, **changes)
            report.count(str(changes["state"]))
    return report


def publish(uow, rules: Rules, given: AdvanceInput) -> StepReport:
    """第二十条: publish every determined result on the run date; write the final lists when they changed."""
    lifecycle = uow.lifecycle
    cycle = lifecycle.cycle(given.year)
    rules = rules.with_index(cycle.index_version)
    report = StepReport("publish", given.year)
    for result in lifecycle.current(cycle, DETERMINED):
        lifecycle.move(result, given.actor, state=PUBLISHED, published_on=given.as_of)
        report.count(PUBLISHED)
    uow.flush()
    results, revoked = _public_results(lifecycle, cycle)
    if len(results) and _content_digest(results) != _last_digest(lifecycle, cycle):
        dates = final_list_dates([ResultDates.of(r) for r in lifecycle.current(cycle)],
                                 [r.revoked_on for r in lifecycle.revoked(cycle)])
        report.written += _write_final_lists(uow, cycle, results, revoked, dates,
                                             given.published / str(cycle.year), rules, given.actor)
    return report


def share(uow, rules: Rules, given: AdvanceInput) -> StepReport:
    """第二十条: share what was published with the market regulation department; the same content once.

    The package's digest is taken once its results are marked shared, so that the next run, finding
    them shared, sees the same content and sends nothing.
    """
    lifecycle = uow.lifecycle
    cycle = lifecycle.cycle(given.year)
    rules = rules.with_index(cycle.index_version)
    report = StepReport("share", given.year)
    for result in lifecycle.current(cycle, PUBLISHED):
        lifecycle.move(result, given.actor, state=SHARED, shared_on=given.as_of)
        report.count(SHARED)
    uow.flush()
    results, revoked = _public_results(lifecycle, cycle)
    digest = _content_digest(results) if len(results) else None
    if digest is not None and digest != _last_digest(lifecycle, cycle):
        report.written += _write_package(uow, rules, given, cycle, results, revoked, digest)
    return report


def settle_stage(uow, rules: Rules, given: AdvanceInput) -> StepReport:
    """The cycle's stage follows its least advanced current result."""
    lifecycle = uow.lifecycle
    lifecycle.set_stage(lifecycle.cycle(given.year), given.actor)
    return StepReport("stage", given.year)


ADVANCE_STEPS = (close_windows, determine, publish, share, settle_stage)  # in the order of 第十九、二十条


# ---- what the steps share ----------------------------------------------------------------------------------


def _objection_view(objection) -> ObjectionView:
    return ObjectionView(institution_id=objection.institution_id, result_version=objection.result_version,
                         admissible=objection.admissible, decision=objection.decision,
                         decided_on=objection.decided_on)


def _last_digest(lifecycle, cycle) -> str | None:
    shares = lifecycle.shares(cycle)
    return shares[-1].digest if shares else None


def _public_results(lifecycle, cycle) -> tuple[pd.DataFrame, dict[str, str]]:
    """What the public may see of a cycle: published results, and 第十七条 changes with the grade revoked.

    A revoked grade is public at once (第十七条: 已获评的信用风险等级直接撤销): the institution's current
    result (D, with its clause) is shown beside the grade it replaces, even while the change is publicised.
    """
    frame = lifecycle.results_frame(cycle)
    revoked_versions = lifecycle.revoked(cycle)
    revoked = {r.institution_id: r.grade for r in revoked_versions}
    public = frame["state"].isin(PUBLIC_STATES) | frame["institution_id"].isin(revoked)
    frame = frame[public].reset_index(drop=True)
    days = _row_dates(lifecycle.current(cycle), {r.institution_id: r.revoked_on for r in revoked_versions})
    for column, at in (("determined_on", 0), ("published_on", 1)):
        frame[column] = [_iso(days.get(i, (None, None))[at]) for i in frame["institution_id"]]
    return frame, revoked


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def _row_dates(current, revoked_on: dict) -> dict[str, tuple]:
    """第二十条: each public result's own determination and publication dates; a result changed by 第十七条
    and not yet published again is dated by the revocation (its direct grade holds from that day)."""
    days = {}
    for r in current:
        if r.published_on is None and revoked_on.get(r.institution_id) is not None:
            days[r.institution_id] = (revoked_on[r.institution_id], revoked_on[r.institution_id])
        else:
            days[r.institution_id] = (r.determined_on, r.published_on)
    return days


def _content_digest(results: pd.DataFrame) -> str:
    rows = results[DIGEST_COLUMNS].astype(str).sort_values("institution_id").to_dict("records")
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def published_list_context(lifecycle, cycle, rules: Rules):
    """The final list's context as `publish` writes it from what is public now; None before anything is.

    For the county extracts of `credit cycle lists` (R-01), so that they say what the city's list says.
    """
    results, revoked = _public_results(lifecycle, cycle)
    if not len(results):
        return None
    dates = final_list_dates([ResultDates.of(r) for r in lifecycle.current(cycle)],
                             [r.revoked_on for r in lifecycle.revoked(cycle)])
    return _final_context(cycle, results, revoked, dates, rules.with_index(cycle.index_version))


def _final_context(cycle, results: pd.DataFrame, revoked: dict[str, str], dates: ListDates, rules: Rules):
    return final_results_context(
        results, year=cycle.year, determined_on=dates.determined_on, published_on=dates.published_on,
        bureau=rules.bureau.settings, snapshot=cycle.snapshot, index_version=cycle.index_version,
        generated_at=dates.published_on.isoformat(), grade_bands=rules.index.grades, revoked=revoked,
        publication_working_days=rules.procedure.publication,
    )


def _write_final_lists(uow, cycle, results: pd.DataFrame, revoked: dict[str, str], dates: ListDates,
                       folder: Path, rules: Rules, actor: Actor) -> list[str]:
    ctx = _final_context(cycle, results, revoked, dates, rules)
    files = {
        "final_results.html": render_final_results_html(ctx).encode("utf-8"),
        "final_results.csv": render_final_results_csv(ctx),
        "final_results.xlsx": render_final_results_xlsx(ctx),
        "a_list.html": render_a_list_html(ctx).encode("utf-8"),
        "a_list.csv": render_a_list_csv(ctx),
    }
    return _write_recorded(uow, "list", folder, files, cycle.year, actor, owned=FINAL_LIST_FILES)


def _write_package(uow, rules: Rules, given: AdvanceInput, cycle, results: pd.DataFrame, revoked: dict[str, str],
                   digest: str) -> list[str]:
    shares = uow.lifecycle.shares(cycle)
    sequence = len(shares) + 1
    previous, previous_revoked = (_package_rows(uow, given.kept, cycle.year, shares[-1].sequence) if shares
                                  else (None, None))
    dates = package_dates([ResultDates.of(r) for r in uow.lifecycle.current(cycle)], given.as_of)
    files = share_package(
        results, year=cycle.year, sequence=sequence, previous=previous, bureau=rules.bureau.settings,
        generated_at=given.as_of.isoformat(), determined_on=dates.determined_on, published_on=dates.published_on,
        shared_on=given.as_of, snapshot=cycle.snapshot, index_version=cycle.index_version, revoked=revoked,
        previous_revoked=previous_revoked, grade_bands=rules.index.grades,
    )
    folder = given.outbox / f"{cycle.year}-{sequence:03d}"
    written = _write_recorded(uow, "package", folder, files, cycle.year, given.actor)
    kept = {"rows": json.loads(results.to_json(orient="records", force_ascii=False)), "revoked": revoked}
    data = json.dumps(kept, ensure_ascii=False).encode("utf-8")
    path = _kept_path(given.kept, cycle.year, sequence)
    write_file_atomically(path, data)
    uow.digests.record("kept", path.parent, {path.name: sha256_hex(data)}, given.actor.at, year=cycle.year,
                       whole=False)
    uow.lifecycle.record_share(cycle, sequence, given.as_of, str(folder), digest, given.actor)
    return written


def _kept_path(kept: Path, year: int, sequence: int) -> Path:
    """The rows a package carried, kept in var/shares so the next package can say what changed."""
    kept.mkdir(parents=True, exist_ok=True)
    return kept / f"{year}-{sequence:03d}.json"


def _package_rows(uow, kept: Path, year: int, sequence: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows package `sequence` carried, refused when the kept file is not the one written (issue 11 item 7):
    "what changed" is never computed from edited rows."""
    path = _kept_path(kept, year, sequence)
    recorded = [e.sha256 for e in uow.digests.entries(kind="kept", folder=path.parent) if e.name == path.name]
    found = sha256_file(path) if path.is_file() else None
    if recorded and found != recorded[0]:
        raise TamperedOutputError(
            f"共享数据包 {year}-{sequence:03d} 的留存行文件 {path} " + ("缺失" if found is None else "被修改")
            + f"（记录的 SHA-256 {recorded[0]}，实际 {found or '无'}）：不据此计算变化情况，未生成新的共享数据包；"
            "请从备份恢复该文件后再运行")
    stored = json.loads(path.read_text(encoding="utf-8"))
    return pd.DataFrame(stored["rows"]).astype(object).fillna(""), stored["revoked"]


def _write_recorded(uow, kind: str, folder: Path, files: dict[str, bytes], year: int, actor: Actor,
                    owned: tuple[str, ...] = ()) -> list[str]:
    """Write `files` beside `folder` and swap them in (issue 11 item 9), then record their digests (item 7).

    `owned`: the folder also holds other files (the publicity notice beside the final lists); only these
    entries are swapped and recorded. Without it the folder is the package's alone.
    """
    with replace_folder(folder, owned=owned) as staging:
        _write_files(staging, files, kind)
    kill_point(None, kind)  # tests only: swapped in, its digests and the cycle's moves not committed
    uow.digests.record(kind, folder, {name: sha256_hex(data) for name, data in files.items()}, actor.at, year=year,
                       whole=not owned)
    return [str(path_inside(folder.resolve(), name)) for name in files]


def _write_files(folder: Path, files: dict[str, bytes], kind: str | None = None) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = path_inside(folder, name)
        path.write_bytes(data)
        written.append(str(path))
        kill_point(len(written), kind)  # tests only (CREDIT_TEST_KILL_AFTER_FILES)
    return written


# ---- the Prefect tasks -------------------------------------------------------------------------------------
# A step's task runs in the writing unit of work the flow holds for the cycle: no other command (an objection
# decided, a re-scoring) can land between determine and publish, so the end state is always that of the
# commands run one after the other.


@task(name="open cycles", cache_policy=NO_CACHE)
def open_years_task(store) -> list[int]:
    """The years the advance looks at (read only: each cycle's steps re-read it under the writer lock)."""
    with store.unit_of_work(write=False) as uow:
        return open_years(uow)


@task(name="cycle status", cache_policy=NO_CACHE)
def cycle_status_task(store, rules: Rules, given: StatusInput) -> CycleStatus:
    """The deadlines due and overdue after the advance (read only)."""
    with store.unit_of_work(write=False) as uow:
        return cycle_status(uow, rules, given)


publicize_task = task(name="publicize", cache_policy=NO_CACHE)(publicize)
close_windows_task = task(name="close windows", cache_policy=NO_CACHE)(close_windows)
determine_task = task(name="determine", cache_policy=NO_CACHE)(determine)
publish_task = task(name="publish", cache_policy=NO_CACHE)(publish)
share_task = task(name="share", cache_policy=NO_CACHE)(share)
settle_stage_task = task(name="set stage", cache_policy=NO_CACHE)(settle_stage)
ADVANCE_TASKS = (close_windows_task, determine_task, publish_task, share_task, settle_stage_task)
