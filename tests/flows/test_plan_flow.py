"""The 第二十二条 inspection plan of 2026 from the shared 2025 results of the sample drop (R-19), both databases."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import advance_flow, publicize_flow
from flows.plan import plan_flow
from store.engine import make_engine, transaction
from store.repository import Repository
from tests.support.paths import ROOT
from tests.support.prefect_runs import artifacts

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]

SAMPLE_DROP = ROOT / "data" / "sample-drop"
RULES = ROOT / "rules" / "sampling" / "jc-2024.1.yaml"
SEED = "2026-jc"
ROSTER = """inspector_id,name,unit,county
JC001,王建国,晋城市生态环境局执法支队,
JC002,李秀英,晋城市生态环境局监测科,市局
ZZ001,张伟,泽州县分局,泽州县
ZZ002,刘洋,泽州县分局,泽州县
GP001,陈静,高平市分局,高平市
YC001,杨帆,阳城县分局,阳城县
CQ001,赵磊,城区分局,城区
QS001,周敏,沁水县分局,沁水县
"""


def evaluate(db_url: str, out: Path) -> None:
    annual_evaluation(drop=str(SAMPLE_DROP), year=2025, out=str(out), as_of=date(2026, 1, 20), db_url=db_url,
                      by="test")


@pytest.fixture
def shared(db_url, tmp_path, var_dir) -> str:
    """The 2025 cycle of the sample drop evaluated, publicised on 2026-02-02 and shared on 2026-03-02."""
    evaluate(db_url, tmp_path / "eval")
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=db_url, by="test")
    advance_flow(as_of=date(2026, 3, 2), outbox=str(tmp_path / "outbox"), publish_dir=str(tmp_path / "web"),
                 db_url=db_url, by="test")
    return db_url


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def expected_plan(results_csv: Path, events_csv: Path, seed: str) -> dict[str, tuple[str, str, int]]:
    """The plan worked out by hand from results.csv, the drop's events and the rules file: id → (grade, reason, n)."""
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    complained = {
        e["institution_id"] for e in read_csv(events_csv)
        if e["indicator"] == "JY-02" and e["verified"] == "true" and e["verified_on"]
        and e["verified_on"] <= "2026-01-20" and "2025-01-01" <= e["decided_on"] <= "2025-12-31"
    }
    results = read_csv(results_csv)
    expected = {}
    for group in rules["groups"]:
        grade = group["grade"]
        members = [r["institution_id"] for r in results
                   if (r["status"] == "not_rated" if grade == "not_rated" else r["grade"] == grade)]
        rounding = ROUND_FLOOR if group["rounding"] == "down" else ROUND_CEILING
        k = int((len(members) * Decimal(group["ratio"])).to_integral_value(rounding=rounding))
        order = sorted(members, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
        for position, institution_id in enumerate(order):
            drawn, complaint = position < k, institution_id in complained
            if drawn or complaint:
                reasons = (["all" if Decimal(group["ratio"]) == 1 else "sampled"] if drawn else [])
                reasons += ["complaint"] if complaint else []
                times = group["inspections_with_complaint"] if complaint else group["inspections"]
                expected[institution_id] = (grade, ";".join(reasons), times)
    for institution_id in complained - {r["institution_id"] for r in results}:
        expected[institution_id] = ("", "complaint", rules["complaint"]["inspections_without_result"])
    return expected


def files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes()
            for name in ("plan.csv", "plan_inspectors.csv", "plan.html", "plan.xlsx")}


