"""Dates and rules of the procedure after scoring (第十八—二十条; R-15–R-17; CLI.md "Dates of the lifecycle").

Pure functions over dates: the store keeps the state, the flows advance it, and this module says what
each deadline is and what a result's next state should be on a given day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from credit.calendar import WorkCalendar

# The states of a result, listed once. A cycle's stage is the least advanced state among its
# current results, in STAGE_ORDER; a revoked version (第十七条) is no longer current's concern.
SCORED, IN_PUBLICITY, UNDER_REVIEW = "scored", "in_publicity", "under_review"
DETERMINED, PUBLISHED, SHARED, REVOKED = "determined", "published", "shared", "revoked"
STAGE_ORDER = (SCORED, IN_PUBLICITY, UNDER_REVIEW, DETERMINED, PUBLISHED, SHARED)
STATES = (*STAGE_ORDER, REVOKED)
STARTED = (IN_PUBLICITY, UNDER_REVIEW, DETERMINED, PUBLISHED, SHARED)  # publicity has begun (第十八条)
GIVEN = (PUBLISHED, SHARED)  # a grade the public has seen: revoked, not just replaced (第十七条)
STATE_NAMES = {
    SCORED: "已评分", IN_PUBLICITY: "公示中", UNDER_REVIEW: "异议复核中", DETERMINED: "已确定",
    PUBLISHED: "已公布", SHARED: "已共享", REVOKED: "已撤销",
}
LATE = "逾期提出异议，视为无异议（第十九条）"
NO_EVIDENCE = "未提供佐证材料，视为无异议（第十九条）"


@dataclass(frozen=True)
class Procedure:
    """The time limits of rules/procedure.yaml, in working days."""

    publicity: int
    review: int
    publication: int

    @classmethod
    def from_rules(cls, rules: dict[str, Any]) -> Procedure:
        return cls(
            publicity=int(rules["publicity_working_days"]),
            review=int(rules["objection_review_working_days"]),
            publication=int(rules["publication_working_days"]),
        )


@dataclass(frozen=True)
class Window:
    """A publicity window (第十八条): published on `first_day`, objections in time up to `last_day`."""

    first_day: date
    last_day: date


def publicity_window(calendar: WorkCalendar, published_on: date, procedure: Procedure) -> Window:
    """R-15: the window's last day is add_working_days(P, 15)."""
    return Window(published_on, calendar.add_working_days(published_on, procedure.publicity))


def admissibility(received_on: date, has_evidence: bool, window: Window) -> tuple[bool, str | None]:
    """R-16: late or without evidence is deemed no objection (recorded, not reviewed), with the reason."""
    if received_on > window.last_day:
        return False, LATE
    if not has_evidence:
        return False, NO_EVIDENCE
    return True, None


@dataclass(frozen=True)
class Suspension:
    """On-site verification or monitoring for an objection: its working days do not count (R-16)."""

    start: date
    end: date | None  # None: still going on, the clock is stopped


def review_deadline(
    calendar: WorkCalendar, received_on: date, suspensions: Iterable[Suspension], procedure: Procedure
) -> date | None:
    """R-16: 15 working days from receipt, excluding suspensions; None while a suspension is open."""
    spans = list(suspensions)
    if any(s.end is None for s in spans):
        return None
    return calendar.add_working_days(received_on, procedure.review,
                                     exclude=[(s.start, s.end) for s in spans if s.end is not None])


def determination_date(window: Window, decisions: Sequence[date]) -> date:
    """CLI.md: the later of the day after the window's last day and the day the last objection was decided."""
    after_window = window.last_day + timedelta(days=1)
    return max([after_window, *decisions])


def publish_by(calendar: WorkCalendar, determined_on: date, procedure: Procedure) -> date:
    """R-17: publication and sharing within 7 working days after determination."""
    return calendar.add_working_days(determined_on, procedure.publication)


