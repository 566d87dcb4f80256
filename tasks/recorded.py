"""The store's recorded credit events as plain rows, and a snapshot's copy of them, without pandas (issue 14).

`cycle status` compares the two on every run (which recorded events the cycle's evaluation has not taken
in); it is an interactive command, so this path imports neither pandas nor, unless the store has events
for the period, pyarrow. tasks/supervision.py builds the evaluation's DataFrame from the same rows.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from credit.rules import Rules
from credit.supervision import (
    EVENT_COLUMNS,
    ComplaintRecord,
    FindingRecord,
    SupervisionRules,
    complaint_event,
    finding_event,
    in_period,
)

Row = tuple[str, ...]
SNAPSHOT_FORMAT = 1  # tasks.drop_io.SNAPSHOT_FORMAT (a test checks they agree)


def finding_record(finding: Any, inspection: Any) -> FindingRecord:
    """A stored 第十条 finding (store.models.InspectionFinding) and its inspection as credit.supervision reads them."""
    return FindingRecord(finding.id, inspection.institution_id, inspection.method, finding.situation, finding.facts,
                         inspection.inspected_on, finding.outcome, finding.decided_on, finding.verified_on,
                         finding.document_no)


def complaint_record(complaint: Any) -> ComplaintRecord:
    """A stored complaint (store.models.Complaint) as credit.supervision reads it."""
    return ComplaintRecord(complaint.id, complaint.institution_id, complaint.channel, complaint.received_on,
                           complaint.summary, complaint.outcome, complaint.decided_on, complaint.verified_on)


def recorded_event_rows(uow: Any, start: date, end: date, rules: Rules | SupervisionRules) -> list[dict[str, Any]]:
    """The credit_events rows of the store's records that belong to the period, in event_id order.

    `uow` is a unit of work or its supervision repository; `rules` the Rules of the period (or its
    supervision rules), which say the indicator each record becomes.
    """
    store = uow.supervision if hasattr(uow, "supervision") else uow
    findings, complaints = list(store.findings_with_inspections()), list(store.complaints())
    if not findings and not complaints:
        return []  # the supervision rules (and their index system) are read only when there is a record
    supervision = rules.supervision if isinstance(rules, Rules) else rules
    rows: list[dict[str, Any] | None] = [finding_event(finding_record(f, i), supervision) for f, i in findings]
    rows += [complaint_event(complaint_record(c), supervision) for c in complaints]
    return sorted((r for r in rows if r is not None and in_period(r, start, end)), key=lambda r: r["event_id"])


def as_row(record: dict[str, Any]) -> Row:
    """An event in EVENT_COLUMNS order, a missing value as "" (how both sides are compared)."""
    return tuple("" if record.get(c) is None else str(record[c]) for c in EVENT_COLUMNS)


def snapshot_event_rows(snapshot: Path) -> list[Row] | None:
    """The recorded_events table a snapshot holds (None when it holds none), checked against its manifest.

    Only the manifest is read when it names no such table; pyarrow is imported only when it does. A manifest
    or a file that is not as expected is left to tasks.drop_io, whose StructuralError names it.
    """
    folder = snapshot.parent if snapshot.name == "manifest.json" else snapshot
    entry = _manifest_entry(folder)
    if entry is None:
        return None
    if entry:
        import pyarrow.parquet as pq

        table = pq.read_table(folder / entry["file"])
        if table.num_rows == entry["rows"] and table.column_names == entry["columns"]:
            return [as_row(r) for r in table.to_pylist()]
    from tasks.drop_io import read_snapshot_table  # raises the StructuralError that names what is wrong

    frame = read_snapshot_table(folder, "recorded_events")
    return None if frame is None else [as_row(r) for r in frame.astype(object).where(frame.notna(), None)
                                       .to_dict("records")]


def _manifest_entry(folder: Path) -> dict[str, Any] | None:
    """The manifest's recorded_events entry; None when it names no such table; {} when it is not as expected."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != SNAPSHOT_FORMAT:
            return {}
        entry = manifest["tables"].get("recorded_events")
    except (OSError, ValueError, KeyError, AttributeError):
        return {}
    return None if entry is None else dict(entry)
