"""The steps after scoring (第十八—二十条): publicity, determination, publication, sharing.

Plain functions over a database URL, each step in its own transaction, so a run killed half-way and
run again ends where an uninterrupted run ends. Dates are parameters; nothing reads the clock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from credit.calendar import WorkCalendar
from credit.lifecycle import Procedure, Window, determination_date, publicity_window, publish_by
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
from store.engine import migrated_engine, transaction
from store.lifecycle import Actor, Lifecycle
from store.models import Cycle, Result
from store.repository import Repository
from store.settings import get_settings
from tasks.render import Bureau
from tasks.status import cycle_status

PUBLIC_STATES = ("published", "shared", "revoked")


@dataclass
class AdvanceReport:
    """What one `advance` run moved, wrote and found due or overdue."""

    as_of: date
    moved: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    due: list[dict] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)

    def count(self, state: str) -> None:
        self.moved[state] = self.moved.get(state, 0) + 1


def procedure(bureau: Bureau) -> Procedure:
    return Procedure.from_rules(bureau.procedure)


def publicize(db_url: str | None, year: int, on: date, out: Path, actor: Actor) -> Window:
    """第十八条: start the publicity of the year's scored results on `on`; write the notice (R-15)."""
    bureau, calendar = Bureau.load(), WorkCalendar.load()
    window = publicity_window(calendar, on, procedure(bureau))
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        lifecycle = Lifecycle(session)
        cycle = lifecycle.cycle(year)
        for result in lifecycle.current(cycle, "scored"):
            lifecycle.move(result, actor, state="in_publicity", publicity_on=on, publicity_last_day=window.last_day)
        lifecycle.set_stage(cycle, actor)
        results = Repository(session).current_results(year)
        snapshot, version = cycle.snapshot, cycle.index_version
    engine.dispose()
    _write_publicity(out, results, year, window, bureau, snapshot, version)
    return window


def _write_publicity(out, results, year, window, bureau, snapshot, index_version) -> None:
    ctx = publicity_context(
        results, year=year, publication_date=window.first_day, first_day=window.first_day,
        last_day=window.last_day, bureau=bureau.settings, draft=False, generated_at=window.first_day.isoformat(),
        snapshot=snapshot, index_version=index_version,
        publicity_working_days=int(bureau.procedure["publicity_working_days"]),
        review_working_days=int(bureau.procedure["objection_review_working_days"]),
    )
    out.mkdir(parents=True, exist_ok=True)
    path_inside(out, "publicity.html").write_text(render_publicity_html(ctx), encoding="utf-8")
    path_inside(out, "publicity.csv").write_bytes(render_publicity_csv(ctx))
    path_inside(out, "publicity.xlsx").write_bytes(render_publicity_xlsx(ctx))


def advance(db_url: str | None, as_of: date, publish_dir: Path, outbox: Path, actor: Actor,
            site: Path | None = None) -> AdvanceReport:
    """The daily step: close windows and determine, publish, share; rebuild the site when something was published."""
    report = AdvanceReport(as_of)
    engine = migrated_engine(db_url)
    bureau, calendar = Bureau.load(), WorkCalendar.load()
    with transaction(engine) as session:
        years = [c.year for c in Lifecycle(session).open_cycles()]
    for year in years:
        with transaction(engine) as session:
            _determine(Lifecycle(session), year, as_of, calendar, procedure(bureau), actor, report)
        with transaction(engine) as session:
            _publish(Lifecycle(session), year, as_of, publish_dir, bureau, actor, report)
        with transaction(engine) as session:
            _share(Lifecycle(session), year, as_of, outbox, bureau, actor, report)
        with transaction(engine) as session:
            lifecycle = Lifecycle(session)
            lifecycle.set_stage(lifecycle.cycle(year), actor)
    engine.dispose()
    for year in years:  # objection reviews and publication near or past their limits (cycle status)
        status = cycle_status(db_url, year, as_of)
        report.due += [{"year": year, **item} for item in status["deadlines"]]
        report.overdue += [{"year": year, **item} for item in status["overdue"]]
    if site is not None and report.written:
        from tasks.site import build_site_folder

        build_site_folder(site, as_of=as_of, db_url=db_url)
        report.written.append(str(site))
    return report



def _determine(lifecycle, year, as_of, calendar, rules, actor, report) -> None:
    """第二十条: a result is determined once its window closed and no objection to it is open."""
    cycle = lifecycle.cycle(year)
    by_institution: dict[str, list] = {}
    for objection in lifecycle.objections(cycle):
        by_institution.setdefault(objection.institution_id, []).append(objection)
    for result in lifecycle.current(cycle):
        if result.state not in ("in_publicity", "under_review"):
            continue
        mine = [o for o in by_institution.get(result.institution_id, [])
                if o.admissible and o.result_version == result.version]
        state = _state_for(result, mine, as_of, calendar, rules)
        if state is not None and state[0] != result.state:
            lifecycle.move(result, actor, **dict(zip(("state", "determined_on", "publish_by"), state, strict=False)))
            report.count(state[0])


def _state_for(result: Result, objections, as_of, calendar, rules):
    """(state[, determined_on, publish_by]) a result in publicity should have on as_of, or None."""
    if any(o.decision is None for o in objections):
        return ("under_review",)
    window = Window(result.publicity_on, result.publicity_last_day)
    if as_of <= window.last_day:
        return ("in_publicity",)
    determined = determination_date(window, [o.decided_on for o in objections])
    if determined > as_of:
        return None
    return "determined", determined, publish_by(calendar, determined, rules)