def publicize_again(calendar: WorkCalendar, on: date, procedure: Procedure, reason: str) -> dict[str, object]:
    """第十八条: a changed result (objection upheld, 第十七条, re-scoring) is publicised anew from `on`.

    The lifecycle fields the new version gets; the store only applies them (and audits the move).
    """
    window = publicity_window(calendar, on, procedure)
    return {"state": IN_PUBLICITY, "publicity_on": on, "publicity_last_day": window.last_day, "change_reason": reason}


def stage_of(states: Iterable[str]) -> str:
    """A cycle's stage: the least advanced state among its current results, revoked ones aside."""
    present = set(states) - {REVOKED}
    return next((s for s in STAGE_ORDER if s in present), SHARED)


@dataclass(frozen=True)
class ResultDates:
    """What the lifecycle rules read of one result version: its state and lifecycle dates."""

    institution_id: str
    version: int
    state: str
    publicity_on: date | None = None
    publicity_last_day: date | None = None
    determined_on: date | None = None
    publish_by: date | None = None
    published_on: date | None = None
    shared_on: date | None = None
    revoked_on: date | None = None

    @classmethod
    def of(cls, result: Any) -> ResultDates:
        """The view of anything that carries a result's fields (a stored result version)."""
        return cls(**{name: getattr(result, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ObjectionView:
    """What the lifecycle rules read of one objection (第十九条): whom it concerns and whether it is decided."""

    institution_id: str
    result_version: int
    admissible: bool
    decision: str | None = None
    decided_on: date | None = None


def next_state(
    result: ResultDates, objections: Iterable[ObjectionView], as_of: date, calendar: WorkCalendar,
    procedure: Procedure,
) -> dict[str, object] | None:
    """第十九、二十条: the lifecycle fields a result in publicity moves to on `as_of`, or None when it stays.

    An admissible objection to this version that is not decided keeps it under review; otherwise it is
    in publicity up to the window's last day, and determined from the later of the day after it and the
    last decision (CLI.md "Determination"), with its publish-by date (R-17).
    """
    if result.state not in (IN_PUBLICITY, UNDER_REVIEW):
        return None
    mine = [o for o in objections if o.institution_id == result.institution_id and o.admissible
            and o.result_version == result.version]
    changes = _transition(result, mine, as_of, calendar, procedure)
    return None if changes is None or changes["state"] == result.state else changes


def _transition(result: ResultDates, objections: list[ObjectionView], as_of: date, calendar: WorkCalendar,
                procedure: Procedure) -> dict[str, object] | None:
    if any(o.decision is None for o in objections):
        return {"state": UNDER_REVIEW}
    if result.publicity_on is None or result.publicity_last_day is None:
        raise ValueError(f"{result.institution_id} v{result.version} is {result.state} without a publicity window")
    window = Window(result.publicity_on, result.publicity_last_day)
    if as_of <= window.last_day:
        return {"state": IN_PUBLICITY}
    determined = determination_date(window, [o.decided_on for o in objections if o.decided_on is not None])
    if determined > as_of:
        return None
    return {"state": DETERMINED, "determined_on": determined, "publish_by": publish_by(calendar, determined, procedure)}


@dataclass(frozen=True)
class ListDates:
    """The dates a final list or a share package states (第二十条): determined on, published on."""

    determined_on: date
    published_on: date


def final_list_dates(current: Iterable[ResultDates], revoked_on: Iterable[date]) -> ListDates:
    """第二十条: the final list is dated by its latest publication (else the latest 第十七条 revocation)."""
    dated = [r for r in current if r.published_on is not None]
    published = max((r.published_on for r in dated if r.published_on), default=None) or max(revoked_on)
    determined = max((r.determined_on for r in dated if r.determined_on), default=published)
    return ListDates(determined, published)


def package_dates(current: Iterable[ResultDates], shared_on: date) -> ListDates:
    """第二十条: a share package states the latest determination and publication (else the day it is shared)."""
    dated = [r for r in current if r.determined_on is not None]
    determined = max((r.determined_on for r in dated if r.determined_on), default=shared_on)
    published = max((r.published_on or shared_on for r in dated), default=shared_on)
    return ListDates(determined, published)
