"""Ad-hoc re-scoring and what-if comparisons of index versions (第十五条, R-12), from a cycle's own snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from credit.calendar import WorkCalendar
from credit.compare import compare
from credit.indexsystem import IndexSystem, load_index_system
from credit.lifecycle import publicity_window
from credit.scoring import Scored, score
from store.engine import migrated_engine, transaction
from store.lifecycle import Actor, Lifecycle
from store.models import Objection, ObjectionCorrection, SeriousEvent, Snapshot
from store.repository import Repository
from store.settings import get_settings
from tasks.drop_io import read_snapshot, with_recorded_events, without_recorded_events, write_snapshot
from tasks.lifecycle import procedure
from tasks.render import Bureau
from tasks.validation import validate_drop

STARTED = ("in_publicity", "under_review", "determined", "published", "shared")


def corrected_tables(session, cycle, index: IndexSystem) -> dict[str, pd.DataFrame]:
    """The cycle's snapshot, validated, with the events withdrawn by decided objections left out (第十九条)."""
    drop = read_snapshot(Path(session.get(Snapshot, cycle.snapshot).path))
    validated = validate_drop(drop, event_indicators=set(index.event_codes), auto_indicators=set(index.auto_codes),
                              counties=Bureau.load().counties)
    tables = dict(validated.tables)
    withdrawn, _ = corrections(session, cycle)
    events = tables["credit_events"]
    tables["credit_events"] = events[~events["event_id"].isin(withdrawn).to_numpy(dtype=bool, na_value=False)]
    return tables


def score_cycle(session, cycle, index: IndexSystem, institution_id: str | None = None) -> Scored:
    """The cycle's snapshot scored with `index`, every recorded objection correction applied."""
    tables = corrected_tables(session, cycle, index)
    if institution_id is not None:
        tables = {name: _only(frame, institution_id) for name, frame in tables.items()}
    _, aside = corrections(session, cycle)
    scored = score(tables, index, WorkCalendar.load(), cycle.year, cycle.as_of, set_aside=aside)
    return with_serious_events(session, cycle, scored)


def with_serious_events(session, cycle, scored: Scored) -> Scored:
    """The 第十七条 events applied in real time to the cycle (R-14) hold whatever the re-scoring: grade D,
    the lowest clause. They may postdate the cycle's as_of, so scoring the snapshot alone would lose them."""
    query = (select(SeriousEvent.institution_id, func.min(SeriousEvent.clause))
             .where(SeriousEvent.cycle_id == cycle.id).group_by(SeriousEvent.institution_id))
    lowest = dict(session.execute(query).all())
    if not lowest:
        return scored
    results = scored.results.copy()
    hit = results["institution_id"].isin(lowest.keys()) & (results["status"] == "rated")
    scored_clause = pd.to_numeric(results["clause"].where(results["clause"] != ""))
    clause = pd.concat([results["institution_id"].map(lowest), scored_clause], axis=1).min(axis=1)  # NaN skipped
    results.loc[hit, "grade"] = "D"
    results.loc[hit, "clause"] = clause[hit].astype(int).astype(str)
    return replace(scored, results=results)


def _only(frame: pd.DataFrame, institution_id: str) -> pd.DataFrame:
    """A score depends on the institution's own rows only: the rest of the drop can be left out."""
    if "institution_id" not in frame:
        return frame
    return frame[(frame["institution_id"] == institution_id).to_numpy(dtype=bool, na_value=False)]


def corrections(session, cycle, institution_id: str | None = None) -> tuple[set[str], frozenset]:
    """Events withdrawn and findings set aside by decided objections of the cycle (第十九条)."""
    query = (select(ObjectionCorrection, Objection.institution_id)
             .join(Objection, Objection.id == ObjectionCorrection.objection_id)
             .where(Objection.cycle_id == cycle.id))
    if institution_id is not None:
        query = query.where(Objection.institution_id == institution_id)
    rows = session.execute(query).all()
    withdrawn = {c.event_id for c, _ in rows if c.kind == "withdraw_event"}
    aside = frozenset((owner, c.indicator, c.evidence) for c, owner in rows if c.kind == "set_aside")
    return withdrawn, aside


