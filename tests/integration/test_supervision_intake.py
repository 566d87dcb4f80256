"""`credit inspection …` and `credit complaint …` (R-06, R-07, R-09, R-21): what is taken, what is refused with
exit code 2 naming the option or the file, row and column, and what a verified record becomes."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from store.engine import make_engine, transaction
from store.models import Complaint, Inspection, InspectionFinding
from tests.support.databases import postgres_schema

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
INST = "91140100188037955Y"
ROSTER = "inspector_id,name,unit,county\nJC001,王建国,执法支队,\nJC002,李秀英,监测科,\nJC003,张伟,泽州县分局,泽州县\n"
INSPECTIONS = """inspection_id,institution_id,institution_name,inspected_on,method,matters,inspectors,summary
JC-2025-001,91140100188037955Y,山西安汇环境监测有限公司,2025-05-06,on_site,records_reports;quality_system,JC001;JC002,现场检查
JC-2025-002,91140105414792837W,山西信博环保科技有限公司,2025-06-01,blind_sample,other,JC002;JC003,
"""
FINDINGS = """inspection_id,situation,measure,facts,issued_on,rectify_by,interview_at,interview_place,outcome,verified_on
JC-2025-001,1,written_notice,原始记录不完整,2025-05-08,2025-06-08,,,verified,2025-05-20
JC-2025-002,4,interview,拒绝提供盲样原始记录,2025-06-03,,2025-06-10 09:30,市局三楼,,
"""


@pytest.fixture(params=DATABASES)
def db(request, tmp_path, monkeypatch) -> str:
    from store.settings import get_settings

    monkeypatch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else postgres_schema() as url:
        roster = tmp_path / "roster.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        assert credit("inspectors", "import", "--file", str(roster), db=url).exit_code == 0
        yield url
    get_settings.cache_clear()


def credit(*args: str, db: str):
    by = [] if args[1] == "list" else ["--by", "tester"]  # listing changes nothing: no --by
    return CliRunner().invoke(app, [*args, "--db", db, *by])


def inspection(db: str, *extra: str):
    return credit("inspection", "add", "--institution", INST, "--on", "2025-05-06", "--method", "on_site",
                  "--matter", "records_reports", "--inspector", "JC001", "--inspector", "JC002",
                  "--name", "山西安汇环境监测有限公司", *extra, db=db)


def count(db: str, model) -> int:
    engine = make_engine(db)
    with transaction(engine) as session:
        n = session.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--method", "telepathy", "--method 'telepathy'：不是已知的检查方式（第九条）；可选：off_site | on_site"),
    ("--matter", "weather", "--matter 'weather'：不是已知的检查事项（第八条）"),
    ("--inspector", "NOBODY", "--inspector NOBODY：不在执法检查人员名录中"),
    ("--institution", "91140100188037955X", "--institution '91140100188037955X'：不是校验码正确的统一社会信用代码"),
])
def test_R06_an_inspection_with_an_unknown_value_is_refused_with_exit_code_2(db, option, value, said):
    args = {"--institution": INST, "--method": "on_site", "--matter": "records_reports"}
    if option in args:
        args[option] = value
    inspectors = [value, "JC002"] if option == "--inspector" else ["JC001", "JC002"]
    result = credit("inspection", "add", "--on", "2025-05-06", *[x for k, v in args.items() for x in (k, v)],
                    *[x for i in inspectors for x in ("--inspector", i)], db=db)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert count(db, Inspection) == 0


def test_R06_one_inspector_is_not_an_inspection(db):
    result = credit("inspection", "add", "--institution", INST, "--on", "2025-05-06", "--method", "off_site",
                    "--matter", "other", "--inspector", "JC001", db=db)
    assert result.exit_code == 2 and "--inspector：一次检查至少需要 2 名执法人员（《行政处罚法》第四十二条）" in result.stderr


def test_R07_a_finding_is_verified_once_and_becomes_its_indicator(db, tmp_path):
    assert inspection(db).exit_code == 0
    found = credit("inspection", "finding", "INS-2025-0001", "--situation", "1", "--measure", "written_notice",
                   "--facts", "原始记录不完整", "--issued", "2025-05-08", "--json", db=db)
    assert found.exit_code == 0, found.output
    report = json.loads(found.stdout)
    assert (report["finding_id"], report["indicator"], report["document_no"]) == (
        "INS-2025-0001-1", "YW-05", "晋环监告〔2025〕1号")
    assert Path(report["document_path"]).parent == tmp_path / "var" / "measures"

    verified = credit("inspection", "verify", "INS-2025-0001-1", "--on", "2025-05-20", "--json", db=db)
    again = credit("inspection", "verify", "INS-2025-0001-1", "--on", "2025-05-21", "--outcome", "not_verified",
                   db=db)

    event = json.loads(verified.stdout)["event"]
    assert event == {
        "event_id": "INS-2025-0001-1", "institution_id": INST, "source": "inspection", "indicator": "YW-05",
        "clause": None, "occurred_on": "2025-05-06", "decided_on": "2025-05-06", "verified": "true",
        "verified_on": "2025-05-20", "document_no": "晋环监告〔2025〕1号",
        "summary": "第十条（一）：原始记录不完整"}
    assert again.exit_code == 2 and "问题 INS-2025-0001-1：已有核实结论（verified，2025-05-20），不能再次决定" in again.stderr


def test_R07_situation_5_gives_a_notice_but_no_event_and_an_interview_needs_time_and_place(db):
    assert inspection(db).exit_code == 0
    no_place = credit("inspection", "finding", "INS-2025-0001", "--situation", "2", "--measure", "interview",
                      "--facts", "设备不足", "--issued", "2025-05-08", "--interview-at", "2025-05-12 09:30", db=db)
    registry = credit("inspection", "finding", "INS-2025-0001", "--situation", "5", "--measure", "written_notice",
                      "--facts", "变更未备案", "--issued", "2025-05-08", db=db)
    verified = credit("inspection", "verify", "INS-2025-0001-1", "--on", "2025-05-20", db=db)

    assert no_place.exit_code == 2 and "约见谈话须给出约谈时间 --interview-at 和约谈地点 --place" in no_place.stderr
    assert registry.exit_code == 0 and "不计入信用事件" in registry.stdout
    assert verified.exit_code == 0 and "不计入信用事件" in verified.stdout


def test_R07_a_notice_is_not_issued_before_the_inspection(db):
    assert inspection(db).exit_code == 0
    early = credit("inspection", "finding", "INS-2025-0001", "--situation", "1", "--measure", "written_notice",
                   "--facts", "x", "--issued", "2025-05-01", db=db)
    assert early.exit_code == 2 and "--issued 2025-05-01：签发日期早于检查日期 2025-05-06" in early.stderr
    assert count(db, InspectionFinding) == 0


def test_R09_complaints_verified_or_unfounded(db):
    first = credit("complaint", "add", "--institution", INST, "--channel", "hotline_12345", "--received",
                   "2025-03-01", "--summary", "报告造假", db=db)
    second = credit("complaint", "add", "--institution", INST, "--channel", "written", "--received",
                    "2025-03-02", "--summary", "收费过高", db=db)
    verified = credit("complaint", "decide", "CMP-2025-0001", "--on", "2025-03-20", "--outcome", "verified",
                      "--json", db=db)
    unfounded = credit("complaint", "decide", "CMP-2025-0002", "--on", "2025-03-21", "--outcome", "unfounded",
                       "--json", db=db)
    wrong = credit("complaint", "add", "--institution", INST, "--channel", "fax", "--received", "2025-03-02",
                   "--summary", "x", db=db)

    assert first.exit_code == second.exit_code == 0
    event = json.loads(verified.stdout)["event"]
    assert (event["indicator"], event["source"], event["decided_on"], event["verified"]) == (
        "JY-02", "complaint", "2025-03-20", "true")
    assert json.loads(unfounded.stdout)["event"] is None
    assert wrong.exit_code == 2 and "--channel 'fax'：不是已知的投诉渠道（第十三条）；可选：hotline_12345 | written" in wrong.stderr


def test_R06_import_takes_inspections_and_findings_and_twice_changes_nothing(db, tmp_path):
    (tmp_path / "inspections.csv").write_text(INSPECTIONS, encoding="utf-8-sig")
    (tmp_path / "findings.csv").write_text(FINDINGS, encoding="utf-8")
    args = ("inspection", "import", "--inspections", str(tmp_path / "inspections.csv"), "--findings",
            str(tmp_path / "findings.csv"), "--out", str(tmp_path / "docs"))

    first = credit(*args, db=db)
    second = credit(*args, db=db)

    assert first.exit_code == 0, first.output
    assert "已登记检查 2 项（另有 0 项此前已登记），发现问题 2 项" in first.stdout
    assert "已登记检查 0 项（另有 2 项此前已登记），发现问题 0 项" in second.stdout
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == [
        "JC-2025-001-1-written_notice.html", "JC-2025-002-1-interview.html"]
    engine = make_engine(db)
    with transaction(engine) as session:
        outcomes = {f.id: f.outcome for f in session.scalars(select(InspectionFinding))}
    engine.dispose()
    assert outcomes == {"JC-2025-001-1": "verified", "JC-2025-002-1": "pending"}


def test_R06_a_bad_import_names_file_row_and_column_and_imports_nothing(db, tmp_path):
    bad = INSPECTIONS.replace("on_site", "telepathy").replace("2025-06-01", "2025-06-31")
    (tmp_path / "inspections.csv").write_text(bad, encoding="utf-8")

    result = credit("inspection", "import", "--inspections", str(tmp_path / "inspections.csv"), db=db)

    assert result.exit_code == 2
    assert "2 处错误，未导入任何记录，请改正后重新导入" in result.stderr
    assert "inspections.csv 第2行，method 'telepathy'：不是已知的检查方式（第九条）" in result.stderr
    assert "inspections.csv 第3行，inspected_on：'2025-06-31' 不是 YYYY-MM-DD 格式的日期" in result.stderr
    assert count(db, Inspection) == 0


def test_R09_complaint_import_with_outcomes(db, tmp_path):
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,institution_id,channel,received_on,summary,complainant,outcome,verified_on,note\n"
        f"C1,{INST},hotline_12345,2025-04-01,数据造假,匿名,verified,2025-04-15,属实\n"
        f"C2,{INST},written,2025-04-02,收费高,,unfounded,2025-04-16,不属实\n"
        f"C3,{INST},written,2025-04-03,待查,,,,\n", encoding="utf-8")

    result = credit("complaint", "import", "--file", str(tmp_path / "complaints.csv"), db=db)
    bad = credit("complaint", "import", "--file", str(tmp_path / "complaints.csv"), db=db)

    assert result.exit_code == 0 and "已登记投诉 3 项" in result.stdout
    assert bad.exit_code == 0 and "已登记投诉 0 项（另有 3 项此前已登记）" in bad.stdout
    engine = make_engine(db)
    with transaction(engine) as session:
        outcomes = {c.id: c.outcome for c in session.scalars(select(Complaint))}
    engine.dispose()
    assert outcomes == {"C1": "verified", "C2": "unfounded", "C3": "pending"}


def test_R07_an_interview_set_before_its_notice_is_refused_with_exit_code_2(db):
    assert inspection(db).exit_code == 0
    early = credit("inspection", "finding", "INS-2025-0001", "--situation", "3", "--measure", "interview",
                   "--facts", "质控不足", "--issued", "2025-05-08", "--interview-at", "2025-05-07 09:00",
                   "--place", "市局", db=db)
    assert early.exit_code == 2, early.output
    assert "约见谈话通知书无法生成：" in early.stderr
    assert count(db, InspectionFinding) == 0


def test_R20_an_id_that_would_name_a_path_is_refused_and_a_refused_import_leaves_no_document(db, tmp_path):
    (tmp_path / "inspections.csv").write_text(INSPECTIONS.replace("JC-2025-002", "../../evil"), encoding="utf-8")
    (tmp_path / "findings.csv").write_text(FINDINGS.replace("JC-2025-002", "../../evil"), encoding="utf-8")

    result = credit("inspection", "import", "--inspections", str(tmp_path / "inspections.csv"), "--findings",
                    str(tmp_path / "findings.csv"), "--out", str(tmp_path / "docs"), db=db)

    assert result.exit_code == 2
    assert "inspections.csv 第3行，inspection_id '../../evil'：编号须为 1–60 个字母" in result.stderr
    assert list((tmp_path / "docs").glob("*")) == []  # the first row's notice was written, then taken back
    assert count(db, Inspection) == count(db, InspectionFinding) == 0


def test_R06_R09_the_year_lists_inspections_with_findings_and_complaints(db, tmp_path):
    (tmp_path / "inspections.csv").write_text(INSPECTIONS, encoding="utf-8")
    (tmp_path / "findings.csv").write_text(FINDINGS, encoding="utf-8")
    credit("inspection", "import", "--inspections", str(tmp_path / "inspections.csv"), "--findings",
           str(tmp_path / "findings.csv"), "--out", str(tmp_path / "docs"), db=db)
    credit("complaint", "add", "--institution", INST, "--channel", "written", "--received", "2025-03-02",
           "--summary", "收费过高", db=db)

    listed = json.loads(credit("inspection", "list", "--year", "2025", "--json", db=db).stdout)
    other_year = json.loads(credit("complaint", "list", "--year", "2024", "--json", db=db).stdout)
    complaints = credit("complaint", "list", "--year", "2025", db=db).stdout

    assert [(i["id"], [f["outcome"] for f in i["findings"]]) for i in listed["inspections"]] == [
        ("JC-2025-001", ["verified"]), ("JC-2025-002", ["pending"])]
    assert other_year == {"year": 2024, "inspections": [], "complaints": []}
    assert "CMP-2025-0001  2025-03-02" in complaints and "pending" in complaints
