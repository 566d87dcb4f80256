"""第六条 (R-05): changes filed after their one-month deadline, or never, listed for the branches."""

from __future__ import annotations

from datetime import date

from credit.registry import late_filings
from tests.support.builders import INST, _calendar, clean_drop, frames


def report(changes: list[dict], as_of: date = date(2026, 1, 20)):
    rows = clean_drop()
    rows["changes"] = changes
    tables = frames(rows)
    return late_filings(tables["changes"], tables["institutions"], _calendar(), as_of)


def change(item: str, changed_on: str, filed_on: str | None) -> dict:
    return {"institution_id": INST, "item": item, "changed_on": changed_on, "filed_on": filed_on}


def test_R05_a_change_filed_after_its_deadline_and_one_never_filed_are_listed_with_days_late():
    found = report([
        change("address", "2025-05-22", "2025-06-25"),  # deadline 06-22 is a Sunday → 06-23; 2 days late
        change("name", "2025-07-01", "2025-07-20"),  # in time
        change("legal_nature", "2025-11-03", None),  # deadline 12-03, never filed by 2026-01-20
    ])
    assert found[["item", "deadline", "filed_on", "days_late", "status"]].to_dict("records") == [
        {"item": "address", "deadline": "2025-06-23", "filed_on": "2025-06-25", "days_late": 2, "status": "filed_late"},
        {"item": "legal_nature", "deadline": "2025-12-03", "filed_on": "", "days_late": 48, "status": "never_filed"},
    ]
    assert set(found["county"]) == {"城区"}


def test_R05_an_unfiled_change_whose_deadline_has_not_passed_is_not_listed():
    assert report([change("address", "2026-01-05", None)], as_of=date(2026, 1, 20)).empty
