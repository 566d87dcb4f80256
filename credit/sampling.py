"""The 第二十二条 inspection plan: reproducible sampling per grade and the 双随机 inspector draw (R-19).

Everything here is pure and checkable by anyone with the seed and a sha256 tool
(INDEX_SYSTEM.md "Differentiated supervision (第二十二条), default sampling rules"):

* **Sample size.** For each group (grades A–D, and not rated as its own group) k = n × ratio in exact
  decimals, rounded down or up as `rules/sampling/<version>.yaml` says.
* **Draw.** Within a group, institutions are ordered by `draw_order(seed, id)` =
  sha256(seed + ":" + institution_id) as lower-case hex, ascending (ties, which only a duplicate id
  could cause, by institution_id); the first k are drawn.
* **Complaints.** Every institution with a verified complaint is added on top of the draw, once,
  whatever its group. Already drawn: one row, reason `sampled;complaint` / `all;complaint`. Not drawn:
  reason `complaint`. An institution with a complaint and no row in the cycle's results (no activity in
  the period, so neither rated nor 不予评定) is added in its own group with grade "" (no result).
* **Rows** (`plan.csv`): institution_id, county, grade, reason, inspections, on_site. `grade` is
  A/B/C/D, `not_rated` for 不予评定, "" for an institution with no result in the cycle. `reason` is
  `sampled` (drawn at a ratio below 1), `all` (a group inspected in full), `complaint`, or one of the
  first two followed by `;complaint`. Sorted by group (A, B, C, D, not_rated, "") then draw order.
* **Inspectors (双随机).** See `draw_inspectors`.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from credit.indexsystem import RULES_DIR, IndexSystemError, load_versioned

GROUPS = ("A", "B", "C", "D", "not_rated")  # 第十六条 grades and 不予评定, each a group of its own
NO_RESULT = ""  # the group of complaint institutions with no row in the cycle's results
RATIO_PLACES = 4  # ratios are exact to 0.01 %
ROUNDINGS = {"down": ROUND_FLOOR, "up": ROUND_CEILING}
BOUNDS = {"reduced": {"down", "up"}, "at_most": {"down"}, "at_least": {"up"}, "all": {"down", "up"}}
ON_SITE = ("always", "complaint_only")
CITY_LEVEL = ("", "市局")  # roster county of city-level staff: belongs to no county's branch

PLAN_COLUMNS = ["institution_id", "county", "grade", "reason", "inspections", "on_site"]
COUNT_COLUMNS = ["grade", "n", "ratio", "rounding", "k", "complaints", "complaint_added", "selected"]
ROSTER_COLUMNS = ["inspector_id", "name", "unit", "county"]
REPEATED_TEAM = "repeated_team"


class InspectorDrawError(ValueError):
    """The plan cannot be drawn from what the officer gave (a seed, the roster): bad input, said in Chinese."""


class SamplingRulesError(IndexSystemError):
    """A sampling-rules file that breaks one of its own rules; the message names file and entry."""


@dataclass(frozen=True)
class GroupRule:
    grade: str  # A, B, C, D or not_rated
    label: str
    ratio: Decimal
    rounding: str  # down | up
    bound: str  # reduced | at_most | at_least | all
    on_site: str  # always | complaint_only
    inspections: int
    inspections_with_complaint: int
    article: str

    @property
    def takes_all(self) -> bool:
        return self.ratio == 1


@dataclass(frozen=True)
class SamplingRules:
    version: str
    effective_from: date
    source: str
    groups: tuple[GroupRule, ...]  # in plan order
    complaint_indicator: str
    complaint_on_site: bool
    complaint_inspections_without_result: int
    complaint_article: str
    inspectors_per_inspection: int

    def group(self, grade: str) -> GroupRule:
        return next(g for g in self.groups if g.grade == grade)


@dataclass(frozen=True)
class Plan:
    rows: pd.DataFrame  # PLAN_COLUMNS, in plan order
    counts: pd.DataFrame  # COUNT_COLUMNS, one row per group (the "" group only when it has rows)
    seed: str
    rules_version: str


# ---------------------------------------------------------------------------------------------- rules

def load_sampling_rules(version: str, rules_dir: Path | str = RULES_DIR) -> SamplingRules:
    """Read `rules/sampling/<version>.yaml` and check it (第二十二条; R-19)."""
    return load_versioned(rules_dir, "sampling", "sampling rules", version, parse_sampling_rules, SamplingRulesError)


def parse_sampling_rules(raw: dict[str, Any], where: str = "sampling rules") -> SamplingRules:
    """Build the typed rules from parsed YAML and run every self-check."""
    try:
        groups = tuple(_parse_group(entry, where) for entry in raw["groups"])
        complaint = raw["complaint"]
        effective_from = raw["effective_from"]
        rules = SamplingRules(
            version=str(raw["version"]),
            effective_from=effective_from,
            source=str(raw.get("source", "")),
            groups=groups,
            complaint_indicator=str(complaint["indicator"]),
            complaint_on_site=complaint["on_site"],
            complaint_inspections_without_result=_count(
                complaint["inspections_without_result"], f"{where}: complaint.inspections_without_result"),
            complaint_article=str(complaint.get("article", "")),
            inspectors_per_inspection=_count(raw["inspectors_per_inspection"], f"{where}: inspectors_per_inspection"),
        )
    except (KeyError, TypeError) as exc:
        raise SamplingRulesError(f"{where}: missing or malformed entry {exc}") from exc
    _check(rules, where)
    return rules


def _parse_group(entry: dict[str, Any], where: str) -> GroupRule:
    grade = str(entry["grade"])
    at = f"{where}: group {grade}"
    return GroupRule(
        grade=grade, label=str(entry.get("label", "")), ratio=_ratio(entry["ratio"], f"{at}.ratio"),
        rounding=str(entry["rounding"]), bound=str(entry["bound"]), on_site=str(entry["on_site"]),
        inspections=_count(entry["inspections"], f"{at}.inspections"),
        inspections_with_complaint=_count(entry["inspections_with_complaint"], f"{at}.inspections_with_complaint"),
        article=str(entry.get("article", "")),
    )


def _ratio(value: object, where: str) -> Decimal:
    """An exact decimal in [0, 1] with at most RATIO_PLACES places (written "0.03", never a binary float)."""
    if isinstance(value, bool):
        raise SamplingRulesError(f"{where}: {value!r} is not a number")
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise SamplingRulesError(f"{where}: {value!r} is not a number") from exc
    if not ratio.is_finite() or not 0 <= ratio <= 1:
        raise SamplingRulesError(f"{where}: {value} is outside [0, 1]")
    scaled = ratio.scaleb(RATIO_PLACES)
    if scaled != scaled.to_integral_value():
        raise SamplingRulesError(f"{where}: {value} has more than {RATIO_PLACES} decimal places")
    return ratio


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SamplingRulesError(f"{where}: {value!r} must be a whole number of at least 1")
    return value


def _check(rules: SamplingRules, where: str) -> None:
    """Each group once, roundings and bounds agree with 第二十二条, complaints only ever add."""
    grades = [g.grade for g in rules.groups]
    for grade in GROUPS:
        if grades.count(grade) != 1:
            raise SamplingRulesError(f"{where}: group {grade} must appear exactly once, found {grades.count(grade)}")
    unknown = sorted(set(grades) - set(GROUPS))
    if unknown:
        raise SamplingRulesError(f"{where}: unknown group(s) {', '.join(unknown)}; groups are {', '.join(GROUPS)}")
    if not isinstance(rules.effective_from, date):
        raise SamplingRulesError(f"{where}: effective_from must be an ISO date")
    for g in rules.groups:
        at = f"{where}: group {g.grade}"
        if g.rounding not in ROUNDINGS:
            raise SamplingRulesError(f"{at}.rounding must be one of {', '.join(ROUNDINGS)}, not {g.rounding!r}")
        if g.bound not in BOUNDS:
            raise SamplingRulesError(f"{at}.bound must be one of {', '.join(BOUNDS)}, not {g.bound!r}")
        if g.rounding not in BOUNDS[g.bound]:
            raise SamplingRulesError(f"{at}: a ratio that is {g.bound} must round {'/'.join(BOUNDS[g.bound])}")
        if g.bound == "all" and g.ratio != 1:
            raise SamplingRulesError(f"{at}: bound all needs ratio 1, not {g.ratio}")
        if g.on_site not in ON_SITE:
            raise SamplingRulesError(f"{at}.on_site must be one of {', '.join(ON_SITE)}, not {g.on_site!r}")
        if g.inspections_with_complaint < g.inspections:
            raise SamplingRulesError(f"{at}: a complaint never lowers the number of inspections")
    for grade in ("D", "not_rated"):  # 第二十二条: 全部纳入监督检查
        if not rules.group(grade).takes_all:
            raise SamplingRulesError(f"{where}: group {grade} must be inspected in full (ratio 1)")
    if rules.complaint_on_site is not True:
        raise SamplingRulesError(f"{where}: complaint.on_site must be true (第二十二条: 除投诉举报…外)")
    if rules.inspectors_per_inspection < 2:
        raise SamplingRulesError(f"{where}: inspectors_per_inspection must be at least 2")


# ------------------------------------------------------------------------------------------ sampling

def sample_size(n: int, ratio: Decimal, rounding: str) -> int:
    """k = n × ratio in exact decimals, rounded down or up (第二十二条; R-19); 0 when n is 0."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number ≥ 0, not {n!r}")
    if isinstance(ratio, float) or not isinstance(ratio, Decimal | int):
        raise TypeError(f"ratio must be an exact Decimal, not {type(ratio).__name__} {ratio!r}")
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
    if not 0 <= ratio <= 1:
        raise ValueError(f"ratio {ratio} is outside [0, 1]")
    return int((Decimal(n) * Decimal(ratio)).to_integral_value(rounding=ROUNDINGS[rounding]))


