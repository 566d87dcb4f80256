"""Validated tables for scoring tests, built from a few readable rows (fakes, not mocks)."""

from __future__ import annotations

import copy
from datetime import date
from functools import lru_cache

import pandas as pd

from credit.calendar import WorkCalendar
from credit.contract import KEY_ROLES, TABLES
from credit.indexsystem import load_index_system
from credit.scoring import Scored, score

INST = "911405022914177767"  # 统一社会信用代码 with valid check characters
OTHER = "91140525317066907X"
THIRD = "91140581439150008C"
PUBLIC = "12140524063608377Q"
CLIENT = "91140525699FGC1F7E"
SUBJECT = "91140525CD5BHB2EGQ"
REGULATOR = "11140500700000001F"  # 晋城市生态环境局 in the example drop


def clean_drop(inst: str = INST) -> dict[str, list[dict]]:
    """An institution that earns no finding in 2025: registered, staffed, certified, calibrated, on time."""
    people = [
        {"institution_id": inst, "person_id": f"P{i}", "name": f"员工{i}", "role": role, "valid_from": "2020-01-01"}
        for i, role in enumerate(KEY_ROLES, start=1)
    ]
    return {
        "institutions": [{
            "institution_id": inst, "name": "晋城市清源环境监测有限公司", "county": "城区",
            "address": "城区凤台东街1号", "legal_nature": "企业法人", "registered_on": "2020-01-01",
            "status": "registered",
        }],
        "qualifications": [
            {"institution_id": inst, "certificate_no": "C1", "valid_from": "2020-01-01", "valid_to": "2030-12-31",
             "parameter_code": p, "method_standard": "HJ 1-2000"}
            for p in ("COD", "NH3N", "TP")
        ],
        "personnel": people,
        "equipment": [{"institution_id": inst, "equipment_id": "EQ-1", "name": "分光光度计",
                       "calibration_valid_to": "2030-01-01"}],
        "changes": [],
        "activities": [activity("A1", inst)],
        "credit_events": [],
    }


def activity(activity_id: str, inst: str = INST, **fields) -> dict:
    """A timely, in-scope monitoring activity sampled on 2025-03-03, unless fields say otherwise."""
    row = {
        "activity_id": activity_id, "institution_id": inst, "institution_name": "晋城市清源环境监测有限公司",
        "kind": "monitoring", "client_id": CLIENT, "client_name": "晋城市某某化工有限公司",
        "client_role": "other", "subject_id": CLIENT, "county": "城区", "parameters": "COD;NH3N",
        "equipment_ids": "EQ-1", "sampled_on": "2025-03-03", "report_no": f"R-{activity_id}",
        "report_issued_on": "2025-03-05", "signatory_id": "P4", "submitted_on": "2025-03-06",
    }
    row.update(fields)
    return row


def event(event_id: str, indicator: str | None, inst: str = INST, **fields) -> dict:
    """A verified event decided in 2025 and verified before as_of."""
    row = {
        "event_id": event_id, "institution_id": inst, "source": "inspection", "indicator": indicator,
        "clause": None, "occurred_on": "2025-04-01", "decided_on": "2025-05-10", "verified": "true",
        "verified_on": "2025-05-20", "document_no": f"晋市环监〔2025〕{event_id}号", "summary": "测试事件",
    }
    row.update(fields)
    return row


def frames(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """Typed frames as validation hands them to scoring: strings, datetime64[s] dates, index = file row."""
    out = {}
    for name, table in TABLES.items():
        if name == "objections":
            continue
        columns = list(table.all_columns)
        frame = pd.DataFrame(rows.get(name, []), columns=columns).astype("string")
        for column in set(table.dates) | ({"status_changed_on"} if name == "institutions" else set()):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[s]")
        if name == "credit_events":
            frame["verified"] = frame["verified"].str.lower()  # validation compares it in any case
        frame.index = pd.RangeIndex(2, 2 + len(frame))
        out[name] = frame
    return out


def run(rows: dict[str, list[dict]], year: int = 2025, as_of: date = date(2026, 1, 20), version: str = "jc-2024.1") -> Scored:
    """Score the rows with the real index system and calendar."""
    return score(frames(rows), _index(version), _calendar(), year, as_of)


@lru_cache
def _index(version: str):
    return load_index_system(version)


@lru_cache
def _calendar() -> WorkCalendar:
    return WorkCalendar.load()


def with_rows(base: dict[str, list[dict]], **tables: list[dict]) -> dict[str, list[dict]]:
    """A copy of `base` with rows appended to the named tables."""
    out = copy.deepcopy(base)
    for name, rows in tables.items():
        out.setdefault(name, []).extend(rows)
    return out


def result_of(scored: Scored, inst: str = INST) -> dict:
    return scored.results.set_index("institution_id").loc[inst].to_dict()


def findings_of(scored: Scored, inst: str = INST, indicator: str | None = None) -> list[tuple]:
    """(indicator, date, raw_points, points, evidence) of the institution's findings, in file order."""
    rows = scored.findings[scored.findings["institution_id"] == inst]
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    return [tuple(r) for r in rows[["indicator", "date", "raw_points", "points", "evidence"]].itertuples(index=False)]
