"""Supervision records as data (第八、九、十、十三条; SPEC R-06, R-07, R-09): what an inspection or a
complaint is, and the credit event a verified one becomes.

The rules live in `rules/supervision/<version>.yaml` and are checked on load against the index system
they name: every indicator a finding or complaint can become must be an event indicator there.

A verified inspection finding or complaint is scored exactly like a `credit_events.csv` row: this module
turns the store's records into rows of that contract (`CREDIT_EVENTS.columns`), and the evaluation
validates and scores them with the drop's own events (tasks/supervision.py says how they are merged).

Dates of the event rows, chosen where the measures are silent:
- inspection finding: occurred_on = decided_on = the inspection date by default (the inspection finds
  the situation on that day; the officer may give another decision date), verified_on = the day the
  finding was confirmed. An inspection in late December confirmed in January counts in the December
  year's cycle, if it is confirmed by that evaluation's as_of.
- complaint: occurred_on = received_on, decided_on = verified_on = the day the verification concluded
  (the complaint is a finding only once verified), unless the officer gives another decision date.
- unconfirmed records (not yet verified) are rows with verified = false: the evaluation lists them as
  pending, never scores them. Records found unfounded (complaint) or not confirmed (finding) give no
  row at all: they are kept in the store and never scored (R-09, R-10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from credit.contract import CREDIT_EVENTS
from credit.indexsystem import RULES_DIR, IndexSystem, load_index_system, load_versioned

EVENT_COLUMNS = CREDIT_EVENTS.columns
CN_ITEMS = "一二三四五六七八"


class SupervisionRulesError(ValueError):
    """A supervision-rules file that breaks its own rules or names an unknown indicator."""


@dataclass(frozen=True)
class Method:
    code: str
    item: int  # 第九条 item
    name: str
    source: str  # the credit_events.csv `source` of its findings
    on_site: bool


@dataclass(frozen=True)
class Matter:
    code: str
    item: int  # 第八条 item
    name: str


@dataclass(frozen=True)
class Situation:
    item: int  # 第十条 item
    text: str
    indicator: str | None  # None: handled by the registry detectors, no event


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    prefix: str


@dataclass(frozen=True)
class SupervisionRules:
    version: str
    index_version: str
    methods: dict[str, Method]
    matters: dict[str, Matter]
    situations: dict[int, Situation]
    measures: dict[str, Measure]
    complaint_indicator: str
    channels: dict[str, str]
    inspectors_per_inspection: int

    def method(self, code: str) -> Method:
        return _known(self.methods, code, "method (第九条)")

    def matter(self, code: str) -> Matter:
        return _known(self.matters, code, "matter (第八条)")

    def situation(self, item: int) -> Situation:
        return _known(self.situations, item, "situation (第十条)")

    def measure(self, code: str) -> Measure:
        return _known(self.measures, code, "measure (第十条)")

    def channel(self, code: str) -> str:
        return _known(self.channels, code, "complaint channel (第十三条)")


K = TypeVar("K")
V = TypeVar("V")


def _known(table: Mapping[K, V], key: K, what: str) -> V:
    if key not in table:
        raise SupervisionRulesError(f"{key!r} is not a known {what}; known: {', '.join(map(str, table))}")
    return table[key]


def load_supervision_rules(
    version: str, rules_dir: Path | str = RULES_DIR, index: IndexSystem | None = None
) -> SupervisionRules:
    """Read `rules/supervision/<version>.yaml` and check it against its index system."""
    rules = load_versioned(rules_dir, "supervision", "supervision rules", version, parse_supervision_rules,
                           SupervisionRulesError)
    where = str(Path(rules_dir) / "supervision" / f"{version}.yaml")
    check_against_index(rules, index or load_index_system(rules.index_version, rules_dir), where)
    return rules


def parse_supervision_rules(raw: dict[str, Any], where: str = "supervision rules") -> SupervisionRules:
    """The typed rules from parsed YAML; items are checked to lie within their article."""
    try:
        rules = SupervisionRules(
            version=str(raw["version"]),
            index_version=str(raw["index_version"]),
            methods={c: Method(c, _item(e["item"], 6, where), str(e["name"]), str(e["source"]), bool(e["on_site"]))
                     for c, e in raw["methods"].items()},
            matters={c: Matter(c, _item(e["item"], 6, where), str(e["name"])) for c, e in raw["matters"].items()},
            situations={_item(k, 6, where): Situation(int(k), str(e["text"]), e["indicator"] or None)
                        for k, e in raw["situations"].items()},
            measures={c: Measure(c, str(e["name"]), str(e["prefix"])) for c, e in raw["measures"].items()},
            complaint_indicator=str(raw["complaints"]["indicator"]),
            channels={str(c): str(n) for c, n in raw["complaints"]["channels"].items()},
            inspectors_per_inspection=int(raw["inspectors_per_inspection"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise SupervisionRulesError(f"{where}: missing or malformed entry {exc}") from exc
    if sorted(rules.situations) != list(range(1, 7)):
        raise SupervisionRulesError(f"{where}: situations must be exactly the six items of 第十条")
    if rules.inspectors_per_inspection < 1:
        raise SupervisionRulesError(f"{where}: inspectors_per_inspection must be at least 1")
    return rules


def _item(value: object, last: int, where: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= last:
        raise SupervisionRulesError(f"{where}: item {value!r} is not between 1 and {last}")
    return value


def check_against_index(rules: SupervisionRules, index: IndexSystem, where: str) -> None:
    """Every indicator a record can become is an event indicator of the index system (R-10)."""
    named = [s.indicator for s in rules.situations.values() if s.indicator] + [rules.complaint_indicator]
    for code in named:
        if code not in index.event_codes:
            raise SupervisionRulesError(f"{where}: {code} is not an event indicator of index system {index.version}")


def article_item(item: int) -> str:
    """第十条 item 1 → "（一）"."""
    return f"（{CN_ITEMS[item - 1]}）"


def document_number(measure: Measure, year: int, sequence: int) -> str:
    """晋环监告〔2026〕3号: the measure's prefix, the year of issue, the sequence within that year."""
    return f"{measure.prefix}〔{year}〕{sequence}号"


