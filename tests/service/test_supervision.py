"""Supervision records and their imports on the in-memory unit of work (R-06, R-07, R-09, R-10, R-21)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.models import Inspector, Institution
from tasks.supervision import (
    ComplaintInput,
    FindingInput,
    InspectionInput,
    OutcomeInput,
    SupervisionError,
    add_complaint,
    add_finding,
    add_inspection,
    decide_complaint,
    recorded_events,
    supervision_list,
    verify_finding,
)
from tasks.supervision_import import ComplaintImport, InspectionImport, import_complaints, import_inspections
from tests.service.fakes import FakeUnitOfWork
from tests.support.builders import INST, OTHER

RULES = rules_for_year(2025)
ACTOR = Actor("officer", datetime(2025, 6, 1, tzinfo=UTC), "test")
NAME = "晋城市清源环境监测有限公司"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A store with a roster of three and the institution OTHER in its registry."""
    work = FakeUnitOfWork()
    for inspector_id, name in (("JC001", "王建国"), ("JC002", "李秀英"), ("JC003", "张伟")):
        work.tables.add("inspectors", Inspector(inspector_id=inspector_id, name=name, unit="执法支队", active=True))
    work.tables.add("institutions", Institution(institution_id=OTHER, name="山西信博环保科技有限公司",
                                                address="城区东街3号", status="registered"))
    return work


def inspect(uow: FakeUnitOfWork, institution: str = INST, **changes):
    values = {"institution_id": institution, "inspected_on": date(2025, 5, 6), "method": "on_site",
              "matters": ("records_reports",), "inspectors": ("JC001", "JC002"), "institution_name": NAME} | changes
    with uow:
        return add_inspection(uow, RULES, InspectionInput(**values), ACTOR)


def notice(uow: FakeUnitOfWork, folder: Path, inspection_id: str = "INS-2025-0001", **changes):
    values = {"inspection_id": inspection_id, "situation": 1, "measure": "written_notice", "facts": "原始记录不完整",
              "issued_on": date(2025, 5, 8)} | changes
    with uow:
        return add_finding(uow, RULES, FindingInput(**values), folder, ACTOR)


def test_R06_an_inspection_is_numbered_per_year_audited_and_named_from_the_registry(uow):
    first = inspect(uow)
    second = inspect(uow, OTHER, institution_name=None, inspectors=("JC002", "JC003"))
    assert (first.inspection_id, first.in_registry, first.institution_name) == ("INS-2025-0001", False, NAME)
    assert (second.inspection_id, second.in_registry, second.institution_name) == (
        "INS-2025-0002", True, "山西信博环保科技有限公司")
    assert uow.tables.of("inspections")[0].rules_version == RULES.supervision.version
    [entry, _] = uow.audit.entries("inspection")
    assert (entry.entity_id, entry.action, entry.after["matters"]) == ("INS-2025-0001", "recorded",
                                                                       ["records_reports"])


@pytest.mark.parametrize(("changes", "said"), [
    ({"inspectors": ("JC001", "NOBODY")}, "--inspector NOBODY：不在执法检查人员名录中"),
    ({"inspectors": ("JC001",)}, "--inspector：一次检查至少需要 2 名执法人员"),
    ({"method": "telepathy"}, "--method 'telepathy'：不是已知的检查方式（第九条）"),
    ({"matters": ()}, "--matter：至少填写一项检查事项（第八条）"),
    ({"institution_id": INST[:-1] + "X"}, f"--institution '{INST[:-1]}X'：不是校验码正确的统一社会信用代码"),
    ({"inspection_id": "../evil"}, "--id '../evil'：编号须为 1–60 个字母、数字"),
])
def test_R06_an_inspection_that_cannot_be_taken_is_refused_and_nothing_is_kept(uow, changes, said):
    with pytest.raises(SupervisionError, match=re.escape(said)):
        inspect(uow, **changes)
    assert uow.tables.of("inspections") == [] and uow.rolled_back == 1


