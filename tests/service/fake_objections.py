"""The in-memory counterpart of store/objections.py for the service tier."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from store.models import (
    Cycle,
    Objection,
    ObjectionCorrection,
    ObjectionEvidence,
    ObjectionSuspension,
    Result,
    SeriousEvent,
)
from tasks.validation import validate_drop as real_validate_drop
from tests.service.fakes import FakeAuditLog, FakeTables, FakeUnitOfWork


class FakeObjections:
    """ObjectionRepository's methods over FakeTables (tables named as in store/models.py)."""

    def __init__(self, tables: FakeTables, audit: FakeAuditLog) -> None:
        self.tables = tables
        self.audit_log = audit

    # ---- objections (第十九条) ----------------------------------------------------------------------

    def get(self, objection_id: str) -> Objection | None:
        return next((o for o in self.tables.of("objections") if o.id == objection_id), None)

    def add(self, **values: Any) -> Objection:
        values.setdefault("decision", None)
        values.setdefault("decided_on", None)
        values.setdefault("decision_reason", None)
        return self.tables.add("objections", Objection(**values))

    def of_cycle(self, cycle: Cycle) -> list[Objection]:
        return sorted((o for o in self.tables.of("objections") if o.cycle_id == cycle.id),
                      key=lambda o: (o.received_on, o.id))

    def cycle_by_id(self, cycle_id: int) -> Cycle:
        return next(c for c in self.tables.of("cycles") if c.id == cycle_id)

    def add_evidence(self, objection_id: str, file_name: str, sha256: str, path: str) -> None:
        self.tables.add("objection_evidence", ObjectionEvidence(objection_id=objection_id, file_name=file_name,
                                                                sha256=sha256, path=path))

    def evidence(self, objection_id: str) -> list[ObjectionEvidence]:
        return [e for e in self.tables.of("objection_evidence") if e.objection_id == objection_id]

    def suspensions(self, objection_id: str) -> list[ObjectionSuspension]:
        return [s for s in self.tables.of("objection_suspensions") if s.objection_id == objection_id]

    def add_suspension(self, objection_id: str, start: date, end: date | None) -> ObjectionSuspension:
        return self.tables.add("objection_suspensions",
                               ObjectionSuspension(objection_id=objection_id, start=start, end=end))

    def add_correction(self, objection_id: str, kind: str, reason: str, *, event_id: str | None = None,
                       indicator: str | None = None, evidence: str | None = None) -> None:
        self.tables.add("objection_corrections", ObjectionCorrection(
            objection_id=objection_id, kind=kind, event_id=event_id, indicator=indicator, evidence=evidence,
            reason=reason))

    def corrections(self, cycle: Cycle) -> list[tuple[ObjectionCorrection, str]]:
        owners = {o.id: o.institution_id for o in self.tables.of("objections") if o.cycle_id == cycle.id}
        return [(c, owners[c.objection_id]) for c in self.tables.of("objection_corrections")
                if c.objection_id in owners]

    # ---- serious events (第十七条) ------------------------------------------------------------------

    def add_serious_event(self, **values: Any) -> SeriousEvent:
        return self.tables.add("serious_events", SeriousEvent(**values))

    def serious_events(self, cycle: Cycle, institution_id: str | None = None) -> list[SeriousEvent]:
        return [e for e in self.tables.of("serious_events") if e.cycle_id == cycle.id
                and (institution_id is None or e.institution_id == institution_id)]

    # ---- results ----------------------------------------------------------------------------------

    def latest_result(self, institution_id: str, year: int | None = None) -> Result | None:
        years = {c.id: c.year for c in self.tables.of("cycles")}
        found = [r for r in self.tables.of("results") if r.institution_id == institution_id and r.is_current
                 and (year is None or years[r.cycle_id] == year)]
        return max(found, key=lambda r: years[r.cycle_id], default=None)

    def versions_of(self, cycle: Cycle, institution_id: str) -> list[Result]:
        rows = [r for r in self.tables.of("results") if r.cycle_id == cycle.id and r.institution_id == institution_id]
        return sorted(rows, key=lambda r: r.version)


