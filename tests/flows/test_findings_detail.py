"""评分明细.xlsx and findings_zh.csv beside the contract's findings.csv (issue 12 item 2)."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from credit.indexsystem import load_index_system
from flows.annual_evaluation import annual_evaluation
from reports.explain import DETAIL_COLUMNS
from tests.support.paths import EXAMPLE_DROP, EXAMPLE_EXPECTED

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]

INDEX = load_index_system("jc-2024.1")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def out(tmp_path: Path, var_dir: Path, db_url: str) -> Path:
    folder: Path = tmp_path / "out"
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(folder), as_of=date(2026, 1, 20), db_url=db_url,
                      by="test", generated_at=datetime(2026, 1, 20, 9, 30, tzinfo=timezone(timedelta(hours=8))))
    return folder


def test_the_findings_in_words_name_every_finding_and_findings_csv_stays_the_contracts(out: Path) -> None:
    assert (out / "findings.csv").read_bytes() == (EXAMPLE_EXPECTED / "findings.csv").read_bytes()
    contract = read_rows(out / "findings.csv")
    names = {r["institution_id"]: r["name"] for r in read_rows(out / "results.csv")}

    worded = read_rows(out / "findings_zh.csv")
    assert list(worded[0]) == list(DETAIL_COLUMNS) and len(worded) == len(contract)
    for row, finding in zip(worded, contract, strict=True):
        indicator = INDEX.indicators[finding["indicator"]]
        assert (row["统一社会信用代码"], row["机构名称"]) == (finding["institution_id"], names[finding["institution_id"]])
        assert (row["指标代码"], row["指标名称"], row["依据条款"]) == (indicator.code, indicator.name, indicator.article)
        assert row["维度"] == INDEX.dimension(finding["dimension"]).name
        assert (row["日期"], row["原始分"], row["计入分"]) == (finding["date"], finding["raw_points"], finding["points"])
        assert row["证据"].endswith(f"（{finding['evidence']}）")

    sheet = load_workbook(out / "评分明细.xlsx").active
    assert sheet.title == "评分明细" and sheet.freeze_panes == "A2"
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == DETAIL_COLUMNS and len(table) == len(contract) + 1
    for cells, row in zip(table[1:], worded, strict=True):
        assert (cells[1], cells[2], cells[5], cells[8]) == (row["统一社会信用代码"], row["机构名称"], row["指标名称"],
                                                            row["证据"])
        assert cells[7].date().isoformat() == row["日期"]  # a date cell, not text


def test_the_run_summary_lists_the_findings_in_words(out: Path) -> None:
    summary = json.loads((out / "run-summary.json").read_text(encoding="utf-8"))
    paths = {o["path"] for o in summary["outputs"]}
    assert {"findings.csv", "findings_zh.csv", "评分明细.xlsx"} <= paths
    html = (out / "run-summary.html").read_text(encoding="utf-8")
    assert "评分明细.xlsx" in html
    for row in summary["indicators"]:
        assert f"<code>{row['code']}</code> {INDEX.indicators[row['code']].name}</th>" in html
    assert sum(int(r["findings"]) for r in summary["indicators"]) == summary["findings"]