@dataclass(frozen=True)
class FindingRecord:
    """An inspection finding as the store keeps it, with what the event row needs."""

    finding_id: str
    institution_id: str
    method: str
    situation: int
    facts: str
    inspected_on: date
    outcome: str
    decided_on: date | None
    verified_on: date | None
    document_no: str | None


@dataclass(frozen=True)
class ComplaintRecord:
    complaint_id: str
    institution_id: str
    channel: str
    received_on: date
    summary: str
    outcome: str
    decided_on: date | None
    verified_on: date | None


def finding_event(record: FindingRecord, rules: SupervisionRules) -> dict[str, str | None] | None:
    """The credit_events row of a finding; None when it is not confirmed or its situation has no indicator."""
    situation = rules.situation(record.situation)
    if situation.indicator is None or record.outcome == "not_verified":
        return None
    verified = record.outcome == "verified"
    decided = record.decided_on or record.inspected_on
    return _row(record.finding_id, record.institution_id, rules.method(record.method).source, situation.indicator,
                record.inspected_on, decided, verified, record.verified_on, record.document_no,
                f"第十条{article_item(record.situation)}：{record.facts}")


def complaint_event(record: ComplaintRecord, rules: SupervisionRules) -> dict[str, str | None] | None:
    """The credit_events row of a complaint: JY-02 once verified, pending before; none when unfounded."""
    if record.outcome == "unfounded":
        return None
    verified = record.outcome == "verified"
    decided = record.decided_on or record.verified_on
    return _row(record.complaint_id, record.institution_id, "complaint", rules.complaint_indicator,
                record.received_on, decided, verified, record.verified_on, None,
                f"第十三条（{rules.channel(record.channel)}）：{record.summary}")


def _row(event_id: str, institution_id: str, source: str, indicator: str, occurred: date | None,
         decided: date | None, verified: bool, verified_on: date | None, document: str | None,
         summary: str) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "event_id": event_id, "institution_id": institution_id, "source": source, "indicator": indicator,
        "clause": None, "occurred_on": _iso(occurred), "decided_on": _iso(decided),
        "verified": "true" if verified else "false", "verified_on": _iso(verified_on) if verified else None,
        "document_no": document, "summary": summary,
    }
    return {column: values[column] for column in EVENT_COLUMNS}


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def in_period(row: dict[str, str | None], start: date, end: date) -> bool:
    """A recorded event belongs to the cycle whose period holds its decision date (its occurrence while pending)."""
    day = row["decided_on"] or row["occurred_on"]
    return day is not None and start.isoformat() <= day <= end.isoformat()
