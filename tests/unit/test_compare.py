"""What-if (第十五条): two index versions on the same facts, compared without changing anything (R-12)."""

from __future__ import annotations

from datetime import date

import yaml

from credit.compare import compare
from credit.indexsystem import RULES_DIR, parse_index_system
from credit.scoring import score
from tests.support.builders import _calendar, _index, event, frames
from tests.support.builders import clean_drop as base_drop


def variant(points: int) -> object:
    raw = yaml.safe_load((RULES_DIR / "index" / "jc-2024.1.yaml").read_text(encoding="utf-8"))
    raw["version"] = "jc-test"
    integrity = next(d for d in raw["dimensions"] if d["code"] == "integrity")
    next(i for i in integrity["indicators"] if i["code"] == "CX-01")["points"] = points
    return parse_index_system(raw, where="variant")


def test_R12_a_heavier_warning_moves_an_institution_from_A_to_B_and_says_which_indicator():
    rows = base_drop()
    rows["credit_events"] = [event("W1", "CX-01"), event("W2", "CX-01", decided_on="2025-07-01")]
    tables = frames(rows)
    base = score(tables, _index("jc-2024.1"), _calendar(), 2025, date(2026, 1, 20))
    other = score(tables, variant(6), _calendar(), 2025, date(2026, 1, 20))
    migrations, changed = compare(base, other)
    assert migrations.to_dict("records") == [{"from": "A", "to": "B", "institutions": 1}]
    assert changed[["from", "to", "score_from", "score_to", "why"]].to_dict("records") == [
        {"from": "A", "to": "B", "score_from": "90.0", "score_to": "88.0", "why": "CX-01 10.0→12.0"}]


def test_R12_the_same_version_twice_changes_nobody():
    tables = frames(base_drop())
    scored = score(tables, _index("jc-2024.1"), _calendar(), 2025, date(2026, 1, 20))
    migrations, changed = compare(scored, scored)
    assert changed.empty and migrations["institutions"].sum() == 1
