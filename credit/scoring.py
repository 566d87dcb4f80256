"""Scores, grades and direct D for every institution in scope (第十四、十六、十七条; R-10–R-14).

INDEX_SYSTEM.md "How a score is computed" step by step: findings → caps walked in order →
score = base − deductions + bonus, clipped → grade by 第十六条 → 第十七条 overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from credit.calendar import WorkCalendar
from credit.detectors import Facts, Period, detect_all, finding_frame
from credit.frames import NAT, day, days, equals, iso, member, texts
from credit.indexsystem import Dimension, IndexSystem, Indicator, format_tenths

RESULT_COLUMNS = [
    "institution_id", "name", "county", "status", "score", "grade", "clause",
    "deduction_basic", "deduction_execution", "deduction_management", "deduction_integrity", "bonus",
    "index_version",
]
FINDING_COLUMNS = ["institution_id", "dimension", "indicator", "date", "raw_points", "points", "evidence"]
PENDING_COLUMNS = ["event_id", "institution_id", "indicator", "clause", "decided_on", "verified", "verified_on", "why"]


@dataclass(frozen=True)
class Scored:
    results: pd.DataFrame  # RESULT_COLUMNS, sorted by institution_id
    findings: pd.DataFrame  # FINDING_COLUMNS, sorted as findings.csv
    pending: pd.DataFrame  # events listed, never scored


def score(
    tables: dict[str, pd.DataFrame], index: IndexSystem, calendar: WorkCalendar, year: int, as_of: date,
    set_aside: frozenset[tuple[str, str, str]] = frozenset(),
) -> Scored:
    """Evaluate every institution in scope for the year (R-11) from validated tables.

    `set_aside` holds (institution_id, indicator, evidence) of detected findings a reviewer set aside on
    an upheld objection (第十九条): they are dropped before the caps are walked.
    """
    period = Period.for_year(year, as_of)
    activities = tables["activities"]
    in_period = _in_period(activities, period)
    scope = in_scope(tables, period, in_period)
    rated = pd.Index(scope["institution_id"][scope["status"] == "rated"].to_numpy(dtype=object))
    registry = tables["institutions"].drop_duplicates("institution_id")
    eligible = in_period & member(activities["institution_id"], rated)
    facts = Facts(
        period=period, index=index, calendar=calendar,
        registry=registry[member(registry["institution_id"], rated)],
        activities=activities, eligible=np.flatnonzero(eligible), tables=tables,
    )
    raw = pd.concat(detect_all(facts) + [event_findings(facts)], ignore_index=True)
    if set_aside:
        keys = list(zip(raw["institution_id"], raw["indicator"], raw["evidence"], strict=True))
        raw = raw[[key not in set_aside for key in keys]]
    counted = walk_caps(raw, index)
    results = _results(scope, counted, _direct_d_clauses(facts), index)
    return Scored(results=results, findings=_finding_rows(counted), pending=pending_events(tables, period))


def _in_period(activities: pd.DataFrame, period: Period) -> np.ndarray:
    """Activities count when period_start ≤ sampled_on ≤ period_end."""
    sampled = days(activities["sampled_on"])
    return (sampled >= day(period.start)) & (sampled <= day(period.end))


def in_scope(tables: dict[str, pd.DataFrame], period: Period, in_period: np.ndarray) -> pd.DataFrame:
    """Institutions with a valid activity in the period: rated if in the registry then, else not rated (R-11)."""
    activities = tables["activities"]
    ids = pd.Index(activities["institution_id"][in_period].unique().to_numpy(dtype=object))
    registry = tables["institutions"].drop_duplicates("institution_id")
    registry = registry.set_index(registry["institution_id"].to_numpy(dtype=object))
    status = np.where(ids.isin(_in_registry(registry, period)), "rated", "not_rated")
    scope = pd.DataFrame({"institution_id": ids.to_numpy(dtype=object), "status": status})
    names = _names_and_counties(scope, registry, activities, in_period)
    return scope.merge(names, on="institution_id", how="left").sort_values("institution_id", ignore_index=True)


def _in_registry(registry: pd.DataFrame, period: Period) -> pd.Index:
    """Registered on or before period_end and not removed on or before it (empty date = before)."""
    registered = days(registry["registered_on"])
    changed = days(registry["status_changed_on"])
    removed = equals(registry["status"], "removed") & (np.isnat(changed) | (changed <= day(period.end)))
    ok = ~np.isnat(registered) & (registered <= day(period.end)) & ~removed
    return registry.index[ok]


def _names_and_counties(
    scope: pd.DataFrame, registry: pd.DataFrame, activities: pd.DataFrame, in_period: np.ndarray
) -> pd.DataFrame:
    """Name and county from the registry; for an unregistered institution, from its activities.

    The activities give the name as reported and the county where most of its in-period work was done
    (ties: the county first seen), so a branch can still filter its own (R-01).
    """
    known = registry.reindex(scope["institution_id"])[["name", "county"]].astype(object)
    known = known.rename_axis("institution_id").reset_index()
    missing = known["name"].isna().to_numpy()
    if missing.any():
        ids = known.loc[missing, "institution_id"]
        mine = in_period & member(activities["institution_id"], pd.Index(ids.to_numpy(dtype=object)))
        acts = activities.loc[mine, ["institution_id", "institution_name", "county"]].astype(object)
        names = acts.dropna(subset=["institution_name"]).groupby("institution_id")["institution_name"].first()
        counties = acts.dropna(subset=["county"]).groupby("institution_id")["county"].agg(_most_common)
        known.loc[missing, "name"] = ids.map(names).to_numpy()
        known.loc[missing, "county"] = ids.map(counties).to_numpy()
    return known


def _most_common(values: pd.Series) -> str:
    counts = values.value_counts(sort=False)
    return str(counts.index[int(np.argmax(counts.to_numpy()))])


def verified_by_as_of(events: pd.DataFrame, period: Period) -> np.ndarray:
    """verified = true with verified_on on or before as_of (else pending, never scored: R-10)."""
    verified_on = days(events["verified_on"])
    is_true = equals(events["verified"], "true")
    return np.asarray(is_true & ~np.isnat(verified_on) & (verified_on <= day(period.as_of)))


def event_findings(facts: Facts) -> pd.DataFrame:
    """Event indicators: verified, verified by as_of, decided in the period; 第十七条 rows carry no points."""
    events = facts.of_rated("credit_events")
    decided = days(events["decided_on"])
    keep = verified_by_as_of(events, facts.period)
    keep &= (decided >= day(facts.period.start)) & (decided <= day(facts.period.end))
    keep &= events["clause"].isna().to_numpy() & events["indicator"].notna().to_numpy()
    chosen = events[keep]
    frames = [_events_of(chosen, facts.index, code) for code in pd.unique(chosen["indicator"].to_numpy(dtype=object))]
    return pd.concat(frames, ignore_index=True) if frames else finding_frame([], _any_event(facts.index), [], [])


def _events_of(events: pd.DataFrame, index: IndexSystem, code: str) -> pd.DataFrame:
    indicator = index.indicators[code]
    rows = events[events["indicator"] == code]
    raw = None
    if indicator.tiers:
        raw = np.array([indicator.tier_points(_amount(v)) for v in rows["amount_yuan"]], dtype=np.int64)
    return finding_frame(rows["institution_id"], indicator, days(rows["decided_on"]), rows["event_id"], raw)


def _amount(value: object) -> Decimal:
    """A fine in yuan; validation has already quarantined CX-02 rows without a plain decimal."""
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"amount_yuan {value!r} is not a plain decimal") from exc


def _any_event(index: IndexSystem) -> Indicator:
    return next(i for i in index.indicators.values() if i.trigger == "event")


def walk_caps(raw: pd.DataFrame, index: IndexSystem) -> pd.DataFrame:
    """Counted points: per dimension, in (date, indicator, evidence) order, against indicator and dimension caps."""
    codes, indicators = pd.factorize(raw["indicator"].to_numpy(dtype=object))
    indicator_of = [index.indicators[code] for code in indicators]
    dimension_cap = {d.code: d.cap for d in index.dimensions}
    frame = raw.assign(
        dimension=np.array([i.dimension for i in indicator_of], dtype=object)[codes],
        indicator_code=codes,
    )
    frame = frame.sort_values(["institution_id", "dimension", "date", "indicator", "evidence"], ignore_index=True)
    codes = frame.pop("indicator_code").to_numpy(dtype=np.int64)
    points = frame["raw"].to_numpy(dtype=np.int64)
    institution, _ = pd.factorize(frame["institution_id"].to_numpy(dtype=object))
    dimension, dimensions = pd.factorize(frame["dimension"].to_numpy(dtype=object))
    # Walking the rows in order, a row takes min(points, indicator room, dimension room). Until the
    # dimension's cap is reached every row takes what its indicator allows alone, and after it nothing:
    # so each cap is a clipped running total, the indicator's first, then the dimension's over that.
    caps = np.array([i.cap for i in indicator_of], dtype=np.int64)
    allowed = _within_cap(points, institution * len(indicators) + codes, caps[codes])
    caps = np.array([dimension_cap[d] for d in dimensions], dtype=np.int64)
    counted = _within_cap(allowed, institution * len(dimensions) + dimension, caps[dimension])
    return frame.assign(points=counted)


def _within_cap(points: np.ndarray, groups: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Per row in order: min(points, what the cap leaves after the earlier rows of its group took theirs).

    `groups` is one integer code per row (institution and indicator, or institution and dimension).
    """
    before = pd.Series(points).groupby(groups, sort=False).cumsum()
    taken_before = before.to_numpy(dtype=np.int64) - points
    return np.asarray(np.minimum(points, np.maximum(caps - taken_before, 0)), dtype=np.int64)


