"""Detected (auto) indicators: computed from the drop's tables, never typed in (INDEX_SYSTEM.md).

Each detector takes the facts of the rated institutions and returns findings: one row per
occurrence with institution_id, indicator, date, evidence and raw points (tenths).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from credit.calendar import WorkCalendar
from credit.contract import KEY_ROLES, MATERIAL_ITEMS
from credit.frames import (
    NAT,
    day,
    days,
    encode,
    equals,
    explode_lists,
    held_on,
    iso,
    list_items,
    member,
    texts,
)
from credit.indexsystem import IndexSystem, Indicator

T = TypeVar("T")


@dataclass(frozen=True)
class Period:
    """The evaluation period (第十四条: the previous calendar year) and the day the run looks from."""

    year: int
    start: date
    end: date
    as_of: date

    @classmethod
    def for_year(cls, year: int, as_of: date) -> Period:
        period = cls(year, date(year, 1, 1), date(year, 12, 31), as_of)
        if as_of <= period.end:
            raise ValueError(f"--as-of {as_of.isoformat()} must be after the period's last day {period.end}")
        return period


@dataclass(frozen=True)
class Facts:
    """What the detectors read: the rated institutions and the positions of their in-period activities."""

    period: Period
    index: IndexSystem
    calendar: WorkCalendar
    registry: pd.DataFrame  # accepted institutions rows of the rated institutions, one per id
    activities: pd.DataFrame  # every valid activity (not copied: millions of rows)
    eligible: np.ndarray  # positions of rated institutions' activities with sampled_on in the period
    tables: dict[str, pd.DataFrame]
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def institutions(self) -> pd.Index:
        """The rated institution ids: the vocabulary of institution codes."""
        return pd.Index(self.registry["institution_id"].to_numpy(dtype=object))

    def of_rated(self, table: str) -> pd.DataFrame:
        frame = self.tables[table]
        return frame[member(frame["institution_id"], self.institutions)]

    def is_value(self, name: str, value: str) -> np.ndarray:
        """Per eligible activity: its `name` cell equals `value`, compared on the whole column, then taken."""
        return np.asarray(equals(self.activities[name], value)[self.eligible], dtype=bool)

    def codes(self, name: str, vocabulary: pd.Index, at: np.ndarray | None = None) -> np.ndarray:
        """Per eligible activity (or those at `at`): the code of its `name` cell in `vocabulary` (see encode)."""
        rows = self.eligible if at is None else self.eligible[at]
        return encode(self.activities[name], vocabulary, rows)

    def dates(self, name: str) -> np.ndarray:
        """A date column of the activities at the eligible positions (converted once: several detectors read it)."""
        return self.remember(f"dates:{name}", lambda: days(self.activities[name])[self.eligible])

    def institution_codes(self) -> np.ndarray:
        """Per eligible activity: the code of its institution in `institutions`."""
        return self.remember("inst", lambda: self.codes("institution_id", self.institutions))

    def sampled(self) -> np.ndarray:
        return self.dates("sampled_on")

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per Facts: what several detectors read is derived the first time it is asked for."""
        if key not in self.memo:
            self.memo[key] = compute()
        value: T = self.memo[key]
        return value


def finding_frame(institutions: Collection[Any], indicator: Indicator, dates: Collection[Any],
                  evidence: Collection[Any], raw: np.ndarray | None = None) -> pd.DataFrame:
    """Findings of one indicator; raw points default to the indicator's points."""
    count = len(institutions)
    raw_points = np.full(count, indicator.points, dtype=np.int64) if raw is None else raw
    return pd.DataFrame({
        "institution_id": np.asarray(institutions, dtype=object),
        "indicator": np.full(count, indicator.code, dtype=object),
        "date": np.asarray(dates, dtype="datetime64[D]"),
        "evidence": np.asarray(evidence, dtype=object),
        "raw": np.asarray(raw_points, dtype=np.int64),
    })


def _per_activity(facts: Facts, indicator: Indicator, hits: np.ndarray) -> pd.DataFrame:
    """One finding per eligible activity at positions `hits`, dated sampled_on, evidence its id."""
    rows = facts.eligible[hits]
    return finding_frame(
        facts.activities["institution_id"].iloc[rows].to_numpy(dtype=object),
        indicator,
        facts.sampled()[hits],
        facts.activities["activity_id"].iloc[rows].to_numpy(dtype=object),
    )


def _keys(first: np.ndarray, second: np.ndarray, width: int) -> np.ndarray:
    """One int64 key for a pair of codes (-1 in either part gives -1: matches nothing)."""
    return np.where((first < 0) | (second < 0), -1, first * max(width, 1) + second)


# --- 基本素质 basic ---------------------------------------------------------------------------------

