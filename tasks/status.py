"""`cycle status`: stage, results by state, open deadlines with working days left, what is overdue (CLI.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from credit.calendar import WorkCalendar
from credit.lifecycle import DETERMINED, IN_PUBLICITY, UNDER_REVIEW, Procedure, Suspension, review_deadline
from credit.rules import Rules
from tasks.drop_io import read_snapshot_table
from tasks.supervision import recorded_events


@dataclass(frozen=True)
class StatusInput:
    """Which cycle, counted from which day."""

    year: int
    as_of: date


@dataclass(frozen=True)
class CycleStatus:
    """CLI.md `cycle status --json`: scores as one-decimal strings, absent dates null."""

    year: int
    as_of: str
    stage: str
    counts: dict[str, int]
    results: list[dict[str, Any]]
    objections: list[dict[str, Any]]
    recorded_events_since: list[str]
    deadlines: list[dict[str, Any]]
    overdue: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def cycle_status(uow, rules: Rules, given: StatusInput) -> CycleStatus:
    """The cycle's state on `as_of`: deadlines of 第十八—二十条 in working days, overdue ones named (R-17)."""
    lifecycle = uow.lifecycle
    cycle = lifecycle.cycle(given.year)
    results = [_result(r) for r in lifecycle.current(cycle)]
    objections = [_objection(o, lifecycle.suspensions(o), rules.calendar, rules.procedure)
                  for o in lifecycle.objections(cycle)]
    deadlines, overdue = _deadlines(results, objections, given.as_of, rules.calendar)
    return CycleStatus(
        year=given.year, as_of=given.as_of.isoformat(), stage=cycle.stage,
        counts=dict(sorted(Counter(r["state"] for r in results).items())), results=results,
        objections=objections, recorded_events_since=recorded_since(uow, rules, cycle), deadlines=deadlines,
        overdue=overdue,
    )


def recorded_since(uow, rules: Rules, cycle) -> list[str]:
    """Ids of the events the store records now for the period that the cycle's snapshot does not hold as
    they are (recorded or verified since the evaluation): `credit rescore --recorded-events` takes them in."""
    now = recorded_events(uow, cycle.period_start, cycle.period_end, rules)
    then = read_snapshot_table(Path(uow.lifecycle.snapshot_path(cycle)), "recorded_events")
    held = set() if then is None else set(_rows(then))
    return sorted({row[0] for row in _rows(now) if row not in held})


def _rows(frame) -> list[tuple]:
    return list(frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _result(result) -> dict:
    return {
        "institution_id": result.institution_id, "state": result.state,
        "score": None if result.score is None else f"{result.score:.1f}", "grade": result.grade,
        "clause": result.clause, "version": result.version, "publicity_on": _iso(result.publicity_on),
        "publicity_last_day": _iso(result.publicity_last_day), "determined_on": _iso(result.determined_on),
        "publish_by": _iso(result.publish_by), "published_on": _iso(result.published_on),
        "shared_on": _iso(result.shared_on),
    }


def _objection(objection, spans, calendar: WorkCalendar, procedure: Procedure) -> dict:
    review_by = None
    if objection.admissible:
        review_by = review_deadline(calendar, objection.received_on,
                                    [Suspension(s.start, s.end) for s in spans], procedure)
    return {
        "id": objection.id, "institution_id": objection.institution_id,
        "received_on": objection.received_on.isoformat(), "admissible": objection.admissible,
        "reason": objection.reason, "review_by": _iso(review_by), "decision": objection.decision,
        "decided_on": _iso(objection.decided_on),
    }


def _deadlines(results, objections, as_of, calendar) -> tuple[list[dict], list[dict]]:
    """Open deadlines (working days left from as_of) and the ones already passed."""
    open_: list[dict] = []
    overdue: list[dict] = []
    for r in results:
        if r["state"] in (IN_PUBLICITY, UNDER_REVIEW) and r["publicity_last_day"]:
            open_.append(_deadline("publicity ends", r["institution_id"], r["publicity_last_day"], as_of, calendar))
        if r["state"] == DETERMINED and r["publish_by"]:
            item = _deadline("publish by", r["institution_id"], r["publish_by"], as_of, calendar)
            (overdue if item["working_days_left"] < 0 else open_).append(item)
        if r["published_on"] and r["publish_by"] and r["published_on"] > r["publish_by"]:
            overdue.append({"what": "published late", "institution_id": r["institution_id"],
                            "date": r["publish_by"], "done_on": r["published_on"]})
    for o in objections:
        if o["admissible"] and o["decision"] is None and o["review_by"]:
            item = _deadline(f"review objection {o['id']}", o["institution_id"], o["review_by"], as_of, calendar)
            (overdue if item["working_days_left"] < 0 else open_).append(item)
    return open_, overdue


def _deadline(what: str, institution_id: str, day: str, as_of: date, calendar: WorkCalendar) -> dict:
    left = calendar.working_days_between(as_of, date.fromisoformat(day))
    return {"what": what, "institution_id": institution_id, "date": day, "working_days_left": left}