def what_if(db_url: str | None, year: int, base_version: str | None, other_version: str) -> dict:
    """Two index versions on the same snapshot: grade migrations and who changes, with why. Writes nothing."""
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        cycle = Lifecycle(session).cycle(year)
        base = load_index_system(base_version or cycle.index_version)
        migrations, changed = compare(score_cycle(session, cycle, base),
                                      score_cycle(session, cycle, load_index_system(other_version)))
        session.rollback()
    engine.dispose()
    return {"year": year, "base": base.version, "other": other_version,
            "migrations": migrations.to_dict("records"), "changed": changed.to_dict("records")}


def rescore(db_url: str | None, year: int, institution_id: str | None, index_version: str | None, on: date,
            actor: Actor, recorded_events: bool = False) -> dict:
    """Re-score from the snapshot; a changed result gets a new version, publicised again if publicity began.

    With `recorded_events`, the snapshot first takes in the events the store holds now for the period
    (a finding or complaint verified after the evaluation): see `take_in_recorded_events`.
    """
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        lifecycle = Lifecycle(session)
        cycle = lifecycle.cycle(year)
        snapshot = take_in_recorded_events(session, cycle, actor) if recorded_events else None
        index = load_index_system(index_version or cycle.index_version)
        scored = score_cycle(session, cycle, index, institution_id)
        changed = _apply(session, lifecycle, cycle, scored, on, actor, index.version)
        lifecycle.set_stage(cycle, actor)
    engine.dispose()
    return {"year": year, "index_version": index.version, "changed": changed, "new_snapshot": snapshot}


def take_in_recorded_events(session, cycle, actor: Actor) -> str | None:
    """Point the cycle at its pulled drop plus the events the store records now for its period (R-10, R-12).

    The drop's own tables are unchanged; only the `recorded_events` table is replaced, so the new
    snapshot differs exactly by what was recorded or verified since. Returns the new hash, or None when
    the store holds what the snapshot already has. A result that does not change keeps naming the old
    snapshot, which still holds its rows.
    """
    from tasks.supervision import recorded_events

    pulled = without_recorded_events(read_snapshot(Path(session.get(Snapshot, cycle.snapshot).path)))
    fresh = with_recorded_events(pulled, recorded_events(session, cycle.period_start, cycle.period_end))
    if fresh.snapshot == cycle.snapshot:
        return None
    path = write_snapshot(fresh, get_settings().var_dir)
    repository = Repository(session)
    repository.keep_snapshot(fresh.snapshot, fresh.origin, str(path),
                             {name: len(t.frame) for name, t in fresh.tables.items()}, actor.at)
    repository.audit("cycle", str(cycle.year), "snapshot", actor.why, actor.by, actor.at,
                     {"snapshot": cycle.snapshot}, {"snapshot": fresh.snapshot, "pulled": pulled.snapshot})
    cycle.snapshot = fresh.snapshot
    session.flush()
    return fresh.snapshot


def _apply(session, lifecycle, cycle, scored: Scored, on: date, actor: Actor, version: str) -> list[str]:
    repository = Repository(session)
    states = {r.institution_id: r.state for r in lifecycle.current(cycle)}
    changed = []
    for institution_id in scored.results["institution_id"]:
        if institution_id not in states:
            continue
        rows = scored.results[scored.results["institution_id"] == institution_id]
        found = scored.findings[scored.findings["institution_id"] == institution_id]
        new = repository.change_result(cycle, institution_id, rows, found, by=actor.by, at=actor.at,
                                       why=f"re-scored with {version}")
        if new is None:
            continue
        changed.append(institution_id)
        if states[institution_id] in STARTED:
            window = publicity_window(WorkCalendar.load(), on, procedure(Bureau.load()))
            lifecycle.move(new, actor, state="in_publicity", publicity_on=on, publicity_last_day=window.last_day,
                           change_reason=f"重新评价（{version}）")
    return changed