def _publish(lifecycle, year, as_of, publish_dir, bureau, actor, report) -> None:
    """第二十条: publish every determined result on the run date."""
    cycle = lifecycle.cycle(year)
    for result in lifecycle.current(cycle, "determined"):
        lifecycle.move(result, actor, state="published", published_on=as_of)
        report.count("published")
    lifecycle.session.flush()
    results, revoked = _public_results(lifecycle, cycle)
    if len(results) and _content_digest(results) != _last_digest(lifecycle, cycle):
        report.written += _write_final_lists(lifecycle, cycle, results, revoked, publish_dir / str(year), bureau)


def _last_digest(lifecycle, cycle) -> str | None:
    shares = lifecycle.shares(cycle)
    return shares[-1].digest if shares else None


def _public_results(lifecycle, cycle) -> tuple[pd.DataFrame, dict[str, str]]:
    """What the public may see of a cycle: published results, and 第十七条 changes with the grade revoked.

    A revoked grade is public at once (第十七条: 已获评的信用风险等级直接撤销): the institution's current
    result (D, with its clause) is shown beside the grade it replaces, even while the change is publicised.
    """
    frame = Repository(lifecycle.session).current_results(cycle.year)
    revoked = _revoked_grades(lifecycle, cycle)
    public = frame["state"].isin(PUBLIC_STATES) | frame["institution_id"].isin(revoked)
    return frame[public].reset_index(drop=True), revoked


def _revoked_grades(lifecycle, cycle) -> dict[str, str]:
    return {r.institution_id: r.grade for r in _revoked(lifecycle, cycle)}


def _write_final_lists(lifecycle, cycle: Cycle, results, revoked, folder: Path, bureau: Bureau) -> list[str]:
    dated = [r for r in lifecycle.current(cycle) if r.published_on is not None]
    last = max((r.published_on for r in dated), default=None) or max(r.revoked_on for r in _revoked(lifecycle, cycle))
    ctx = final_results_context(
        results, year=cycle.year, determined_on=max((r.determined_on for r in dated), default=last),
        published_on=last, bureau=bureau.settings, snapshot=cycle.snapshot,
        index_version=cycle.index_version, generated_at=last.isoformat(), revoked=revoked,
        publication_working_days=int(bureau.procedure["publication_working_days"]),
    )
    files = {
        "final_results.html": render_final_results_html(ctx).encode("utf-8"),
        "final_results.csv": render_final_results_csv(ctx),
        "final_results.xlsx": render_final_results_xlsx(ctx),
        "a_list.html": render_a_list_html(ctx).encode("utf-8"),
        "a_list.csv": render_a_list_csv(ctx),
    }
    return _write_files(folder, files)


def _revoked(lifecycle, cycle) -> list[Result]:
    query = select(Result).where(Result.cycle_id == cycle.id, Result.state == "revoked")
    return list(lifecycle.session.scalars(query.order_by(Result.version)))


def _write_files(folder: Path, files: dict[str, bytes]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = path_inside(folder, name)
        path.write_bytes(data)
        written.append(str(path))
    return written


def _share(lifecycle, year, as_of, outbox, bureau, actor, report) -> None:
    """第二十条: share what was published with the market regulation department; the same content once."""
    cycle = lifecycle.cycle(year)
    results, revoked = _public_results(lifecycle, cycle)
    digest = _content_digest(results) if len(results) else None
    shares = lifecycle.shares(cycle)
    if digest is not None and digest != _last_digest(lifecycle, cycle):
        report.written += _write_package(lifecycle, cycle, results, revoked, shares, digest, as_of, outbox,
                                         bureau, actor)
    for result in lifecycle.current(cycle, "published"):
        lifecycle.move(result, actor, state="shared", shared_on=as_of)
        report.count("shared")


def _content_digest(results: pd.DataFrame) -> str:
    columns = ["institution_id", "name", "county", "status", "score", "grade", "clause", "state"]
    rows = results[columns].astype(str).sort_values("institution_id").to_dict("records")
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _write_package(lifecycle, cycle, results, revoked, shares, digest, as_of, outbox, bureau, actor) -> list[str]:
    sequence = len(shares) + 1
    previous, previous_revoked = _package_rows(cycle.year, shares[-1].sequence) if shares else (None, None)
    dates = [r for r in lifecycle.current(cycle) if r.determined_on is not None]
    files = share_package(
        results, year=cycle.year, sequence=sequence, previous=previous, bureau=bureau.settings,
        generated_at=as_of.isoformat(), determined_on=max((r.determined_on for r in dates), default=as_of),
        published_on=max((r.published_on or as_of for r in dates), default=as_of), shared_on=as_of,
        snapshot=cycle.snapshot, index_version=cycle.index_version, revoked=revoked,
        previous_revoked=previous_revoked,
    )
    folder = outbox / f"{cycle.year}-{sequence:03d}"
    written = _write_files(folder, files)
    kept = {"rows": json.loads(results.to_json(orient="records", force_ascii=False)), "revoked": revoked}
    _shared_rows_path(cycle.year, sequence).write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    lifecycle.record_share(cycle, sequence, as_of, str(folder), digest, actor)
    return written


def _shared_rows_path(year: int, sequence: int) -> Path:
    """The rows a package carried, kept in var/ so the next package can say what changed."""
    folder = get_settings().var_dir / "shares"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{year}-{sequence:03d}.json"


def _package_rows(year: int, sequence: int) -> tuple[pd.DataFrame, dict[str, str]]:
    kept = json.loads(_shared_rows_path(year, sequence).read_text(encoding="utf-8"))
    return pd.DataFrame(kept["rows"]).astype(object).fillna(""), kept["revoked"]


publicize_task = task(name="publicize", cache_policy=NO_CACHE)(publicize)
advance_task = task(name="advance", cache_policy=NO_CACHE)(advance)
