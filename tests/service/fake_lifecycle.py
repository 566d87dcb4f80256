"""The in-memory counterpart of store/lifecycle.py for the service tier: the same methods over FakeTables."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from credit.lifecycle import REVOKED, SHARED, stage_of
from store.lifecycle import Actor
from store.models import Cycle, Objection, ObjectionSuspension, Result, SharePackage
from store.repository import POINT_COLUMNS, RESULT_COLUMNS
from tests.service.fakes import FakeAuditLog, FakeTables

FRAME_COLUMNS = [*RESULT_COLUMNS, "snapshot", "version", "state"]


class FakeLifecycle:
    """Reads and moves the lifecycle state held in FakeTables, auditing each move like the real one."""

    def __init__(self, tables: FakeTables, audit: FakeAuditLog) -> None:
        self.tables = tables
        self.audit_log = audit

    # ---- reading -----------------------------------------------------------------------------------

    def cycle(self, year: int) -> Cycle:
        found = [c for c in self.tables.of("cycles") if c.year == year]
        if not found:
            raise LookupError(f"{year} 年度尚无已保存的评价结果：请先运行 `credit evaluate --year {year}`")
        return found[0]

    def open_cycles(self) -> list[Cycle]:
        return sorted((c for c in self.tables.of("cycles") if c.stage != SHARED), key=lambda c: c.year)

    def current(self, cycle: Cycle, state: str | None = None) -> list[Result]:
        rows = [r for r in self.tables.of("results") if r.cycle_id == cycle.id and r.is_current
                and (state is None or r.state == state)]
        return sorted(rows, key=lambda r: r.institution_id)

    def revoked(self, cycle: Cycle) -> list[Result]:
        rows = [r for r in self.tables.of("results") if r.cycle_id == cycle.id and r.state == REVOKED]
        return sorted(rows, key=lambda r: r.version)

    def results_frame(self, cycle: Cycle) -> pd.DataFrame:
        frame = pd.DataFrame([_formatted(r) for r in self.current(cycle)], columns=FRAME_COLUMNS)
        frame["version"] = frame["version"].astype("int64")
        return frame.sort_values("institution_id", ignore_index=True)

    def objections(self, cycle: Cycle, institution_id: str | None = None) -> list[Objection]:
        rows = [o for o in self.tables.of("objections") if o.cycle_id == cycle.id
                and (institution_id is None or o.institution_id == institution_id)]
        return sorted(rows, key=lambda o: (o.received_on, o.id))

    def suspensions(self, objection: Objection) -> list[ObjectionSuspension]:
        return [s for s in self.tables.of("objection_suspensions") if s.objection_id == objection.id]

    def snapshot_path(self, cycle: Cycle) -> str:
        found = [s for s in self.tables.of("snapshots") if s.hash == cycle.snapshot]
        if not found:
            raise LookupError(f"snapshot {cycle.snapshot} of cycle {cycle.year} is not recorded")
        return found[0].path

    def shares(self, cycle: Cycle) -> list[SharePackage]:
        return sorted((s for s in self.tables.of("share_packages") if s.cycle_id == cycle.id),
                      key=lambda s: s.sequence)

    # ---- writing -----------------------------------------------------------------------------------

    def move(self, result: Result, actor: Actor, **changes: Any) -> None:
        before = {k: _plain(getattr(result, k)) for k in changes}
        after = {k: _plain(v) for k, v in changes.items()}
        if before == after:
            return
        for key, value in changes.items():
            setattr(result, key, value)
        year = next(c.year for c in self.tables.of("cycles") if c.id == result.cycle_id)
        entity_id = f"{year}/{result.institution_id}/v{result.version}"
        action = changes.get("state", result.state)
        self.audit_log.append("result", entity_id, action, actor.why, actor.by, actor.at, before, after)

    def set_stage(self, cycle: Cycle, actor: Actor) -> None:
        stage = stage_of(r.state for r in self.current(cycle))
        if stage != cycle.stage:
            self.audit_log.append("cycle", str(cycle.year), stage, actor.why, actor.by, actor.at,
                                  {"stage": cycle.stage}, {"stage": stage})
            cycle.stage = stage

    def record_share(self, cycle: Cycle, sequence: int, shared_on: date, path: str, digest: str,
                     actor: Actor) -> None:
        self.tables.add("share_packages", SharePackage(cycle_id=cycle.id, sequence=sequence, shared_on=shared_on,
                                                       path=path, digest=digest, created_at=actor.at))
        self.audit_log.append("share", f"{cycle.year}/{sequence}", "shared", actor.why, actor.by, actor.at, None,
                              {"path": path, "digest": digest, "shared_on": shared_on.isoformat()})


def _formatted(result: Result) -> dict[str, Any]:
    """A result as Repository.current_results formats it: results.csv text, '' for empty."""
    record = {name: "" if getattr(result, name) is None else getattr(result, name) for name in FRAME_COLUMNS}
    for name in POINT_COLUMNS:
        if getattr(result, name) is not None:
            record[name] = f"{getattr(result, name):.1f}"
    record["clause"] = "" if result.clause is None else str(result.clause)
    return record


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
