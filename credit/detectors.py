"""Detected (auto) indicators: computed from the drop's tables, never typed in (INDEX_SYSTEM.md).

Each detector takes the facts of the rated institutions and returns findings: one row per
occurrence with institution_id, indicator, date, evidence and raw points (tenths).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from credit.calendar import WorkCalendar
from credit.contract import KEY_ROLES, MATERIAL_ITEMS
from credit.frames import day, days, explode_lists, iso, texts
from credit.indexsystem import IndexSystem, Indicator

FINDING_COLUMNS = ["institution_id", "indicator", "date", "evidence", "raw"]


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
    """What the detectors read: the rated institutions and their in-period activities."""

    period: Period
    index: IndexSystem
    calendar: WorkCalendar
    registry: pd.DataFrame  # accepted institutions rows of the rated institutions
    activities: pd.DataFrame  # valid activities of rated institutions with sampled_on in the period
    tables: dict[str, pd.DataFrame]
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def of_rated(self, table: str) -> pd.DataFrame:
        frame = self.tables[table]
        return frame[frame["institution_id"].isin(self.registry["institution_id"])]


def finding_frame(institutions, indicator: Indicator, dates, evidence, raw=None) -> pd.DataFrame:
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


def late_change_filing(facts: Facts) -> pd.DataFrame:
    """JB-01 (第六条, R-05): filing deadline in the period and the change filed after it, or never."""
    indicator = facts.index.detector("late_change_filing")
    changes = facts.of_rated("changes")
    changes = changes[changes["changed_on"].notna()]
    changed = days(changes["changed_on"])
    deadlines = _one_month_deadlines(facts.calendar, changed)
    filed = days(changes["filed_on"])
    in_period = (deadlines >= day(facts.period.start)) & (deadlines <= day(facts.period.end))
    late = np.isnat(filed) | (filed > deadlines)
    hit = in_period & late
    evidence = "change:" + changes["item"].to_numpy(dtype=object)[hit] + ":" + iso(changed[hit]).astype(object)
    return finding_frame(changes["institution_id"].to_numpy(dtype=object)[hit], indicator, deadlines[hit], evidence)


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
    registry = facts.registry
    rows, items = explode_lists(registry["materials_missing"])
    pairs = pd.DataFrame({"institution_id": registry["institution_id"].to_numpy(dtype=object)[rows], "item": items})
    pairs = pairs[pairs["item"].isin(MATERIAL_ITEMS)].drop_duplicates()
    period_end = np.full(len(pairs), day(facts.period.end))
    return finding_frame(pairs["institution_id"], indicator, period_end, "materials:" + pairs["item"])


def vacant_key_role(facts: Facts) -> pd.DataFrame:
    """JB-03 (第五条): a key role uncovered on more than N days in the window, counted in total."""
    indicator = facts.index.detector("vacant_key_role")
    limit = int(indicator.params["vacant_days_over"])
    window = _role_windows(facts)
    covered = _covered_days(facts, window)
    grid = window.merge(pd.DataFrame({"role": KEY_ROLES}), how="cross")
    grid = grid.merge(covered, on=["institution_id", "role"], how="left")
    window_days = (grid["end"] - grid["start"]).to_numpy().astype("timedelta64[D]").astype(np.int64) + 1
    uncovered = window_days - grid["covered"].fillna(0).to_numpy(dtype=np.int64)
    hit = grid[uncovered > limit]
    period_end = np.full(len(hit), day(facts.period.end))
    return finding_frame(hit["institution_id"], indicator, period_end, "role:" + hit["role"])


def _role_windows(facts: Facts) -> pd.DataFrame:
    """[max(period_start, registered_on), period_end] per rated institution."""
    registered = days(facts.registry["registered_on"])
    start = np.maximum(registered, day(facts.period.start))
    return pd.DataFrame({
        "institution_id": facts.registry["institution_id"].to_numpy(dtype=object),
        "start": start,
        "end": np.full(len(start), day(facts.period.end)),
    })


def _covered_days(facts: Facts, window: pd.DataFrame) -> pd.DataFrame:
    """Days of each window on which somebody held each key role (union of the holding intervals)."""
    people = facts.of_rated("personnel")
    people = people[people["role"].isin(KEY_ROLES)]
    held = pd.DataFrame({
        "institution_id": people["institution_id"].to_numpy(dtype=object),
        "role": people["role"].to_numpy(dtype=object),
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
    segment = fresh.cumsum()
    merged = spans.assign(segment=segment).groupby("segment").agg(
        institution_id=("institution_id", "first"), role=("role", "first"), lo=("lo", "min"), hi=("hi", "max"),
    )
    merged["covered"] = (merged["hi"] - merged["lo"]).dt.days + 1
    return merged.groupby(keys, as_index=False)["covered"].sum()


def uncalibrated_equipment(facts: Facts) -> pd.DataFrame:
    """JB-04: an activity using unknown equipment, or equipment whose calibration ended before sampling."""
    indicator = facts.index.detector("uncalibrated_equipment")
    acts = facts.activities
    rows, items = explode_lists(acts["equipment_ids"])
    used = pd.DataFrame({
        "row": rows,
        "institution_id": acts["institution_id"].to_numpy(dtype=object)[rows],
        "equipment_id": items,
    })
    equipment = facts.of_rated("equipment")
    known = pd.DataFrame({
        "institution_id": equipment["institution_id"].to_numpy(dtype=object),
        "equipment_id": equipment["equipment_id"].to_numpy(dtype=object),
        "valid_to": days(equipment["calibration_valid_to"]),
    })
    used = used.merge(known, on=["institution_id", "equipment_id"], how="left", indicator=True)
    sampled = days(acts["sampled_on"])[used["row"].to_numpy()]
    valid_to = used["valid_to"].to_numpy(dtype="datetime64[D]")
    bad = (used["_merge"].to_numpy() == "left_only") | np.isnat(valid_to) | (valid_to < sampled)
    return _per_activity(facts, indicator, np.unique(used["row"].to_numpy()[bad]))


def _per_activity(facts: Facts, indicator: Indicator, positions: np.ndarray) -> pd.DataFrame:
    """One finding per activity at the given row positions, dated sampled_on, evidence the activity id."""
    acts = facts.activities
    return finding_frame(
        acts["institution_id"].to_numpy(dtype=object)[positions],
        indicator,
        days(acts["sampled_on"])[positions],
        acts["activity_id"].to_numpy(dtype=object)[positions],
    )


def late_activity_report(facts: Facts) -> pd.DataFrame:
    """YW-01 (第五条(二)): not reported within N working days after the report was issued."""
    indicator = facts.index.detector("late_activity_report")
    n = int(indicator.params["deadline_working_days"])
    issued = days(facts.activities["report_issued_on"])
    submitted = days(facts.activities["submitted_on"])
    has_report = ~np.isnat(issued)
    deadline = np.full(len(issued), np.datetime64("NaT", "D"))
    deadline[has_report] = facts.calendar.add_working_days_many(issued[has_report], n)
    late = has_report & (
        (~np.isnat(submitted) & (submitted > deadline))
        | (np.isnat(submitted) & (deadline < day(facts.period.as_of)))
    )
    return _per_activity(facts, indicator, np.flatnonzero(late))


def _monitoring_positions(facts: Facts) -> np.ndarray:
    """YW-02/03/04 read monitoring activities only (O&M issues no CMA report)."""
    return np.flatnonzero(facts.activities["kind"].to_numpy(dtype=object) == "monitoring")


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
    if "cma" not in facts.memo:
        facts.memo["cma"] = _compute_cma_verdicts(facts)
    return facts.memo["cma"]


def _compute_cma_verdicts(facts: Facts) -> tuple[np.ndarray, np.ndarray]:
    positions = _monitoring_positions(facts)
    acts = facts.activities.iloc[positions]
    quals = facts.of_rated("qualifications")
    sampled = days(acts["sampled_on"])
    inst = acts["institution_id"].to_numpy(dtype=object)
    holds = _any_valid_certificate(quals, inst, sampled)
    rows, items = explode_lists(acts["parameters"])
    covered = _parameter_covered(quals, inst[rows], items, sampled[rows])
    outside = np.zeros(len(acts), dtype=bool)
    np.logical_or.at(outside, rows[~covered], True)
    return positions[~holds], positions[holds & outside]


def _any_valid_certificate(quals: pd.DataFrame, inst: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Per activity: does some certificate row of its institution cover the day."""
    spans = pd.DataFrame({
        "institution_id": quals["institution_id"].to_numpy(dtype=object),
        "lo": days(quals["valid_from"]),
        "hi": days(quals["valid_to"]),
    }).drop_duplicates()
    probe = pd.DataFrame({"row": np.arange(len(inst)), "institution_id": inst, "on": on})
    joined = probe.merge(spans, on="institution_id")
    ok = _inside(joined["on"].to_numpy(), joined["lo"].to_numpy(), joined["hi"].to_numpy())
    holds = np.zeros(len(inst), dtype=bool)
    holds[joined["row"].to_numpy()[ok]] = True
    return holds