def draw_order(seed: str, institution_id: str) -> str:
    """sha256(seed + ":" + institution_id), UTF-8, lower-case hex: sorted ascending for the draw."""
    return hashlib.sha256(f"{seed}:{institution_id}".encode()).hexdigest()


def plan(results: pd.DataFrame, complaints: pd.DataFrame, rules: SamplingRules, seed: str) -> Plan:
    """The 第二十二条 inspection plan from the determined results of the previous cycle (R-19).

    `results`: institution_id, county, status (rated | not_rated), grade (A–D, "" when not rated).
    `complaints`: institution_id (institutions with a verified JY-02 complaint in the period), and
    optionally county, used only for institutions absent from `results`.
    """
    if not isinstance(seed, str) or not seed:
        raise InspectorDrawError("--seed 不能为空：抽取结果由它复现")
    frame = _results(results, rules)
    complained, complaint_county = _complaints(complaints)
    frame["order"] = [draw_order(seed, i) for i in frame["institution_id"]]
    frame["complaint"] = frame["institution_id"].isin(complained)

    rows, counts = [], []
    for rank, rule in enumerate(rules.groups):
        members = frame[frame["group"] == rule.grade].sort_values(["order", "institution_id"], kind="stable")
        k = sample_size(len(members), rule.ratio, rule.rounding)
        drawn = [True] * k + [False] * (len(members) - k)
        added = 0
        for is_drawn, row in zip(drawn, members.itertuples(index=False), strict=True):
            if not (is_drawn or row.complaint):
                continue
            added += not is_drawn
            reasons = ["all" if rule.takes_all else "sampled"] if is_drawn else []
            reasons += ["complaint"] if row.complaint else []
            rows.append({
                "institution_id": row.institution_id, "county": row.county, "grade": rule.grade,
                "reason": ";".join(reasons),
                "inspections": rule.inspections_with_complaint if row.complaint else rule.inspections,
                "on_site": bool(row.complaint and rules.complaint_on_site) or rule.on_site == "always",
                "_rank": rank, "_order": row.order,
            })
        counts.append({
            "grade": rule.grade, "n": len(members), "ratio": str(rule.ratio), "rounding": rule.rounding, "k": k,
            "complaints": int(members["complaint"].sum()), "complaint_added": added, "selected": k + added,
        })

    outside = sorted(set(complained) - set(frame["institution_id"]), key=lambda i: (draw_order(seed, i), i))
    for institution_id in outside:
        rows.append({
            "institution_id": institution_id, "county": complaint_county.get(institution_id, ""),
            "grade": NO_RESULT, "reason": "complaint",
            "inspections": rules.complaint_inspections_without_result, "on_site": rules.complaint_on_site,
            "_rank": len(rules.groups), "_order": draw_order(seed, institution_id),
        })
    if outside:
        counts.append({"grade": NO_RESULT, "n": 0, "ratio": "", "rounding": "", "k": 0, "complaints": len(outside),
                       "complaint_added": len(outside), "selected": len(outside)})

    table = pd.DataFrame(rows, columns=[*PLAN_COLUMNS, "_rank", "_order"])
    table = table.sort_values(["_rank", "_order", "institution_id"], kind="stable")[PLAN_COLUMNS]
    table = table.astype({"institution_id": "string", "county": "string", "grade": "string", "reason": "string",
                          "inspections": "int64", "on_site": "bool"}).reset_index(drop=True)
    count_frame = pd.DataFrame(counts, columns=COUNT_COLUMNS).astype(
        {"grade": "string", "ratio": "string", "rounding": "string"})
    return Plan(rows=table, counts=count_frame, seed=seed, rules_version=rules.version)


