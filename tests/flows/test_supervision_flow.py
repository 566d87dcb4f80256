"""Supervision feeds the scores (R-06, R-07, R-09, R-10): an inspection's 第十条(一) finding gives a written
notice and, once verified, a YW-05 event the next evaluation scores; complaints count only when verified."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from credit.rules import rules_for_year
from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import advance_flow, publicize_flow
from flows.plan import plan_flow
from store.engine import make_engine, transaction
from store.lifecycle import Actor
from store.models import Result
from store.repository import Repository
from store.uow import Store
from tasks.plan import RosterImport, import_roster
from tasks.supervision import (
    ComplaintInput,
    FindingInput,
    InspectionInput,
    OutcomeInput,
    add_complaint,
    add_finding,
    add_inspection,
    decide_complaint,
    verify_finding,
)
from tests.support.paths import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]

SAMPLE_DROP = ROOT / "data" / "sample-drop"
INSTITUTION = "91140100188037955Y"  # rated A 91.0 in the sample: execution −6, management 0, no bonus
NAME = "山西测试环境监测有限公司"  # given: the first test records before any evaluation filled the registry
OTHER = "91140105414792837W"
ROSTER = "inspector_id,name,unit,county\nJC001,王建国,晋城市生态环境局执法支队,\nJC002,李秀英,晋城市生态环境局监测科,\n"
ACTOR = Actor("officer", datetime(2026, 1, 5, tzinfo=UTC), "test")


def evaluate(db_url: str, out: Path) -> dict:
    return annual_evaluation(drop=str(SAMPLE_DROP), year=2025, out=str(out), as_of=date(2026, 1, 20),
                             db_url=db_url, by="test")


def status(db_url: str, as_of: date):
    """`credit cycle status` of 2025 on `as_of`."""
    from tasks.status import StatusInput, cycle_status

    with Store.open(db_url).unit_of_work(write=False) as uow:
        return cycle_status(uow, rules_for_year(2025), StatusInput(2025, as_of))


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def result_of(out: Path, institution_id: str) -> dict[str, str]:
    return next(r for r in rows(out / "results.csv") if r["institution_id"] == institution_id)


def findings_of(out: Path, institution_id: str, indicator: str) -> list[dict[str, str]]:
    return [f for f in rows(out / "findings.csv") if f["institution_id"] == institution_id
            and f["indicator"] == indicator]


def record_supervision(db_url: str, tmp_path: Path) -> dict:
    """An on-site inspection with a 第十条(一) finding verified, one left pending, and three complaints."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    rules = rules_for_year(2025)
    with Store.open(db_url).unit_of_work() as uow:
        import_roster(uow, RosterImport(roster), ACTOR)
        inspection = add_inspection(uow, rules, InspectionInput(
            INSTITUTION, date(2025, 6, 10), "on_site", ("records_reports", "methods_standards"), ("JC001", "JC002"),
            "现场检查", institution_name=NAME), ACTOR)
        notice = add_finding(uow, rules, FindingInput(
            inspection.inspection_id, 1, "written_notice", "原始记录未记录采样时间，监测报告引用作废标准。",
            date(2025, 6, 12), rectify_by=date(2025, 7, 12)), tmp_path / "measures", ACTOR)
        pending = add_finding(uow, rules, FindingInput(
            inspection.inspection_id, 3, "interview", "质控样品未按规范插入。", date(2025, 6, 12),
            interview_at="2025-06-20 09:30", interview_place="市局三楼会议室"), tmp_path / "measures", ACTOR)
        verify_finding(uow, rules, OutcomeInput(notice.finding_id, date(2025, 7, 1), "verified", "复核属实"), ACTOR)
        verified = add_complaint(uow, rules, ComplaintInput(INSTITUTION, "hotline_12345", date(2025, 8, 1),
                                                            "监测报告数据与现场不符"), ACTOR)
        decide_complaint(uow, rules, OutcomeInput(verified.complaint_id, date(2025, 8, 20), "verified", "经查属实"),
                         ACTOR)
        unfounded = add_complaint(uow, rules, ComplaintInput(OTHER, "written", date(2025, 9, 1), "收费过高"), ACTOR)
        decide_complaint(uow, rules, OutcomeInput(unfounded.complaint_id, date(2025, 9, 10), "unfounded", "不属实"),
                         ACTOR)
        waiting = add_complaint(uow, rules, ComplaintInput(OTHER, "hotline_12345", date(2025, 12, 1), "报告迟交"),
                                ACTOR)
    return {"notice": notice, "pending": pending, "verified": verified.complaint_id,
            "unfounded": unfounded.complaint_id, "waiting": waiting.complaint_id}


