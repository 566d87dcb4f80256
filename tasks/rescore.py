"""Ad-hoc re-scoring and what-if comparisons of index versions (第十五条, R-12), from a cycle's own snapshot.

Use cases over a unit of work (store/uow.py) and the rules bundle (credit/rules.py); the flow
(flows/rescore.py) runs the steps of `rescore` as tasks: take in recorded events → score from the
snapshot → apply the changes and publicise them again → set the stage. `change_and_publicize` is the
one place where a changed result gets its new version and its new publicity (第十八条): re-scoring,
objection decisions (tasks/objections.py) and 第十七条 events (tasks/serious.py) all go through it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from credit.compare import compare
from credit.lifecycle import STARTED, publicize_again
from credit.rules import Rules
from credit.scoring import Scored, score
from reports.explain import reason_words
from store.lifecycle import Actor
from tasks.drop_io import Drop, read_snapshot, with_recorded_events, without_recorded_events, write_snapshot
from tasks.validation import validate_drop

if TYPE_CHECKING:
    from store.models import Cycle, Result


# ---- inputs and reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RescoreInput:
    year: int
    on: date  # the day a changed result's new publicity starts
    actor: Actor
    institution_id: str | None = None  # None: the whole cycle
    index_version: str | None = None  # None: the cycle's own
    recorded_events: bool = False  # first take in the events the store records now
    var_dir: Path | None = None  # where a new snapshot is kept (needed with recorded_events)


@dataclass(frozen=True)
class RescoreReport:
    year: int
    index_version: str
    changed: list[str]
    new_snapshot: str | None


@dataclass(frozen=True)
class TakeInInput:
    year: int
    actor: Actor
    var_dir: Path


@dataclass(frozen=True)
class TakeInReport:
    year: int
    snapshot: str | None  # the new snapshot's hash; None when the store holds nothing new


@dataclass(frozen=True)
class ScoreInput:
    year: int
    institution_id: str | None = None
    index_version: str | None = None


@dataclass(frozen=True)
class CycleScore:
    """A cycle scored from its snapshot, and the inputs it was scored from (to tell it is still current)."""

    year: int
    index_version: str
    institution_id: str | None
    scored: Scored
    basis: tuple


@dataclass(frozen=True)
class ApplyInput:
    score: CycleScore
    on: date
    actor: Actor


@dataclass(frozen=True)
class ApplyReport:
    changed: list[str]


@dataclass(frozen=True)
class StageInput:
    year: int
    actor: Actor


@dataclass(frozen=True)
class WhatIfInput:
    year: int
    other_version: str
    base_version: str | None = None  # None: the cycle's own


@dataclass(frozen=True)
class WhatIfReport:
    year: int
    base: str
    other: str
    migrations: list[dict[str, Any]]
    changed: list[dict[str, Any]]


# ---- reading a cycle's snapshot -------------------------------------------------------------------


def cycle_rules(rules: Rules, cycle: Cycle, index_version: str | None = None) -> Rules:
    """The rules with the index the cycle was scored with (or `index_version`), as R-12 requires."""
    return rules.with_index(index_version or cycle.index_version)


def snapshot_of(uow: Any, cycle: Cycle) -> Drop:
    """The drop the cycle was evaluated from, as kept in var/snapshots (R-12)."""
    return read_snapshot(Path(uow.lifecycle.snapshot_path(cycle)))


def corrections(uow: Any, cycle: Cycle) -> tuple[set[str], frozenset[tuple[str, str, str]]]:
    """Events withdrawn and findings set aside by decided objections of the cycle (第十九条)."""
    rows = uow.objections.corrections(cycle)
    withdrawn = {c.event_id for c, _ in rows if c.kind == "withdraw_event"}
    aside = frozenset((owner, c.indicator, c.evidence) for c, owner in rows if c.kind == "set_aside")
    return withdrawn, aside


def corrected_tables(uow: Any, rules: Rules, cycle: Cycle) -> dict[str, pd.DataFrame]:
    """The cycle's snapshot validated with `rules`, the events withdrawn by decided objections left out (第十九条)."""
    validated = validate_drop(snapshot_of(uow, cycle), event_indicators=set(rules.index.event_codes),
                              auto_indicators=set(rules.index.auto_codes), counties=rules.bureau.counties,
                              clauses=rules.index.clauses)
    tables = dict(validated.tables)
    withdrawn, _ = corrections(uow, cycle)
    events = tables["credit_events"]
    tables["credit_events"] = events[~events["event_id"].isin(withdrawn).to_numpy(dtype=bool, na_value=False)]
    return tables