def _text(column: pd.Series) -> pd.Series:
    return column.astype("string").fillna("").str.strip()


def _results(results: pd.DataFrame, rules: SamplingRules) -> pd.DataFrame:
    """The previous cycle's results as id, county, group, refused loudly when they break R-11/R-13."""
    missing = [c for c in ("institution_id", "county", "status", "grade") if c not in results.columns]
    if missing:
        raise ValueError(f"results: missing column(s) {', '.join(missing)}")
    frame = pd.DataFrame({c: _text(results[c]) for c in ("institution_id", "county", "status", "grade")})
    if (frame["institution_id"] == "").any():
        raise ValueError("results: a row has an empty institution_id")
    duplicated = frame.loc[frame["institution_id"].duplicated(), "institution_id"]
    if len(duplicated):
        raise ValueError(f"results: institution {duplicated.iloc[0]} appears more than once")
    graded = {g.grade for g in rules.groups} - {"not_rated"}
    for row in frame.itertuples(index=False):
        if row.status == "rated" and row.grade not in graded:
            raise ValueError(f"results: rated institution {row.institution_id} has grade {row.grade!r}, "
                             f"not one of {', '.join(sorted(graded))}")
        if row.status == "not_rated" and row.grade != "":
            raise ValueError(f"results: not-rated institution {row.institution_id} has grade {row.grade!r}")
        if row.status not in ("rated", "not_rated"):
            raise ValueError(f"results: institution {row.institution_id} has status {row.status!r}, "
                             "not rated or not_rated")
    frame["group"] = frame["grade"].where(frame["status"] == "rated", "not_rated")
    return frame