def late_change_filing(facts: Facts) -> pd.DataFrame:
    """JB-01 (第六条, R-05): filing deadline in the period and the change filed after it, or never."""
    indicator = facts.index.detector("late_change_filing")
    changes = facts.of_rated("changes")
    changes = changes[changes["changed_on"].notna().to_numpy()]
    changed = days(changes["changed_on"])
    deadlines = _one_month_deadlines(facts.calendar, changed)
    filed = days(changes["filed_on"])
    in_period = (deadlines >= day(facts.period.start)) & (deadlines <= day(facts.period.end))
    hit = in_period & (np.isnat(filed) | (filed > deadlines))
    evidence = "change:" + texts(changes["item"])[hit] + ":" + iso(changed[hit]).astype(object)
    return finding_frame(texts(changes["institution_id"])[hit], indicator, deadlines[hit], evidence)


def _one_month_deadlines(calendar: WorkCalendar, changed: np.ndarray) -> np.ndarray:
    """R-05 deadlines, computed once per distinct change date."""
    unique = np.unique(changed)
    if not len(unique):
        return changed.copy()
    moved = np.array([np.datetime64(calendar.one_month_deadline(d.item()), "D") for d in unique])
    return moved[np.searchsorted(unique, changed)]


def missing_materials(facts: Facts) -> pd.DataFrame:
    """JB-02 (第五条): each distinct known missing item once; unknown items were warned about."""
    indicator = facts.index.detector("missing_materials")
    known = pd.Index(MATERIAL_ITEMS, dtype=object)
    rows, items = explode_lists(facts.registry["materials_missing"], known)
    pairs = pd.DataFrame({"row": rows, "item": items})
    pairs = pairs[pairs["item"] >= 0].drop_duplicates()
    institutions = texts(facts.registry["institution_id"])[pairs["row"].to_numpy()]
    evidence = "materials:" + known.to_numpy(dtype=object)[pairs["item"].to_numpy()]
    return finding_frame(institutions, indicator, np.full(len(pairs), day(facts.period.end)), evidence)


def vacant_key_role(facts: Facts) -> pd.DataFrame:
    """JB-03 (第五条): a key role uncovered on more than N days in the window, counted in total."""
    indicator = facts.index.detector("vacant_key_role")
    limit = int(indicator.params["vacant_days_over"])
    window = _role_windows(facts)
    grid = window.merge(pd.DataFrame({"role": KEY_ROLES}), how="cross")
    grid = grid.merge(_covered_days(facts, window), on=["institution_id", "role"], how="left")
    window_days = (grid["end"] - grid["start"]).to_numpy().astype("timedelta64[D]").astype(np.int64) + 1
    uncovered = window_days - grid["covered"].fillna(0).to_numpy(dtype=np.int64)
    hit = grid[uncovered > limit]
    period_end = np.full(len(hit), day(facts.period.end))
    return finding_frame(hit["institution_id"], indicator, period_end, "role:" + hit["role"])


def _role_windows(facts: Facts) -> pd.DataFrame:
    """[max(period_start, registered_on), period_end] per rated institution."""
    start = np.maximum(days(facts.registry["registered_on"]), day(facts.period.start))
    return pd.DataFrame({
        "institution_id": texts(facts.registry["institution_id"]),
        "start": start,
        "end": np.full(len(start), day(facts.period.end)),
    })


def _covered_days(facts: Facts, window: pd.DataFrame) -> pd.DataFrame:
    """Days of each window on which somebody held each key role (union of the holding intervals)."""
    people = facts.of_rated("personnel")
    people = people[people["role"].isin(KEY_ROLES).to_numpy(dtype=bool, na_value=False)]
    held = pd.DataFrame({
        "institution_id": texts(people["institution_id"]),
        "role": texts(people["role"]),
        "from": days(people["valid_from"]),
        "to": days(people["valid_to"]),
    }).merge(window, on="institution_id")
    # Empty valid_from: held since before the window; empty valid_to: still held (inclusive bounds).
    lo = np.where(np.isnat(held["from"]), held["start"], np.maximum(held["from"], held["start"]))
    hi = np.where(np.isnat(held["to"]), held["end"], np.minimum(held["to"], held["end"]))
    spans = pd.DataFrame({"institution_id": held["institution_id"], "role": held["role"], "lo": lo, "hi": hi})
    spans = spans[spans["lo"] <= spans["hi"]].sort_values(["institution_id", "role", "lo"])
    return _union_lengths(spans)


def _union_lengths(spans: pd.DataFrame) -> pd.DataFrame:
    """Total days covered by the union of [lo, hi] spans per (institution, role)."""
    keys = ["institution_id", "role"]
    if spans.empty:
        return pd.DataFrame(columns=keys + ["covered"])
    reach = spans.groupby(keys, sort=False)["hi"].cummax()
    before = reach.groupby([spans["institution_id"], spans["role"]], sort=False).shift()
    fresh = before.isna() | (spans["lo"] > before + pd.Timedelta(days=1))
    merged = spans.assign(segment=fresh.cumsum()).groupby("segment").agg(
        institution_id=("institution_id", "first"), role=("role", "first"), lo=("lo", "min"), hi=("hi", "max"),
    )
    merged["covered"] = (merged["hi"] - merged["lo"]).dt.days + 1
    return merged.groupby(keys, as_index=False)["covered"].sum()