def _direct_d_clauses(facts: Facts) -> pd.Series:
    """第十七条 (R-14): the lowest verified clause decided by as_of and in, or lasting into, the period."""
    events = facts.of_rated("credit_events")
    period = facts.period
    decided = days(events["decided_on"])
    if "effective_until" in events.columns:
        until = days(events["effective_until"])
    else:
        until = np.full(len(events), NAT)
    keep = events["clause"].notna().to_numpy() & verified_by_as_of(events, period)
    keep &= ~np.isnat(decided) & (decided <= day(period.as_of))
    keep &= (decided >= day(period.start)) | (~np.isnat(until) & (until >= day(period.start)))
    chosen = events[keep]
    clause = pd.to_numeric(chosen["clause"].astype(object)).astype(np.int64)
    return clause.groupby(chosen["institution_id"].to_numpy(dtype=object)).min()


def _results(scope: pd.DataFrame, counted: pd.DataFrame, clauses: pd.Series, index: IndexSystem) -> pd.DataFrame:
    """One row per institution in scope; not-rated rows carry no score, grade, clause or points."""
    sums = counted.pivot_table(index="institution_id", columns="dimension", values="points", aggfunc="sum")
    out = scope[["institution_id", "name", "county", "status"]].copy()
    rated = (out["status"] == "rated").to_numpy()
    totals = np.full(len(out), index.base, dtype=np.int64)
    for dim in index.dimensions:
        points = sums[dim.code] if dim.code in sums else pd.Series(dtype="int64")
        value = out["institution_id"].map(points).fillna(0).astype(np.int64).to_numpy()
        totals += value if dim.is_bonus else -value
        out[_column_of(dim)] = np.where(rated, tenths_text(value), "")
    scores = np.clip(totals, index.floor, index.ceiling)
    clause = out["institution_id"].map(clauses)
    grades = [
        index.direct_grade if not pd.isna(c) else index.grade_for(int(s)) for s, c in zip(scores, clause, strict=True)
    ]
    out["score"] = np.where(rated, tenths_text(scores), "")
    out["grade"] = np.where(rated, grades, "")
    out["clause"] = np.where(rated & clause.notna().to_numpy(), clause.map(_clause_text).to_numpy(), "")
    out["index_version"] = index.version
    return out[RESULT_COLUMNS].fillna("")