def _complaints(complaints: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Distinct complained-of institutions, and the county given for any (the first non-empty one)."""
    if "institution_id" not in complaints.columns:
        raise ValueError("complaints: missing column institution_id")
    ids = _text(complaints["institution_id"])
    if (ids == "").any():
        raise ValueError("complaints: a row has an empty institution_id")
    counties = _text(complaints["county"]) if "county" in complaints.columns else pd.Series("", index=ids.index)
    county: dict[str, str] = {}
    for institution_id, where in zip(ids, counties, strict=True):
        if where and not county.get(institution_id):
            county[institution_id] = where
    return list(dict.fromkeys(ids)), county


# ------------------------------------------------------------------------------------ inspector draw

def _ranked(inspector_ids: list[str], seed: str, institution_id: str, inspection: int) -> list[str]:
    """The inspectors in the order of `inspector_order`, ties by id."""
    return sorted(inspector_ids, key=lambda i: (inspector_order(seed, institution_id, inspection, i), i))


def inspector_order(seed: str, institution_id: str, inspection: int, inspector_id: str) -> str:
    """sha256(seed + ":" + institution_id + ":" + inspection + ":" + inspector_id), lower-case hex."""
    return hashlib.sha256(f"{seed}:{institution_id}:{inspection}:{inspector_id}".encode()).hexdigest()


def draw_inspectors(
    plan_rows: pd.DataFrame, roster: pd.DataFrame, seed: str, *, avoid_own_county: bool = True,
    team_size: int = 2,
) -> pd.DataFrame:
    """双随机: a reproducible team of distinct inspectors for each planned inspection (第二十二条; R-19).

    Walk the plan rows in their order and, for each, inspections 1..`inspections`:
    1. Eligible: every roster inspector, except — when `avoid_own_county` — those whose county is the
       institution's county. City-level staff (county "" or "市局") are always eligible. When the
       institution's county is unknown (""), only city-level staff are eligible: no branch can be shown
       to be independent of it.
    2. Rank the eligible by `inspector_order(seed, institution_id, inspection, inspector_id)` ascending
       (then inspector_id).
    3. Candidate teams are `itertools.combinations(ranked, team_size)` in that order: first the top
       `team_size`, and so on. Take the first team (as a set) not already used earlier in this plan.
    4. When every team of the eligible inspectors is used, take the first candidate team again and
       write `repeated_team` in `note`. Fewer eligible inspectors than `team_size`: ValueError.

    Returns institution_id, county, inspection, inspector_1, name_1, unit_1, inspector_2, …, note;
    inspector_1 is the best ranked of the team.
    """
    if team_size < 2:
        raise ValueError("an inspection needs at least two inspectors (行政处罚法第四十二条)")
    missing = [c for c in ("institution_id", "county", "inspections") if c not in plan_rows.columns]
    if missing:
        raise ValueError(f"plan rows: missing column(s) {', '.join(missing)}")
    staff = _roster(roster)
    used: set[frozenset[str]] = set()
    rows = []
    for row in plan_rows.itertuples(index=False):
        institution_id, county = str(row.institution_id), _blank(row.county)
        if avoid_own_county:
            eligible = staff[(staff["county"] != county) if county else staff["city_level"]]
        else:
            eligible = staff
        if len(eligible) < team_size:
            where = f"位于{county}" if county else "所在县（市、区）不明（只能由市局人员检查）"
            raise InspectorDrawError(
                f"执法检查人员抽取：机构 {institution_id}（{where}）可抽取的执法检查人员只有 {len(eligible)} 名，"
                f"每组需要 {team_size} 名；请在名录中增加执法检查人员"
                + ("，或抽取时不回避本县（市、区）人员" if avoid_own_county else ""))
        for inspection in range(1, int(row.inspections) + 1):
            ranked = _ranked(list(eligible["inspector_id"]), seed, institution_id, inspection)
            team, note = _first_unused(ranked, team_size, used)
            used.add(frozenset(team))
            out = {"institution_id": institution_id, "county": county, "inspection": inspection}
            for position, inspector_id in enumerate(team, start=1):
                person = staff.loc[inspector_id]
                out |= {f"inspector_{position}": inspector_id, f"name_{position}": person["name"],
                        f"unit_{position}": person["unit"]}
            rows.append(out | {"note": note})
    team_columns = [f"{c}_{p}" for p in range(1, team_size + 1) for c in ("inspector", "name", "unit")]
    columns = ["institution_id", "county", "inspection", *team_columns, "note"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: ("int64" if c == "inspection" else "string") for c in columns})


def _first_unused(ranked: list[str], team_size: int, used: set[frozenset[str]]) -> tuple[tuple[str, ...], str]:
    """The first team in combinations order not used yet; else the first team, marked repeated."""
    eligible = frozenset(ranked)
    if sum(1 for t in used if t <= eligible) < math.comb(len(ranked), team_size):
        for team in itertools.combinations(ranked, team_size):
            if frozenset(team) not in used:
                return team, ""
    return tuple(ranked[:team_size]), REPEATED_TEAM


def _blank(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _roster(roster: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise ValueError(f"roster: missing column(s) {', '.join(missing)}")
    staff = pd.DataFrame({c: _text(roster[c]) for c in ROSTER_COLUMNS})
    if (staff["inspector_id"] == "").any():
        raise InspectorDrawError("执法检查人员名录：有一行的 inspector_id 为空")
    duplicated = staff.loc[staff["inspector_id"].duplicated(), "inspector_id"]
    if len(duplicated):
        raise InspectorDrawError(f"执法检查人员名录：{duplicated.iloc[0]} 重复出现")
    staff["city_level"] = staff["county"].isin(CITY_LEVEL)
    staff.loc[staff["city_level"], "county"] = ""
    return staff.set_index("inspector_id", drop=False)