def test_R19_the_2026_plan_samples_each_grade_by_the_rules_adds_complaints_and_is_reproducible_from_the_seed(
    shared, tmp_path
):
    # no roster yet: the plan is written without inspectors, and says so
    bare = plan_flow(year=2026, seed=SEED, out=str(tmp_path / "bare"), db_url=shared)
    assert bare["warning"] and "执法检查人员名录为空" in bare["warning"] and bare["teams"] == 0
    assert (tmp_path / "bare" / "plan_inspectors.csv").read_bytes().count(b"\r\n") == 1  # the header only
    assert "名录为空" in (tmp_path / "bare" / "plan.html").read_text(encoding="utf-8")

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    imported = CliRunner().invoke(app, ["inspectors", "import", "--file", str(roster), "--db", shared, "--by", "t"])
    assert imported.exit_code == 0, imported.output
    assert "roster.csv 中执法检查人员 8 人：新增 8 人、变更 0 人、未变 0 人" in imported.stdout
    again = CliRunner().invoke(app, ["inspectors", "import", "--file", str(roster), "--db", shared])
    assert "新增 0 人、变更 0 人、未变 8 人" in again.stdout
    engine = make_engine(shared)
    with transaction(engine) as session:
        assert len(Repository(session).audit_entries("inspector")) == 8
    engine.dispose()

    report = plan_flow(year=2026, seed=SEED, out=str(tmp_path / "plan"), db_url=shared)
    assert report["source_year"] == 2025 and report["rules_version"] == "jc-2024.1" and report["warning"] is None
    raw = (tmp_path / "plan" / "plan.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + b"institution_id,county,grade,reason,inspections,on_site\r\n")
    rows = read_csv(tmp_path / "plan" / "plan.csv")
    assert {r["on_site"] for r in rows} <= {"true", "false"}
    got = {r["institution_id"]: (r["grade"], r["reason"], int(r["inspections"])) for r in rows}
    expected = expected_plan(tmp_path / "eval" / "results.csv", SAMPLE_DROP / "credit_events.csv", SEED)
    assert got == expected
    assert any("complaint" in reason for _, reason, _ in got.values())
    assert all(r["on_site"] == "true" for r in rows if r["grade"] != "A" or "complaint" in r["reason"])
    assert raw == (tmp_path / "bare" / "plan.csv").read_bytes()  # the roster does not change the sample

    # 双随机: every inspection has two distinct inspectors, none from the institution's own county
    teams = read_csv(tmp_path / "plan" / "plan_inspectors.csv")
    assert len(teams) == sum(n for _, _, n in got.values()) == report["teams"]
    county_of = {line.split(",")[0]: line.split(",")[3] for line in ROSTER.splitlines()[1:]}
    for team in teams:
        assert team["inspector_1"] != team["inspector_2"]
        assert team["county"] not in {county_of[team["inspector_1"]], county_of[team["inspector_2"]]}

    html = (tmp_path / "plan" / "plan.html").read_text(encoding="utf-8")
    assert SEED in html and "jc-2024.1" in html and "泽州县" in html and "王建国" in html

    plan_flow(year=2026, seed=SEED, out=str(tmp_path / "same"), db_url=shared)
    assert files(tmp_path / "same") == files(tmp_path / "plan")
    plan_flow(year=2026, seed="2026-jc-other", out=str(tmp_path / "other"), db_url=shared)
    assert (tmp_path / "other" / "plan.csv").read_bytes() != raw
    latest = artifacts("plan-2026")[0]  # what the run shows in Prefect's UI (issue 10)
    assert "2026年度双随机抽查计划" in latest.data and "2026-jc-other" in latest.data
    assert str((tmp_path / "other").resolve()) in latest.data


def test_R19_a_plan_for_a_cycle_not_yet_determined_exits_2_naming_the_cycle_and_its_stage(db_url, tmp_path, var_dir):
    evaluate(db_url, tmp_path / "eval")
    result = CliRunner().invoke(app, ["plan", "--year", "2026", "--seed", SEED, "--out", str(tmp_path / "plan"),
                                      "--db", db_url])
    assert result.exit_code == 2
    assert "2025年度评价周期处于“已评分”阶段（'scored'）" in result.stderr and "尚未确定" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "plan" / "plan.csv").exists()
    missing = CliRunner().invoke(app, ["plan", "--year", "2031", "--seed", SEED, "--out", str(tmp_path / "x"),
                                       "--db", db_url])
    assert missing.exit_code == 2 and "2030" in missing.stderr
