"""The index system as typed, self-checking data (第十四、十五、十六条; R-10, R-12, R-13).

Points are held as integer tenths: every value in an index system has at most one decimal place,
so integer tenths are exact and sums never meet a binary-float boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
# libyaml's parser when PyYAML has it: the same documents, parsed several times faster (issue 14: every command
# reads the rules; the index system alone took ~50 ms with the pure-Python parser)
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class IndexSystemError(ValueError):
    """An index-system file that breaks one of its own rules; the message names file and entry."""


def tenths(value: object, where: str) -> int:
    """Exact integer tenths of a point value with at most one decimal place."""
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise IndexSystemError(f"{where}: {value!r} is not a number") from exc
    scaled = number * 10
    if scaled != scaled.to_integral_value():
        raise IndexSystemError(f"{where}: {value} has more than one decimal place")
    return int(scaled)


def format_tenths(value: int) -> str:
    """'81.0' for 810: the one-decimal form of results.csv and findings.csv."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    return f"{sign}{whole}.{tenth}"


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None  # inclusive upper bound in yuan; None = no bound
    points: int


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    dimension: str
    trigger: str  # "auto" (detected from the drop) or "event" (credit_events.csv)
    points: int | None  # tenths; None for tiered indicators
    cap: int
    article: str
    detector: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tiers: tuple[Tier, ...] = ()

    def tier_points(self, amount: Decimal) -> int:
        """Raw points for a fine of `amount` yuan (CX-02)."""
        for tier in self.tiers:
            if tier.up_to is None or amount <= tier.up_to:
                return tier.points
        raise IndexSystemError(f"{self.code}: no tier for {amount}")


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    cap: int
    is_bonus: bool


@dataclass(frozen=True)
class GradeBand:
    grade: str
    label: str
    min: int  # inclusive lower bound, tenths
    article: str


@dataclass(frozen=True)
class IndexSystem:
    version: str
    effective_from: date
    source: str
    base: int
    floor: int
    ceiling: int
    dimensions: tuple[Dimension, ...]
    indicators: dict[str, Indicator]
    grades: tuple[GradeBand, ...]
    clauses: dict[int, str]
    direct_grade: str

    def grade_for(self, score: int) -> str:
        """第十六条: the band whose inclusive lower bound the exact score reaches."""
        for band in self.grades:
            if score >= band.min:
                return band.grade
        raise IndexSystemError(f"{self.version}: score {score / 10} below every grade band")

    @property
    def event_codes(self) -> frozenset[str]:
        return frozenset(c for c, i in self.indicators.items() if i.trigger == "event")

    @property
    def auto_codes(self) -> frozenset[str]:
        return frozenset(c for c, i in self.indicators.items() if i.trigger == "auto")

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)

    def detector(self, name: str) -> Indicator:
        """The auto indicator that the named detector feeds."""
        return next(i for i in self.indicators.values() if i.detector == name)


def load_index_system(version: str, rules_dir: Path | str = RULES_DIR) -> IndexSystem:
    """Read `rules/index/<version>.yaml` and check it (R-12)."""
    return load_versioned(rules_dir, "index", "index system", version, parse_index_system, IndexSystemError)


class Versioned(Protocol):
    """A rules file that names its own version."""

    @property
    def version(self) -> str: ...


V = TypeVar("V", bound=Versioned)


def load_versioned(rules_dir: Path | str, folder: str, what: str, version: str, parse: Callable[..., V],
                   error: type[Exception]) -> V:
    """`rules/<folder>/<version>.yaml` parsed by `parse(raw, where=path)`; the file must exist and declare
    the version its name says (a versioned rules file: index systems, sampling, supervision)."""
    path = Path(rules_dir) / folder / f"{version}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise error(f"{what} {version!r} not found at {path}; known: {', '.join(known)}")
    loaded = parse(yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER), where=str(path))
    if loaded.version != version:
        raise error(f"{path}: declares version {loaded.version!r}, file name says {version!r}")
    return loaded