def score_cycle(uow: Any, rules: Rules, cycle: Cycle, institution_id: str | None = None) -> Scored:
    """The cycle's snapshot scored with `rules.index`, every recorded objection correction applied."""
    tables = corrected_tables(uow, rules, cycle)
    if institution_id is not None:
        tables = {name: _only(frame, institution_id) for name, frame in tables.items()}
    _, aside = corrections(uow, cycle)
    scored = score(tables, rules.index, rules.calendar, cycle.year, cycle.as_of, set_aside=aside)
    return with_serious_events(uow, rules, cycle, scored)


def with_serious_events(uow: Any, rules: Rules, cycle: Cycle, scored: Scored) -> Scored:
    """The 第十七条 events applied in real time to the cycle (R-14) hold whatever the re-scoring: the direct
    grade, the lowest clause. They may postdate the cycle's as_of, so scoring the snapshot alone would lose them."""
    lowest: dict[str, int] = {}
    for event in uow.objections.serious_events(cycle):
        lowest[event.institution_id] = min(event.clause, lowest.get(event.institution_id, event.clause))
    if not lowest:
        return scored
    results = scored.results.copy()
    hit = results["institution_id"].isin(lowest.keys()) & (results["status"] == "rated")
    scored_clause = pd.to_numeric(results["clause"].where(results["clause"] != ""))
    clause = pd.concat([results["institution_id"].map(lowest), scored_clause], axis=1).min(axis=1)  # NaN skipped
    results.loc[hit, "grade"] = rules.direct_grade
    results.loc[hit, "clause"] = clause[hit].astype(int).astype(str)
    return replace(scored, results=results)


def _only(frame: pd.DataFrame, institution_id: str) -> pd.DataFrame:
    """A score depends on the institution's own rows only: the rest of the drop can be left out."""
    if "institution_id" not in frame:
        return frame
    return frame[(frame["institution_id"] == institution_id).to_numpy(dtype=bool, na_value=False)]


def basis(uow: Any, cycle: Cycle) -> tuple:
    """What a score of the cycle depends on besides the rules: its snapshot, corrections and serious events."""
    fixes = sorted((owner, c.kind, c.event_id or "", c.indicator or "", c.evidence or "")
                   for c, owner in uow.objections.corrections(cycle))
    events = sorted((e.institution_id, e.clause) for e in uow.objections.serious_events(cycle))
    return cycle.snapshot, tuple(fixes), tuple(events)


# ---- the one sequence: change a result, then publicise it again (第十八条) -------------------------


def change_and_publicize(
    uow: Any, rules: Rules, cycle: Cycle, institution_id: str, results: pd.DataFrame, findings: pd.DataFrame, *,
    on: date, reason: str, actor: Actor, why: str | None = None, publicize: bool = True,
) -> Result | None:
    """A new version when the institution's rows differ; publicised again from `on` when `publicize`.

    `why` goes to the audit row of the new version (default `reason`), `reason` to its change_reason.
    """
    new = uow.evaluations.change_result(cycle, institution_id, results, findings, by=actor.by, at=actor.at,
                                        why=why or reason)
    if new is not None and publicize:
        publicize_changed(uow, rules, new, on, reason, actor)
    return new


def publicize_changed(uow: Any, rules: Rules, result: Result, on: date, reason: str, actor: Actor) -> None:
    """第十八条: a changed result is publicised anew from `on` for the procedure's working days."""
    uow.lifecycle.move(result, actor, **publicize_again(rules.calendar, on, rules.procedure, reason))


# ---- the steps of a re-scoring --------------------------------------------------------------------


def take_in_recorded_events(uow: Any, rules: Rules, inputs: TakeInInput) -> TakeInReport:
    """Point the cycle at its pulled drop plus the events the store records now for its period (R-10, R-12).

    The drop's own tables are unchanged; only the `recorded_events` table is replaced, so the new
    snapshot differs exactly by what was recorded or verified since. The report's snapshot is None when
    the store holds what the snapshot already has. A result that does not change keeps naming the old
    snapshot, which still holds its rows.
    """
    from tasks.supervision import recorded_events

    actor = inputs.actor
    cycle = uow.lifecycle.cycle(inputs.year)
    pulled = without_recorded_events(snapshot_of(uow, cycle))
    fresh = with_recorded_events(pulled, recorded_events(uow, cycle.period_start, cycle.period_end, rules))
    if fresh.snapshot == cycle.snapshot:
        return TakeInReport(inputs.year, None)
    path = write_snapshot(fresh, inputs.var_dir)
    uow.evaluations.keep_snapshot(fresh.snapshot, fresh.origin, str(path),
                                  {name: len(t.frame) for name, t in fresh.tables.items()}, actor.at)
    uow.audit.append("cycle", str(cycle.year), "snapshot", actor.why, actor.by, actor.at,
                     {"snapshot": cycle.snapshot}, {"snapshot": fresh.snapshot, "pulled": pulled.snapshot})
    cycle.snapshot = fresh.snapshot
    uow.flush()
    return TakeInReport(inputs.year, fresh.snapshot)