# ---- what the service tests of objections, re-scoring and 第十七条 start from ---------------------

EXAMPLE_YEAR, EXAMPLE_AS_OF = 2025, date(2026, 1, 20)
PUBLICITY = (date(2026, 2, 2), date(2026, 2, 28))  # publicize --on 2026-02-02 (R-15, across Spring Festival)
EVALUATED_AT = datetime(2026, 1, 21, 9, 0, tzinfo=UTC)


_VALIDATED: dict[tuple, Any] = {}


def validate_once(drop: Any, *, event_indicators: set[str], auto_indicators: set[str], counties: list[str],
                  clauses: Any = None, docs_dir: Path | None = None) -> Any:
    """tasks.validation.validate_drop, run once per snapshot and parameters in this process.

    Great Expectations takes about a second a drop: the service tests patch this in where the use
    cases validate (a snapshot is content-addressed, so the same hash validates the same way).
    """
    chosen = None if clauses is None else tuple(sorted(int(c) for c in clauses))
    key = (drop.snapshot, frozenset(event_indicators), frozenset(auto_indicators), tuple(counties), chosen)
    if key not in _VALIDATED:
        _VALIDATED[key] = real_validate_drop(drop, event_indicators=event_indicators, auto_indicators=auto_indicators,
                                             counties=counties, clauses=clauses, docs_dir=docs_dir)
    return _VALIDATED[key]


def validating_once(monkeypatch: Any) -> None:
    """Patch validate_once in where tasks/rescore.py and tasks/objections.py validate."""
    import tasks.rescore
    import tasks.validation

    monkeypatch.setattr(tasks.rescore, "validate_drop", validate_once)
    monkeypatch.setattr(tasks.validation, "validate_drop", validate_once)


@cache
def example_evaluation() -> tuple[Any, Any, Any, Any]:
    """The worked example (tests/fixtures/example-2025) read, validated and scored once per process."""
    from credit.rules import rules_for_year
    from credit.scoring import score
    from tasks.drop_io import read_drop
    from tests.support.paths import EXAMPLE_DROP

    rules = rules_for_year(EXAMPLE_YEAR)
    drop = read_drop(EXAMPLE_DROP)
    validated = validate_once(drop, event_indicators=set(rules.index.event_codes),
                              auto_indicators=set(rules.index.auto_codes), counties=rules.bureau.counties)
    scored = score(validated.tables, rules.index, rules.calendar, EXAMPLE_YEAR, EXAMPLE_AS_OF)
    return rules, drop, validated, scored


def evaluated(var_dir: Path, state: str | None = None) -> FakeUnitOfWork:
    """A fresh FakeUnitOfWork holding the worked example's 2025 evaluation, its snapshot kept in var_dir.

    With `state`, every result is put there as `publicize --on 2026-02-02` leaves it (window to 02-28).
    """
    from tasks.drop_io import write_snapshot

    _, drop, validated, scored = example_evaluation()
    uow = FakeUnitOfWork()
    counts = validated.counts
    uow.evaluations.save_evaluation(
        year=EXAMPLE_YEAR, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), as_of=EXAMPLE_AS_OF,
        index_version="jc-2024.1", snapshot=drop.snapshot, origin=drop.origin,
        snapshot_path=str(write_snapshot(drop, var_dir)),
        row_counts={str(t): int(n) for t, n in zip(counts["table"], counts["read"], strict=True)},
        registry=validated.tables["institutions"], results=scored.results, findings=scored.findings,
        quarantine=validated.quarantine, warnings=validated.warnings, by="test", at=EVALUATED_AT,
    )
    if state is not None:
        for result in uow.tables.of("results"):
            result.state, (result.publicity_on, result.publicity_last_day) = state, PUBLICITY
        uow.tables.of("cycles")[0].stage = state
    return uow
