"""Worked examples a domain expert can read: facts → findings → score → grade (YAML beside this file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.support.builders import clean_drop, findings_of, result_of, run

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))


def _text(value):
    return None if value is None else str(value)


def build(scenario: dict) -> dict:
    """The clean institution's drop, with the scenario's row updates and added rows."""
    rows = clean_drop()
    for table, fields in (scenario.get("set") or {}).items():
        for row in rows[table]:
            row.update({k: _text(v) for k, v in fields.items()})
    for table, added in (scenario.get("add") or {}).items():
        rows.setdefault(table, []).extend({k: _text(v) for k, v in row.items()} for row in added)
    return rows


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_worked_example(path: Path):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    scored = run(build(scenario), year=scenario.get("year", 2025), as_of=scenario.get("as_of", date(2026, 1, 20)))
    expect = scenario["expect"]
    institution = expect.get("institution") or clean_drop()["institutions"][0]["institution_id"]
    found = [list(f) for f in findings_of(scored, institution)]
    assert found == [[str(x) for x in f] for f in expect.get("findings", [])]
    result = result_of(scored, institution)
    assert {k: result[k] for k in expect["result"]} == {k: _text(v) or "" for k, v in expect["result"].items()}