def test_R07_a_finding_renders_its_numbered_notice_and_once_verified_is_its_indicators_event(uow, tmp_path):
    inspect(uow)
    found = notice(uow, tmp_path)
    second = notice(uow, tmp_path, situation=3, measure="interview", interview_at="2025-05-12 09:30",
                    interview_place="市局三楼")
    assert (found.finding_id, found.indicator, found.document_no) == ("INS-2025-0001-1", "YW-05", "晋环监告〔2025〕1号")
    assert (second.finding_id, second.document_no) == ("INS-2025-0001-2", "晋环监谈〔2025〕1号")
    text = Path(found.document_path).read_text(encoding="utf-8")
    assert "书面告知书" in text and NAME in text and "王建国" in text and "YW-05" in text
    with uow:
        verified = verify_finding(uow, RULES, OutcomeInput(found.finding_id, date(2025, 5, 20), "verified"), ACTOR)
    assert verified.event["indicator"] == "YW-05" and verified.event["verified_on"] == "2025-05-20"
    assert verified.event["decided_on"] == "2025-05-06"
    with pytest.raises(SupervisionError, match="问题 INS-2025-0001-1：已有核实结论（verified，2025-05-20），不能再次决定"), uow:
        verify_finding(uow, RULES, OutcomeInput(found.finding_id, date(2025, 5, 21), "not_verified"), ACTOR)


def test_R07_a_notice_before_the_inspection_or_an_interview_without_a_place_is_refused(uow, tmp_path):
    inspect(uow)
    with pytest.raises(SupervisionError, match="--issued 2025-05-01：签发日期早于检查日期 2025-05-06"):
        notice(uow, tmp_path, issued_on=date(2025, 5, 1))
    with pytest.raises(SupervisionError, match="约见谈话须给出约谈时间 --interview-at 和约谈地点 --place"):
        notice(uow, tmp_path, measure="interview", interview_at="2025-05-12 09:30")
    assert uow.tables.of("inspection_findings") == [] and list(tmp_path.iterdir()) == []


def test_R09_a_complaint_counts_once_verified_and_an_unfounded_one_never(uow):
    with uow:
        first = add_complaint(uow, RULES, ComplaintInput(INST, "hotline_12345", date(2025, 3, 1), "报告造假"), ACTOR)
        second = add_complaint(uow, RULES, ComplaintInput(OTHER, "written", date(2025, 3, 2), "收费过高"), ACTOR)
        verified = decide_complaint(uow, RULES, OutcomeInput(first.complaint_id, date(2025, 3, 20), "verified"),
                                    ACTOR)
        unfounded = decide_complaint(uow, RULES, OutcomeInput(second.complaint_id, date(2025, 3, 21), "unfounded"),
                                     ACTOR)
    assert (first.complaint_id, first.in_registry, second.in_registry) == ("CMP-2025-0001", False, True)
    assert (verified.event["indicator"], verified.event["source"], verified.event["decided_on"]) == (
        "JY-02", "complaint", "2025-03-20")
    assert unfounded.event is None
    with pytest.raises(SupervisionError, match="--channel 'fax'：不是已知的投诉渠道（第十三条）"), uow:
        add_complaint(uow, RULES, ComplaintInput(INST, "fax", date(2025, 3, 2), "x"), ACTOR)


def test_R10_recorded_events_are_the_periods_rows_in_event_id_order(uow, tmp_path):
    inspect(uow)
    found = notice(uow, tmp_path)
    with uow:
        verify_finding(uow, RULES, OutcomeInput(found.finding_id, date(2025, 5, 20), "verified"), ACTOR)
        add_complaint(uow, RULES, ComplaintInput(INST, "written", date(2025, 12, 1), "待查"), ACTOR)
        add_complaint(uow, RULES, ComplaintInput(INST, "written", date(2026, 1, 3), "明年"), ACTOR)
    events = recorded_events(uow, date(2025, 1, 1), date(2025, 12, 31), RULES)
    assert events[["event_id", "indicator", "verified"]].values.tolist() == [
        ["CMP-2025-0001", "JY-02", "false"], ["INS-2025-0001-1", "YW-05", "true"]]
    assert recorded_events(uow.supervision, date(2026, 1, 1), date(2026, 12, 31), RULES)["event_id"].tolist() == [
        "CMP-2026-0001"]


INSPECTIONS = f"""inspection_id,institution_id,institution_name,inspected_on,method,matters,inspectors,summary
JC-2025-001,{INST},{NAME},2025-05-06,on_site,records_reports;quality_system,JC001;JC002,现场检查
JC-2025-002,{OTHER},,2025-06-01,blind_sample,other,JC002;JC003,
"""
FINDINGS = """inspection_id,situation,measure,facts,issued_on,rectify_by,interview_at,interview_place,outcome,verified_on
JC-2025-001,1,written_notice,原始记录不完整,2025-05-08,2025-06-08,,,verified,2025-05-20
JC-2025-002,4,interview,拒绝提供盲样原始记录,2025-06-03,,2025-06-10 09:30,市局三楼,,
"""