def uncalibrated_equipment(facts: Facts) -> pd.DataFrame:
    """JB-04: an activity using unknown equipment, or equipment whose calibration ended before sampling."""
    indicator = facts.index.detector("uncalibrated_equipment")
    equipment = facts.of_rated("equipment")
    names = list_items(equipment["equipment_id"])
    rows, items = explode_lists(facts.activities["equipment_ids"], names, facts.eligible)
    institution = encode(equipment["institution_id"], facts.institutions)
    span_keys = _keys(institution, encode(equipment["equipment_id"], names), len(names))
    valid_to = days(equipment["calibration_valid_to"])
    calibrated = ~np.isnat(valid_to)  # an empty calibration_valid_to is no calibration at all
    keys = _keys(facts.institution_codes()[rows], items, len(names))
    ok = held_on(keys, facts.sampled()[rows], span_keys[calibrated],
                 np.full(calibrated.sum(), NAT), valid_to[calibrated])
    return _per_activity(facts, indicator, np.unique(rows[~ok]))


# --- 业务执行 execution -----------------------------------------------------------------------------

def late_activity_report(facts: Facts) -> pd.DataFrame:
    """YW-01 (第五条(二)): not reported within N working days after the report was issued."""
    indicator = facts.index.detector("late_activity_report")
    n = int(indicator.params["deadline_working_days"])
    issued = facts.dates("report_issued_on")
    submitted = facts.dates("submitted_on")
    has_report = ~np.isnat(issued)
    deadline = np.full(len(issued), NAT)
    deadline[has_report] = facts.calendar.add_working_days_many(issued[has_report], n)
    late = has_report & (
        (~np.isnat(submitted) & (submitted > deadline))
        | (np.isnat(submitted) & (deadline < day(facts.period.as_of)))
    )
    return _per_activity(facts, indicator, np.flatnonzero(late))


def _monitoring(facts: Facts) -> np.ndarray:
    """YW-02/03/04 read monitoring activities only (O&M issues no CMA report): eligible positions."""
    return np.flatnonzero(facts.is_value("kind", "monitoring"))


def no_valid_cma(facts: Facts) -> pd.DataFrame:
    """YW-03: no certificate of the institution valid on sampled_on."""
    no_cma, _ = _cma_verdicts(facts)
    return _per_activity(facts, facts.index.detector("no_valid_cma"), no_cma)


def beyond_cma_scope(facts: Facts) -> pd.DataFrame:
    """YW-02: a certificate is valid, but a parameter lies outside the union of the valid ones (not with YW-03)."""
    _, beyond = _cma_verdicts(facts)
    return _per_activity(facts, facts.index.detector("beyond_cma_scope"), beyond)


def _cma_verdicts(facts: Facts) -> tuple[np.ndarray, np.ndarray]:
    """Positions of monitoring activities with no valid certificate, and with a parameter out of scope."""
    return facts.remember("cma", lambda: _compute_cma_verdicts(facts))


def _compute_cma_verdicts(facts: Facts) -> tuple[np.ndarray, np.ndarray]:
    positions = _monitoring(facts)
    quals = facts.of_rated("qualifications")
    institution = encode(quals["institution_id"], facts.institutions)
    lo, hi = days(quals["valid_from"]), days(quals["valid_to"])
    inst = facts.institution_codes()[positions]
    sampled = facts.sampled()[positions]
    holds = held_on(inst, sampled, institution, lo, hi)
    names = list_items(quals["parameter_code"])
    rows, items = explode_lists(facts.activities["parameters"], names, facts.eligible[positions])
    span_keys = _keys(institution, encode(quals["parameter_code"], names), len(names))
    covered = held_on(_keys(inst[rows], items, len(names)), sampled[rows], span_keys, lo, hi)
    outside = np.zeros(len(positions), dtype=bool)
    outside[rows[~covered]] = True
    return positions[~holds], positions[holds & outside]


def unauthorized_signatory(facts: Facts) -> pd.DataFrame:
    """YW-04: the report's signatory did not hold authorized_signatory on report_issued_on (or is empty)."""
    indicator = facts.index.detector("unauthorized_signatory")
    positions = _monitoring(facts)
    issued = facts.dates("report_issued_on")[positions]
    # "An activity with a report": one with a report date; without it there is no day to check.
    with_report = ~np.isnat(issued)
    people = facts.of_rated("personnel")
    people = people[equals(people["role"], "authorized_signatory")]
    names = list_items(people["person_id"])
    span_keys = _keys(encode(people["institution_id"], facts.institutions), encode(people["person_id"], names),
                      len(names))
    signatory = facts.codes("signatory_id", names, positions)
    keys = _keys(facts.institution_codes()[positions], signatory, len(names))
    authorized = held_on(keys, issued, span_keys, days(people["valid_from"]), days(people["valid_to"]))
    return _per_activity(facts, indicator, positions[with_report & ~authorized])