def test_R07_R09_R10_verified_finding_and_complaint_are_scored_by_the_next_evaluation(db_url, tmp_path, var_dir):
    before = evaluate(db_url, tmp_path / "before")
    baseline = result_of(tmp_path / "before", INSTITUTION)
    assert (baseline["score"], baseline["grade"], baseline["deduction_execution"]) == ("91.0", "A", "6.0")
    assert baseline["deduction_management"] == "0.0" and baseline["bonus"] == "0.0"
    recorded = record_supervision(db_url, tmp_path)

    after = evaluate(db_url, tmp_path / "after")

    out = tmp_path / "after"
    result = result_of(out, INSTITUTION)
    assert (result["score"], result["grade"]) == ("85.0", "B")  # 91 − 3 (YW-05) − 3 (JY-02)
    assert (result["deduction_execution"], result["deduction_management"]) == ("9.0", "3.0")
    assert findings_of(out, INSTITUTION, "YW-05") == [{
        "institution_id": INSTITUTION, "dimension": "execution", "indicator": "YW-05", "date": "2025-06-10",
        "raw_points": "3.0", "points": "3.0", "evidence": recorded["notice"].finding_id}]
    assert [f["evidence"] for f in findings_of(out, INSTITUTION, "JY-02")] == [recorded["verified"]]
    assert findings_of(out, INSTITUTION, "YW-07") == []  # found, not yet verified: never scored
    pending = {p["event_id"]: p for p in rows(out / "pending_events.csv")}
    assert pending[recorded["pending"].finding_id]["indicator"] == "YW-07"
    assert pending[recorded["waiting"]]["why"] == "not verified"
    assert recorded["unfounded"] not in pending  # unfounded: kept in the store, not an event at all
    assert result_of(out, OTHER) == result_of(tmp_path / "before", OTHER) | {"snapshot": result["snapshot"]}
    assert after["snapshot"] != before["snapshot"]  # the snapshot holds what the store had recorded
    written = {r["event_id"]: r for r in rows(out / "recorded_events.csv")}
    assert written[recorded["notice"].finding_id]["document_no"] == recorded["notice"].document_no
    assert not (tmp_path / "before" / "recorded_events.csv").exists()
    counts = {c["table"]: c for c in rows(out / "validation" / "counts.csv")}
    assert (counts["recorded_events"]["file"], counts["recorded_events"]["read"]) == ("store:recorded_events", "4")


def test_R07_written_notice_names_the_article_the_facts_and_the_indicator(db_url, tmp_path, var_dir):
    recorded = record_supervision(db_url, tmp_path)

    notice = Path(recorded["notice"].document_path)
    interview = Path(recorded["pending"].document_path)

    assert notice.parent == interview.parent == tmp_path / "measures"
    text = notice.read_text(encoding="utf-8")
    assert "书面告知书" in text and NAME in text and recorded["notice"].document_no == "晋环监告〔2025〕1号"
    assert "第十条第（一）项" in text and "原始记录未记录采样时间" in text and "YW-05" in text
    assert "约见谈话通知书" in interview.read_text(encoding="utf-8")
    assert recorded["pending"].document_no == "晋环监谈〔2025〕1号"
    engine = make_engine(db_url)
    with transaction(engine) as session:
        audit = Repository(session).audit_entries()
    engine.dispose()
    entities = [(a.entity, a.action) for a in audit if a.entity != "inspector"]
    assert entities == [
        ("inspection", "recorded"), ("inspection_finding", "recorded"), ("inspection_finding", "recorded"),
        ("inspection_finding", "decided"), ("complaint", "recorded"), ("complaint", "decided"),
        ("complaint", "recorded"), ("complaint", "decided"), ("complaint", "recorded"),
    ]


def test_R19_a_complaint_verified_in_the_store_puts_its_institution_in_the_plan(db_url, tmp_path, var_dir):
    record_supervision(db_url, tmp_path)
    evaluate(db_url, tmp_path / "eval")
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=db_url, by="test")
    advance_flow(as_of=date(2026, 3, 2), outbox=str(tmp_path / "outbox"), publish_dir=str(tmp_path / "web"),
                 db_url=db_url, by="test")

    plan_flow(year=2026, seed="s", out=str(tmp_path / "plan"), db_url=db_url)

    plan = {r["institution_id"]: r for r in rows(tmp_path / "plan" / "plan.csv")}
    assert INSTITUTION in plan and "complaint" in plan[INSTITUTION]["reason"]


def test_R15_R10_after_publicity_a_late_finding_comes_in_by_rescore_and_is_publicised_again(db_url, tmp_path, var_dir):
    from store.repository import CycleStartedError
    from tasks.rescore import RescoreInput, rescore

    evaluate(db_url, tmp_path / "eval")
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=db_url, by="test")
    recorded = record_supervision(db_url, tmp_path)

    with pytest.raises(CycleStartedError, match="2025年度评价周期已进入公示"):
        evaluate(db_url, tmp_path / "again")
    assert not (tmp_path / "again").exists()  # refused before the pull: nothing written
    waiting = status(db_url, date(2026, 2, 9)).recorded_events_since

    def rescore_on(day: date) -> dict:
        inputs = RescoreInput(2025, day, ACTOR, recorded_events=True, var_dir=var_dir)
        with Store.open(db_url).unit_of_work() as uow:
            return asdict(rescore(uow, rules_for_year(2025), inputs))

    report = rescore_on(date(2026, 2, 10))
    again = rescore_on(date(2026, 2, 11))

    assert waiting == sorted([recorded["notice"].finding_id, recorded["pending"].finding_id,
                              recorded["verified"], recorded["waiting"]])
    assert status(db_url, date(2026, 2, 11)).recorded_events_since == []
    assert report["changed"] == [INSTITUTION] and report["new_snapshot"].startswith("sha256:")
    assert again == {"year": 2025, "index_version": "jc-2024.1", "changed": [], "new_snapshot": None}
    engine = make_engine(db_url)
    with transaction(engine) as session:
        repository = Repository(session)
        current = repository.current_results(2025).set_index("institution_id")
        evidence = set(repository.findings_for(2025).query("institution_id == @INSTITUTION")["evidence"])
        states = {r.institution_id: (r.state, r.version, r.publicity_on) for r in
                  session.scalars(select(Result).where(Result.is_current.is_(True)))}
    engine.dispose()
    assert (current.loc[INSTITUTION, "score"], current.loc[INSTITUTION, "grade"]) == ("85.0", "B")
    assert {recorded["notice"].finding_id, recorded["verified"]} <= evidence
    assert states[INSTITUTION] == ("in_publicity", 2, date(2026, 2, 10))
    assert states[OTHER] == ("in_publicity", 1, date(2026, 2, 2))