def score_from_snapshot(uow: Any, rules: Rules, inputs: ScoreInput) -> CycleScore:
    """The cycle (or one institution) scored from its snapshot with the corrections; writes nothing."""
    cycle = uow.lifecycle.cycle(inputs.year)
    rules = cycle_rules(rules, cycle, inputs.index_version)
    scored = score_cycle(uow, rules, cycle, inputs.institution_id)
    return CycleScore(inputs.year, rules.index.version, inputs.institution_id, scored, basis(uow, cycle))


def apply_rescore(uow: Any, rules: Rules, inputs: ApplyInput) -> ApplyReport:
    """Each result that differs gets a new version, publicised again if its publicity had begun (第十五、十八条).

    Scored in an earlier transaction, the score is taken again here when its inputs changed since
    (a correction or a serious event recorded in between), so a stale score never overwrites them.
    """
    cycle = uow.lifecycle.cycle(inputs.score.year)
    given = inputs.score
    if basis(uow, cycle) != given.basis:
        given = score_from_snapshot(uow, rules, ScoreInput(given.year, given.institution_id, given.index_version))
    results, findings = given.scored.results, given.scored.findings
    states = {r.institution_id: r.state for r in uow.lifecycle.current(cycle)}
    changed = []
    for institution_id in results["institution_id"]:
        if institution_id not in states:
            continue
        rows = results[results["institution_id"] == institution_id]
        found = findings[findings["institution_id"] == institution_id]
        new = change_and_publicize(uow, rules, cycle, institution_id, rows, found, on=inputs.on,
                                   reason=f"重新评价（{given.index_version}）", why=f"re-scored with {given.index_version}",
                                   actor=inputs.actor, publicize=states[institution_id] in STARTED)
        if new is not None:
            changed.append(institution_id)
    return ApplyReport(changed)


def set_stage(uow: Any, rules: Rules, inputs: StageInput) -> None:
    """The cycle's stage after the changes: the least advanced state of its current results."""
    uow.lifecycle.set_stage(uow.lifecycle.cycle(inputs.year), inputs.actor)


def rescore(uow: Any, rules: Rules, inputs: RescoreInput) -> RescoreReport:
    """Re-score from the snapshot in one transaction; a changed result gets a new version, publicised again
    if publicity began. With `recorded_events`, the snapshot first takes in the events the store holds now."""
    snapshot = None
    if inputs.recorded_events:
        if inputs.var_dir is None:
            raise ValueError("re-scoring with the recorded events needs the var folder for the new snapshot")
        snapshot = take_in_recorded_events(uow, rules, TakeInInput(inputs.year, inputs.actor, inputs.var_dir)).snapshot
    scored = score_from_snapshot(uow, rules, ScoreInput(inputs.year, inputs.institution_id, inputs.index_version))
    changed = apply_rescore(uow, rules, ApplyInput(scored, inputs.on, inputs.actor)).changed
    set_stage(uow, rules, StageInput(inputs.year, inputs.actor))
    return RescoreReport(inputs.year, scored.index_version, changed, snapshot)


# ---- what-if (第十五条) ------------------------------------------------------------------------------


def what_if(uow: Any, rules: Rules, inputs: WhatIfInput) -> WhatIfReport:
    """Two index versions on the same snapshot: grade migrations and who changes, with why. Writes nothing."""
    cycle = uow.lifecycle.cycle(inputs.year)
    base = cycle_rules(rules, cycle, inputs.base_version)
    other = rules.with_index(inputs.other_version)
    migrations, changed = compare(score_cycle(uow, base, cycle), score_cycle(uow, other, cycle))
    # Issue 12 item 2: the officer reads each indicator's name beside its code (`why` stays as compare says it).
    rows = [row | {"why_words": reason_words(str(row["why"]), other.index, base.index)}
            for row in changed.to_dict("records")]
    return WhatIfReport(inputs.year, base.index.version, inputs.other_version, migrations.to_dict("records"), rows)