def tenths_text(values: np.ndarray) -> np.ndarray:
    """`format_tenths` of every value, each distinct value formatted once (object array)."""
    distinct, where = np.unique(np.asarray(values, dtype=np.int64), return_inverse=True)
    texts = np.array([format_tenths(int(v)) for v in distinct], dtype=object)
    return np.asarray(texts[where.reshape(-1)], dtype=object)


def _clause_text(value: Any) -> str:
    return "" if pd.isna(value) else str(int(value))


def _column_of(dimension: Dimension) -> str:
    return "bonus" if dimension.is_bonus else f"deduction_{dimension.code}"


def _finding_rows(counted: pd.DataFrame) -> pd.DataFrame:
    """findings.csv rows: sorted by institution_id, dimension, date, indicator, evidence, as walk_caps left them.

    An ISO date sorts as the date it names, so the rows need no second sort.
    """
    return pd.DataFrame({
        "institution_id": counted["institution_id"].to_numpy(dtype=object),
        "dimension": counted["dimension"].to_numpy(dtype=object),
        "indicator": counted["indicator"].to_numpy(dtype=object),
        "date": iso(counted["date"].to_numpy()).astype(object),
        "raw_points": tenths_text(counted["raw"].to_numpy(dtype=np.int64)),
        "points": tenths_text(counted["points"].to_numpy(dtype=np.int64)),
        "evidence": counted["evidence"].to_numpy(dtype=object),
    })


def pending_events(tables: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """Events not (yet) verified by as_of: listed for the record, never scored (R-10)."""
    events = tables["credit_events"]
    pending = events[~verified_by_as_of(events, period)]
    verified = equals(pending["verified"], "true")
    why = np.where(verified, "verified_on empty or after as_of", "not verified")
    return pd.DataFrame({
        "event_id": texts(pending["event_id"]),
        "institution_id": texts(pending["institution_id"]),
        "indicator": texts(pending["indicator"]),
        "clause": texts(pending["clause"]),
        "decided_on": _iso_or_empty(pending["decided_on"]),
        "verified": texts(pending["verified"]),
        "verified_on": _iso_or_empty(pending["verified_on"]),
        "why": why,
    }, columns=PENDING_COLUMNS)


def _iso_or_empty(column: pd.Series) -> np.ndarray:
    values = days(column)
    return np.where(np.isnat(values), "", iso(values))
