"""The evaluation's save (R-12, R-21): one use case over a writing unit of work, and its Prefect task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from credit.lifecycle import SCORED, STATE_NAMES
from credit.rules import Rules
from credit.scoring import Scored
from store.repository import CycleStartedError, SaveReport
from store.uow import Store
from tasks.drop_io import Drop
from tasks.progress import step
from tasks.retries import MINUTE, io_task
from tasks.validation import Validated


@dataclass(frozen=True)
class SaveInput:
    """One evaluation as the flow made it: the drop and its snapshot, what validation kept, what was scored."""

    as_of: date
    drop: Drop
    snapshot_path: Path
    validated: Validated
    scored: Scored
    by: str
    at: datetime


def save_evaluation(uow, rules: Rules, given: SaveInput) -> SaveReport:
    """Registry facts, results with findings, quarantine and warnings of the period's cycle, or nothing when unchanged."""
    start = rules.period_start
    return uow.evaluations.save_evaluation(
        year=start.year, period_start=start, period_end=date(start.year, 12, 31), as_of=given.as_of,
        index_version=rules.index.version, snapshot=given.drop.snapshot, origin=given.drop.origin,
        snapshot_path=str(given.snapshot_path), row_counts=_row_counts(given.validated),
        registry=given.validated.tables["institutions"], results=given.scored.results,
        findings=given.scored.findings, quarantine=given.validated.quarantine,
        warnings=given.validated.warnings, by=given.by, at=given.at,
    )


def _row_counts(validated: Validated) -> dict[str, int]:
    counts = validated.counts
    return {str(t): int(n) for t, n in zip(counts["table"], counts["read"], strict=True)}


def refuse_if_started(store: Store, year: int) -> None:
    """R-15, checked before the drop is pulled: a cycle whose publicity has begun is not evaluated again.

    The save refuses it too (store.repository), but only after the pull, validation and scoring. Here the
    check needs no data, so it runs first. An identical rerun, which the save would accept as "unchanged",
    is refused as well: once publicity has begun, results change only through `credit rescore` or an
    objection decision, which publicise them again (第十八条); a rerun of `evaluate` has nothing to add.
    """
    with store.unit_of_work(write=False) as uow:
        current = uow.evaluations.current_results(year)
    started = sorted(set(current["state"]) - {SCORED}) if len(current) else []
    if started:
        raise CycleStartedError(
            f"{year}年度评价周期已进入公示（结果状态：{'、'.join(STATE_NAMES.get(s, s) for s in started)}），"
            f"不再重新评价。请用 `credit rescore --year {year} --recorded-events` 或异议复核决定变更结果，"
            "变更后将重新公示（第十八条）"
        )


def save_step(store: Store, rules: Rules, given: SaveInput) -> SaveReport:
    """The save in one writing unit of work of `store`: all of it, or nothing."""
    with step("save"), store.unit_of_work() as uow:
        return save_evaluation(uow, rules, given)


# One transaction: a retry after a dropped connection starts it again from nothing.
save_task = io_task("save evaluation", timeout_seconds=15 * MINUTE)(save_step)
