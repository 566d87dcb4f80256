"""State of each result after scoring, moved by rule and recorded in the audit log (R-15–R-17, R-21).

scored → in_publicity → (under_review) → determined → published → shared; revoked (第十七条).
Every transition is an UPDATE of the current result row plus one audit row with before and after.
Every query the lifecycle needs lives here; the rules of the transitions are in credit/lifecycle.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credit.lifecycle import REVOKED, SHARED, stage_of
from store.audit import AuditLog
from store.models import Cycle, Objection, ObjectionSuspension, Result, SharePackage, Snapshot
from store.repository import Repository

if TYPE_CHECKING:  # pandas only where a frame is made (issue 14: `cycle status` does without it)
    import pandas as pd


@dataclass(frozen=True)
class Actor:
    """Who moves the state, when, and why (R-21)."""

    by: str
    at: datetime
    why: str


class Lifecycle:
    """Reads and moves the lifecycle state of one database, inside the caller's transaction."""

    def __init__(self, session: Session, audit_log: AuditLog | None = None) -> None:
        self.session = session
        self.repository = Repository(session, audit_log)

    # ---- reading -----------------------------------------------------------------------------------

    def cycle(self, year: int) -> Cycle:
        cycle = self.repository.cycle(year)
        if cycle is None:
            raise LookupError(f"{year} 年度尚无已保存的评价结果：请先运行 `credit evaluate --year {year}`")
        return cycle

    def open_cycles(self) -> list[Cycle]:
        """Cycles whose results are not all shared yet."""
        return list(self.session.scalars(select(Cycle).where(Cycle.stage != SHARED).order_by(Cycle.year)))

    def current(self, cycle: Cycle, state: str | None = None) -> list[Result]:
        query = select(Result).where(Result.cycle_id == cycle.id, Result.is_current.is_(True))
        if state is not None:
            query = query.where(Result.state == state)
        return list(self.session.scalars(query.order_by(Result.institution_id)))

    def revoked(self, cycle: Cycle) -> list[Result]:
        """The versions whose grade a 第十七条 event revoked, oldest first."""
        query = select(Result).where(Result.cycle_id == cycle.id, Result.state == REVOKED)
        return list(self.session.scalars(query.order_by(Result.version)))

    def results_frame(self, cycle: Cycle) -> pd.DataFrame:
        """The cycle's current results formatted as results.csv, with snapshot, version and state."""
        self.session.flush()
        return self.repository.current_results(cycle.year)

    def objections(self, cycle: Cycle, institution_id: str | None = None) -> list[Objection]:
        query = select(Objection).where(Objection.cycle_id == cycle.id)
        if institution_id is not None:
            query = query.where(Objection.institution_id == institution_id)
        return list(self.session.scalars(query.order_by(Objection.received_on, Objection.id)))

    def suspensions(self, objection: Objection) -> list[ObjectionSuspension]:
        """The on-site verification intervals of an objection (第十九条), in the order recorded."""
        query = select(ObjectionSuspension).where(ObjectionSuspension.objection_id == objection.id)
        return list(self.session.scalars(query.order_by(ObjectionSuspension.id)))

    def snapshot_path(self, cycle: Cycle) -> str:
        """Where the cycle's snapshot is kept (var/snapshots/<hex>)."""
        snapshot = self.session.get(Snapshot, cycle.snapshot)
        if snapshot is None:
            raise LookupError(f"snapshot {cycle.snapshot} of cycle {cycle.year} is not recorded")
        return snapshot.path

    def shares(self, cycle: Cycle) -> list[SharePackage]:
        query = select(SharePackage).where(SharePackage.cycle_id == cycle.id).order_by(SharePackage.sequence)
        return list(self.session.scalars(query))

    # ---- writing -----------------------------------------------------------------------------------

    def move(self, result: Result, actor: Actor, **changes: Any) -> None:
        """Set lifecycle fields of a result and append the audit row (before/after of what changed)."""
        before = {k: _plain(getattr(result, k)) for k in changes}
        after = {k: _plain(v) for k, v in changes.items()}
        if before == after:
            return
        for key, value in changes.items():
            setattr(result, key, value)
        entity_id = f"{self._year_of(result)}/{result.institution_id}/v{result.version}"
        action = changes.get("state", result.state)
        self.repository.audit("result", entity_id, action, actor.why, actor.by, actor.at, before, after)

    def _year_of(self, result: Result) -> int:
        cycle = self.session.get(Cycle, result.cycle_id)
        assert cycle is not None
        return cycle.year

    def set_stage(self, cycle: Cycle, actor: Actor) -> None:
        """The cycle's stage: the least advanced state among its current results (revoked ones aside)."""
        stage = stage_of(r.state for r in self.current(cycle))
        if stage != cycle.stage:
            self.repository.audit("cycle", str(cycle.year), stage, actor.why, actor.by, actor.at,
                                  {"stage": cycle.stage}, {"stage": stage})
            cycle.stage = stage

    def record_share(self, cycle: Cycle, sequence: int, shared_on: date, path: str, digest: str,
                     actor: Actor) -> None:
        """第二十条: a package written to the outbox, and its audit row."""
        self.session.add(SharePackage(cycle_id=cycle.id, sequence=sequence, shared_on=shared_on, path=path,
                                      digest=digest, created_at=actor.at))
        self.repository.audit("share", f"{cycle.year}/{sequence}", "shared", actor.why, actor.by, actor.at, None,
                              {"path": path, "digest": digest, "shared_on": shared_on.isoformat()})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