def files(folder: Path, inspections: str = INSPECTIONS, findings: str = FINDINGS) -> InspectionImport:
    (folder / "inspections.csv").write_text(inspections, encoding="utf-8-sig")
    (folder / "findings.csv").write_text(findings, encoding="utf-8")
    return InspectionImport(folder / "inspections.csv", folder / "findings.csv", folder / "docs")


def test_R06_an_import_takes_inspections_and_findings_and_twice_changes_nothing(uow, tmp_path):
    given = files(tmp_path)
    with uow:
        first = import_inspections(uow, RULES, given, ACTOR)
    with uow:
        second = import_inspections(uow, RULES, given, ACTOR)
    assert (first.inspections, first.unchanged, first.findings) == (2, 0, 2)
    assert (second.inspections, second.unchanged, second.findings) == (0, 2, 0)
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == [
        "JC-2025-001-1-written_notice.html", "JC-2025-002-1-interview.html"]
    assert {f.id: f.outcome for f in uow.tables.of("inspection_findings")} == {
        "JC-2025-001-1": "verified", "JC-2025-002-1": "pending"}


def test_R06_a_bad_import_names_every_file_row_and_column_and_keeps_nothing_not_even_documents(uow, tmp_path):
    bad = INSPECTIONS.replace("JC-2025-002", "../../evil").replace("2025-06-01", "2025-06-31")
    given = files(tmp_path, bad, FINDINGS.replace("JC-2025-002", "../../evil"))
    with pytest.raises(SupervisionError, match="2 处错误，未导入任何记录") as raised, uow:
        import_inspections(uow, RULES, given, ACTOR)
    message = str(raised.value)
    assert "inspections.csv 第3行，inspected_on：'2025-06-31' 不是 YYYY-MM-DD 格式的日期" in message
    assert "findings.csv 第3行：检查 ../../evil 未登记" in message
    assert uow.tables.of("inspections") == uow.tables.of("inspection_findings") == []
    assert uow.audit.entries() == [] and list((tmp_path / "docs").glob("*")) == []


def test_R06_the_same_id_with_other_facts_is_refused(uow, tmp_path):
    with uow:
        import_inspections(uow, RULES, files(tmp_path), ACTOR)
    changed = files(tmp_path, INSPECTIONS.replace("2025-05-06", "2025-05-07"), "inspection_id,situation,measure,"
                                                                              "facts,issued_on\n")
    with pytest.raises(SupervisionError, match="inspections.csv 第2行，inspection_id：JC-2025-001 已登记，但已登记的内容与本行不同"), uow:
        import_inspections(uow, RULES, changed, ACTOR)


def test_R09_a_complaint_import_takes_outcomes_and_twice_changes_nothing(uow, tmp_path):
    path = tmp_path / "complaints.csv"
    path.write_text(
        "complaint_id,institution_id,channel,received_on,summary,complainant,outcome,verified_on,note\n"
        f"C1,{INST},hotline_12345,2025-04-01,数据造假,匿名,verified,2025-04-15,属实\n"
        f"C2,{INST},written,2025-04-02,收费高,,unfounded,2025-04-16,不属实\n"
        f"C3,{INST},written,2025-04-03,待查,,,,\n", encoding="utf-8")
    with uow:
        first = import_complaints(uow, RULES, ComplaintImport(path), ACTOR)
    with uow:
        again = import_complaints(uow, RULES, ComplaintImport(path), ACTOR)
    assert (first.complaints, first.unchanged, again.complaints, again.unchanged) == (3, 0, 0, 3)
    assert {c.id: c.outcome for c in uow.tables.of("complaints")} == {"C1": "verified", "C2": "unfounded",
                                                                        "C3": "pending"}
    assert [a.action for a in uow.audit.entries("complaint")] == ["recorded", "decided", "recorded", "decided",
                                                                  "recorded"]


def test_the_year_lists_inspections_with_their_findings_and_complaints(uow, tmp_path):
    with uow:
        import_inspections(uow, RULES, files(tmp_path), ACTOR)
        add_complaint(uow, RULES, ComplaintInput(INST, "written", date(2025, 3, 2), "收费过高"), ACTOR)
    listed = supervision_list(uow, 2025)
    assert [(i["id"], [f["outcome"] for f in i["findings"]]) for i in listed.inspections] == [
        ("JC-2025-001", ["verified"]), ("JC-2025-002", ["pending"])]
    assert [c["id"] for c in listed.complaints] == ["CMP-2025-0001"]
    assert supervision_list(uow, 2024).inspections == []