# --- 经营管理 management ----------------------------------------------------------------------------

def conflict_of_interest(facts: Facts) -> pd.DataFrame:
    """JY-01 (第四条, R-02): one subject commissioned by both its regulator and itself in the period."""
    indicator = facts.index.detector("conflict_of_interest")
    role = np.where(facts.is_value("client_role", "regulator"), 0,
                    np.where(facts.is_value("client_role", "regulated"), 1, -1))
    subject, _ = pd.factorize(facts.activities["subject_id"], use_na_sentinel=True)
    subject = subject[facts.eligible]
    candidates = np.flatnonzero((role >= 0) & (subject >= 0))
    candidates = candidates[_both_roles(subject[candidates], role[candidates])]
    earliest = _earliest_per_group(facts, candidates, subject[candidates], role[candidates])
    regulator = earliest[earliest["role"] == 0]
    regulated = earliest[earliest["role"] == 1]
    both = regulator.merge(regulated, on=["inst", "subject"], suffixes=("_reg", "_own"))
    dates = np.maximum(both["sampled_reg"].to_numpy(), both["sampled_own"].to_numpy())
    ids = facts.activities["activity_id"]
    evidence = (ids.iloc[facts.eligible[both["pos_reg"].to_numpy()]].to_numpy(dtype=object) + ";"
                + ids.iloc[facts.eligible[both["pos_own"].to_numpy()]].to_numpy(dtype=object))
    institutions = facts.institutions.to_numpy(dtype=object)[both["inst"].to_numpy()]
    return finding_frame(institutions, indicator, dates, evidence)


def _both_roles(subject: np.ndarray, role: np.ndarray) -> np.ndarray:
    """Per row: its subject is commissioned by a regulator and by itself somewhere.

    A necessary condition for the pair (institution, subject) to be: it leaves the few rows that can
    matter before the per-pair work, instead of millions.
    """
    size = int(subject.max(initial=-1)) + 1
    by_regulator = np.bincount(subject[role == 0], minlength=size) > 0
    by_itself = np.bincount(subject[role == 1], minlength=size) > 0
    return np.asarray((by_regulator & by_itself)[subject], dtype=bool)


def _earliest_per_group(facts: Facts, candidates: np.ndarray, subject: np.ndarray, role: np.ndarray) -> pd.DataFrame:
    """The earliest activity (by sampled_on, then activity_id) per (institution, subject, role).

    Only subjects seen with both roles matter; ties on the first day are settled by activity_id.
    """
    inst = facts.institution_codes()[candidates]
    pair, _ = pd.factorize(inst * (int(subject.max(initial=0)) + 1) + subject)  # one code per (institution, subject)
    both = (np.bincount(pair, weights=role == 0) > 0) & (np.bincount(pair, weights=role == 1) > 0)
    mine = both[pair]
    frame = pd.DataFrame({
        "inst": inst[mine], "subject": subject[mine], "role": role[mine],
        "sampled": facts.sampled()[candidates][mine], "pos": candidates[mine],
    })
    first_day = frame["sampled"].groupby(pair[mine] * 2 + frame["role"].to_numpy()).transform("min")
    ties = frame[frame["sampled"].to_numpy() == first_day.to_numpy()]
    ids = facts.activities["activity_id"].iloc[facts.eligible[ties["pos"].to_numpy()]].to_numpy(dtype=object)
    ties = ties.assign(activity_id=ids).sort_values("activity_id")
    return ties.drop_duplicates(["inst", "subject", "role"])


DETECTORS = {
    "late_change_filing": late_change_filing,
    "missing_materials": missing_materials,
    "vacant_key_role": vacant_key_role,
    "uncalibrated_equipment": uncalibrated_equipment,
    "late_activity_report": late_activity_report,
    "no_valid_cma": no_valid_cma,
    "beyond_cma_scope": beyond_cma_scope,
    "unauthorized_signatory": unauthorized_signatory,
    "conflict_of_interest": conflict_of_interest,
}


def detect_all(facts: Facts) -> list[pd.DataFrame]:
    """The findings of every auto indicator the index system names."""
    names = sorted(i.detector for i in facts.index.indicators.values() if i.trigger == "auto" and i.detector)
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise ValueError(f"index system {facts.index.version} names unknown detectors: {', '.join(unknown)}")
    return [DETECTORS[name](facts) for name in names]