def parse_index_system(raw: dict[str, Any], where: str = "index system") -> IndexSystem:
    """Build the typed model from parsed YAML and run every self-check."""
    dimensions: list[Dimension] = []
    indicators: dict[str, Indicator] = {}
    for entry in raw["dimensions"]:
        dim = Dimension(
            code=entry["code"], name=entry["name"], cap=tenths(entry["cap"], f"{where}: {entry['code']}.cap"),
            is_bonus=bool(entry.get("bonus", False)),
        )
        dimensions.append(dim)
        for item in entry["indicators"]:
            indicator = _parse_indicator(item, dim.code, where)
            if indicator.code in indicators:
                raise IndexSystemError(f"{where}: indicator code {indicator.code} appears twice")
            indicators[indicator.code] = indicator
    system = IndexSystem(
        version=str(raw["version"]),
        effective_from=raw["effective_from"],
        source=str(raw.get("source", "")),
        base=tenths(raw["base_score"], f"{where}: base_score"),
        floor=tenths(raw["score_floor"], f"{where}: score_floor"),
        ceiling=tenths(raw["score_ceiling"], f"{where}: score_ceiling"),
        dimensions=tuple(dimensions),
        indicators=indicators,
        grades=tuple(_parse_grades(raw["grades"], where)),
        clauses={int(k): str(v) for k, v in raw["clauses"].items()},
        direct_grade=str(raw["direct_grade"]),
    )
    _check(system, where)
    return system


def _parse_indicator(item: dict[str, Any], dimension: str, where: str) -> Indicator:
    code = item["code"]
    tiers = tuple(
        Tier(
            up_to=None if t["up_to"] is None else Decimal(str(t["up_to"])),
            points=tenths(t["points"], f"{where}: {code}.tiers"),
        )
        for t in item.get("tiers", ())
    )
    if item.get("trigger") not in ("auto", "event"):
        raise IndexSystemError(f"{where}: {code}.trigger must be auto or event")
    if item.get("trigger") == "auto" and not item.get("detector"):
        raise IndexSystemError(f"{where}: auto indicator {code} names no detector")
    if ("points" in item) == bool(tiers):
        raise IndexSystemError(f"{where}: {code} needs either points or tiers, not both")
    return Indicator(
        code=code, name=item["name"], dimension=dimension, trigger=item["trigger"],
        points=tenths(item["points"], f"{where}: {code}.points") if "points" in item else None,
        cap=tenths(item["cap"], f"{where}: {code}.cap"), article=str(item.get("article", "")),
        detector=item.get("detector"), params=dict(item.get("params") or {}), tiers=tiers,
    )


def _parse_grades(entries: list[dict[str, Any]], where: str) -> list[GradeBand]:
    bands = [
        GradeBand(grade=e["grade"], label=e["label"], min=tenths(e["min"], f"{where}: grade {e['grade']}"),
                  article=str(e.get("article", "")))
        for e in entries
    ]
    return sorted(bands, key=lambda b: -b.min)


def _check(system: IndexSystem, where: str) -> None:
    """Grade bands contiguous down to the floor, tiers ordered, detectors unique, caps positive."""
    if system.grades[-1].min != system.floor:
        raise IndexSystemError(f"{where}: the lowest grade band must start at the score floor")
    if len({b.grade for b in system.grades}) != len(system.grades):
        raise IndexSystemError(f"{where}: a grade appears twice")
    if len({b.min for b in system.grades}) != len(system.grades):
        raise IndexSystemError(f"{where}: two grade bands share a lower bound")
    if not system.floor <= system.base <= system.ceiling:
        raise IndexSystemError(f"{where}: base score outside [floor, ceiling]")
    if system.direct_grade not in {b.grade for b in system.grades}:
        raise IndexSystemError(f"{where}: direct_grade {system.direct_grade} is not a grade")
    detectors = [i.detector for i in system.indicators.values() if i.detector]
    if len(set(detectors)) != len(detectors):
        raise IndexSystemError(f"{where}: a detector feeds two indicators")
    for indicator in system.indicators.values():
        _check_tiers(indicator, where)
        if indicator.cap <= 0:
            raise IndexSystemError(f"{where}: {indicator.code}.cap must be positive")
    if sum(d.is_bonus for d in system.dimensions) > 1:
        raise IndexSystemError(f"{where}: more than one bonus dimension")


def _check_tiers(indicator: Indicator, where: str) -> None:
    bounds = [t.up_to for t in indicator.tiers]
    if not bounds:
        return
    finite = [b for b in bounds[:-1] if b is not None]
    if bounds[-1] is not None or len(finite) != len(bounds) - 1:
        raise IndexSystemError(f"{where}: {indicator.code}: only the last tier is unbounded")
    if finite != sorted(finite) or len(set(finite)) != len(finite):
        raise IndexSystemError(f"{where}: {indicator.code}: tier bounds must increase")
