"""Big drops hold repetitive text as categoricals: the results must not change by a digit (R-12)."""

from __future__ import annotations

import csv
from datetime import date

import pandas as pd

from credit.calendar import WorkCalendar
from credit.indexsystem import load_index_system
from tasks import drop_io
from tasks.validation import validate_drop
from tests.support.paths import EXAMPLE_DROP, EXAMPLE_EXPECTED


def score_example(monkeypatch, min_rows: int):
    from credit.scoring import score

    monkeypatch.setattr(drop_io, "DICTIONARY_MIN_ROWS", min_rows)
    drop = drop_io.read_drop(EXAMPLE_DROP)
    index = load_index_system("jc-2024.1")
    validated = validate_drop(drop, event_indicators=set(index.event_codes), auto_indicators=set(index.auto_codes),
                              counties=["城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"])
    return drop, validated, score(validated.tables, index, WorkCalendar.load(), 2025, date(2026, 1, 20))


def expected(name: str) -> list[dict]:
    with (EXAMPLE_EXPECTED / name).open(encoding="utf-8-sig", newline="") as handle:
        return [{k: v for k, v in row.items() if k != "snapshot"} for row in csv.DictReader(handle)]


def test_categorical_columns_give_the_same_quarantine_results_and_findings(monkeypatch):
    drop, validated, scored = score_example(monkeypatch, min_rows=0)
    assert isinstance(drop.tables["activities"].frame["kind"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_string_dtype(drop.tables["activities"].frame["activity_id"].dtype)
    assert scored.results.astype(str).to_dict("records") == expected("results.csv")
    assert scored.findings.astype(str).to_dict("records") == expected("findings.csv")
    _, plain, _ = score_example(monkeypatch, min_rows=10**9)
    pd.testing.assert_frame_equal(validated.quarantine, plain.quarantine)
    pd.testing.assert_frame_equal(validated.warnings, plain.warnings)
