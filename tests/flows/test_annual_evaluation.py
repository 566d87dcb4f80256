"""The annual evaluation flow end to end, on a real Prefect test server and real databases."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bench.generate import generate_drop
from credit.scoring import RESULT_COLUMNS
from flows.annual_evaluation import annual_evaluation
from store import models
from tests.support.paths import EXAMPLE_DROP, EXAMPLE_EXPECTED

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

GENERATED_AT = datetime(2026, 1, 20, 9, 30, tzinfo=timezone(timedelta(hours=8)))
CONTRACT_RESULTS = RESULT_COLUMNS + ["snapshot"]
CONTRACT_FINDINGS = ["institution_id", "dimension", "indicator", "date", "raw_points", "points", "evidence"]


def evaluate(drop: Path, out: Path, db_url: str, year: int = 2025, as_of: date = date(2026, 1, 20)) -> dict:
    return annual_evaluation(drop=str(drop), year=year, out=str(out), as_of=as_of, db_url=db_url, by="test",
                             generated_at=GENERATED_AT)  # a fixed 生成时间: the same bytes run to run


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def comparable(rows: list[dict]) -> list[dict]:
    """results.csv rows as the example compares them: no snapshot, no name/county for not rated."""
    out = []
    for row in rows:
        row = {k: v for k, v in row.items() if k != "snapshot"}
        if row["status"] == "not_rated":
            row.pop("name"), row.pop("county")
        out.append(row)
    return out


def table_counts(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        counts = {
            model.__tablename__: connection.scalar(select(func.count()).select_from(model))
            for model in (models.Result, models.Finding, models.AuditEntry, models.QuarantinedRow,
                          models.ValidationWarning, models.Cycle, models.Snapshot, models.Institution)
        }
    engine.dispose()
    return counts


def output_files(out: Path) -> dict[str, bytes]:
    """Every output but GX Data Docs (their pages carry GX's own run identifiers)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and "data-docs" not in p.parts
    }


def test_the_example_drop_gives_the_independent_implementations_results_and_findings(tmp_path, var_dir, db_url):
    evaluate(EXAMPLE_DROP, tmp_path / "out", db_url)
    expected = EXAMPLE_EXPECTED
    assert comparable(read_rows(tmp_path / "out" / "results.csv")) == comparable(read_rows(expected / "results.csv"))
    assert (tmp_path / "out" / "findings.csv").read_bytes() == (expected / "findings.csv").read_bytes()


def test_running_twice_on_the_same_drop_leaves_the_same_rows_and_the_same_bytes(tmp_path, var_dir, db_url):
    first = evaluate(EXAMPLE_DROP, tmp_path / "one", db_url)
    rows_after_first = table_counts(db_url)
    second = evaluate(EXAMPLE_DROP, tmp_path / "two", db_url)
    assert second["saved"].wrote_nothing
    assert first["snapshot"] == second["snapshot"]
    assert table_counts(db_url) == rows_after_first
    one, two = output_files(tmp_path / "one"), output_files(tmp_path / "two")
    assert one == two
    assert set(one) >= {"results.csv", "findings.csv", "quarantine.csv", "warnings.csv", "publicity.html",
                        "publicity.csv", "publicity.xlsx", "run-summary.html", "validation/counts.csv"}
    assert (tmp_path / "one" / "validation" / "data-docs" / "index.html").is_file()


@pytest.fixture(scope="module")
def generated_drop(tmp_path_factory) -> Path:
    drop = tmp_path_factory.mktemp("generated")
    generate_drop(drop, year=2025, institutions=40, activities_per_institution=40, seed=11)
    return drop


def test_a_generated_drop_writes_the_contract_columns_and_findings_explain_every_point(
    tmp_path, var_dir, generated_drop
):
    evaluate(generated_drop, tmp_path / "out", f"sqlite:///{tmp_path / 'c.db'}")
    results = read_rows(tmp_path / "out" / "results.csv")
    findings = read_rows(tmp_path / "out" / "findings.csv")
    assert list(results[0]) == CONTRACT_RESULTS
    assert list(findings[0]) == CONTRACT_FINDINGS
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for finding in findings:
        sums[finding["institution_id"], finding["dimension"]] += Decimal(finding["points"])
    for row in results:
        if row["status"] != "rated":
            assert all(row[c] == "" for c in ("score", "grade", "deduction_basic", "bonus"))
            continue
        for dimension in ("basic", "execution", "management", "integrity"):
            assert Decimal(row[f"deduction_{dimension}"]) == sums[row["institution_id"], dimension]
        assert Decimal(row["bonus"]) == sums[row["institution_id"], "bonus"]
        deducted = sum(Decimal(row[f"deduction_{d}"]) for d in ("basic", "execution", "management", "integrity"))
        assert Decimal(row["score"]) == min(Decimal(100), max(Decimal(0), 100 - deducted + Decimal(row["bonus"])))


def test_a_drop_with_bad_rows_in_every_table_quarantines_exactly_those_rows(tmp_path, var_dir):
    drop = tmp_path / "bad"
    generate_drop(drop, year=2025, institutions=30, activities_per_institution=20, seed=5, bad_rows=True)
    evaluate(drop, tmp_path / "out", f"sqlite:///{tmp_path / 'c.db'}")
    manifest = json.loads((drop / "bad_rows.json").read_text(encoding="utf-8"))
    quarantined = read_rows(tmp_path / "out" / "quarantine.csv")
    assert {(q["file"], int(q["row"])) for q in quarantined} == {(m["file"], m["row"]) for m in manifest}
    assert all(q["reason"] for q in quarantined)
    assert {m["table"] for m in manifest} == {"institutions", "qualifications", "personnel", "equipment", "changes",
                                                "activities", "credit_events", "objections"}
    for count in read_rows(tmp_path / "out" / "validation" / "counts.csv"):
        assert int(count["read"]) == int(count["accepted"]) + int(count["quarantined"])
        rows_in_file = sum(1 for _ in (drop / count["file"]).open(encoding="utf-8")) - 1
        assert int(count["read"]) == rows_in_file
        assert int(count["quarantined"]) == sum(1 for q in quarantined if q["file"] == count["file"])