def _parameter_covered(quals: pd.DataFrame, inst: np.ndarray, params: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Per (activity, parameter): some certificate row with that exact code valid on the day."""
    spans = pd.DataFrame({
        "institution_id": quals["institution_id"].to_numpy(dtype=object),
        "parameter": quals["parameter_code"].to_numpy(dtype=object),
        "lo": days(quals["valid_from"]),
        "hi": days(quals["valid_to"]),
    }).drop_duplicates()
    probe = pd.DataFrame({"row": np.arange(len(inst)), "institution_id": inst, "parameter": params, "on": on})
    joined = probe.merge(spans, on=["institution_id", "parameter"])
    ok = _inside(joined["on"].to_numpy(), joined["lo"].to_numpy(), joined["hi"].to_numpy())
    covered = np.zeros(len(inst), dtype=bool)
    covered[joined["row"].to_numpy()[ok]] = True
    return covered


def _inside(on: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    lo, hi = lo.astype("datetime64[D]"), hi.astype("datetime64[D]")
    return (np.isnat(lo) | (lo <= on)) & (np.isnat(hi) | (hi >= on))


def unauthorized_signatory(facts: Facts) -> pd.DataFrame:
    """YW-04: the report's signatory did not hold authorized_signatory on report_issued_on (or is empty)."""
    indicator = facts.index.detector("unauthorized_signatory")
    positions = _monitoring_positions(facts)
    acts = facts.activities.iloc[positions]
    issued = days(acts["report_issued_on"])
    signatory = texts(acts["signatory_id"])
    # "An activity with a report": one with a report date; without it there is no day to check.
    with_report = ~np.isnat(issued)
    people = facts.of_rated("personnel")
    people = people[people["role"] == "authorized_signatory"]
    spans = pd.DataFrame({
        "institution_id": people["institution_id"].to_numpy(dtype=object),
        "signatory_id": people["person_id"].to_numpy(dtype=object),
        "lo": days(people["valid_from"]),
        "hi": days(people["valid_to"]),
    })
    probe = pd.DataFrame({
        "row": np.arange(len(acts)),
        "institution_id": acts["institution_id"].to_numpy(dtype=object),
        "signatory_id": signatory,
        "on": issued,
    })[with_report & (signatory != None)]  # noqa: E711 — elementwise test of an object array
    joined = probe.merge(spans, on=["institution_id", "signatory_id"])
    ok = _inside(joined["on"].to_numpy(), joined["lo"].to_numpy(), joined["hi"].to_numpy())
    authorized = np.zeros(len(acts), dtype=bool)
    authorized[joined["row"].to_numpy()[ok]] = True
    return _per_activity(facts, indicator, positions[with_report & ~authorized])


def conflict_of_interest(facts: Facts) -> pd.DataFrame:
    """JY-01 (第四条, R-02): one subject commissioned by both its regulator and itself in the period."""
    indicator = facts.index.detector("conflict_of_interest")
    acts = facts.activities
    pairs = pd.DataFrame({
        "institution_id": acts["institution_id"].to_numpy(dtype=object),
        "subject_id": texts(acts["subject_id"]),
        "role": acts["client_role"].to_numpy(dtype=object),
        "sampled_on": days(acts["sampled_on"]),
        "activity_id": acts["activity_id"].to_numpy(dtype=object),
    })
    pairs = pairs[pairs["subject_id"].notna() & pairs["role"].isin(["regulator", "regulated"])]
    first = pairs.sort_values(["sampled_on", "activity_id"]).drop_duplicates(["institution_id", "subject_id", "role"])
    keys = ["institution_id", "subject_id"]
    both = first[first["role"] == "regulator"].merge(
        first[first["role"] == "regulated"], on=keys, suffixes=("_reg", "_own")
    )
    dates = np.maximum(both["sampled_on_reg"].to_numpy(), both["sampled_on_own"].to_numpy())
    evidence = both["activity_id_reg"] + ";" + both["activity_id_own"]
    return finding_frame(both["institution_id"], indicator, dates, evidence)


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
    names = sorted(i.detector for i in facts.index.indicators.values() if i.trigger == "auto")
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise ValueError(f"index system {facts.index.version} names unknown detectors: {', '.join(unknown)}")
    return [DETECTORS[name](facts) for name in names]
