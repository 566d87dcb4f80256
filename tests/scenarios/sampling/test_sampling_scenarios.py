"""Worked examples of the 第二十二条 inspection plan a domain expert can read (R-19; YAML beside this file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from credit.sampling import draw_inspectors, draw_order, load_sampling_rules, plan

SCENARIOS = sorted(Path(__file__).parent.glob("*.yaml"))
RESULT_COLUMNS = ["institution_id", "county", "status", "grade"]


def results_of(spec: dict) -> pd.DataFrame:
    """`generate` entries become <grade>-001 … <grade>-<count>; `rows` are taken as written."""
    rows = [
        {"institution_id": f"{g['grade']}-{i:03}", "county": g["county"], "status": "rated", "grade": g["grade"]}
        for g in spec.get("generate") or [] for i in range(1, g["count"] + 1)
    ]
    rows += [{c: str(r[c]) for c in RESULT_COLUMNS} for r in spec.get("rows") or []]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def complaints_of(entries: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{"institution_id": e["institution_id"], "county": e.get("county", "")} for e in entries],
                        columns=["institution_id", "county"])


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_R19_worked_example_of_the_第二十二条_plan(path: Path):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    seed, expect = str(scenario["seed"]), scenario["expect"]
    rules = load_sampling_rules(scenario["rules_version"])
    made = plan(results_of(scenario["results"]), complaints_of(scenario.get("complaints") or []), rules, seed)
    assert (made.seed, made.rules_version) == (seed, scenario["rules_version"])

    for grade, ranked in (expect.get("draw_order") or {}).items():
        assert all(draw_order(seed, i).startswith(prefix) for i, prefix in ranked), grade
        assert [p for _, p in ranked] == sorted(p for _, p in ranked), grade

    rows = [[r.institution_id, r.county, r.grade, r.reason, int(r.inspections), bool(r.on_site)]
            for r in made.rows.itertuples(index=False)]
    assert rows == [[str(x) if i < 4 else x for i, x in enumerate(row)] for row in expect["rows"]]

    if "counts" in expect:
        counts = made.counts[["grade", "n", "k", "complaint_added", "selected"]].values.tolist()
        assert counts == [[str(row[0]), *row[1:]] for row in expect["counts"]]

    if "inspectors" in expect:
        roster = pd.DataFrame([{k: str(v) for k, v in r.items()} for r in scenario["roster"]])
        drawn = draw_inspectors(made.rows, roster, seed)
        got = drawn[["institution_id", "inspection", "inspector_1", "inspector_2", "note"]].values.tolist()
        assert got == [[str(r[0]), r[1], str(r[2]), str(r[3]), str(r[4])] for r in expect["inspectors"]]
