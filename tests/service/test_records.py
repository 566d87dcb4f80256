"""Records an officer can find, on the fake unit of work (R-21, 第十九条, 第十条, 第二十条): the audit log of a
cycle read back in Chinese, the objection register, the letters issued, and objection commands that say
what they did (old → new, the new window, a late decision or intake accepted with a warning).

No Prefect, no database: the worked example's 2025 evaluation in FakeTables, publicised on 2026-02-02
(window to 2026-02-28). The cycle rule of the audit log is store/audit.py's; RecordsAuditLog applies the
same rule over FakeTables (tests/integration/test_records.py checks the SQL on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from credit.lifecycle import Window
from store.audit import INSTITUTION_LED, YEAR_LED, AuditRecord
from store.lifecycle import Actor
from store.models import Inspector
from tasks.objections import (
    AddInput,
    DecideInput,
    Filing,
    Intake,
    SuspendInput,
    add_objection,
    decide,
    suspend,
)
from tasks.records import (
    AuditInput,
    LettersInput,
    RegisterInput,
    audit_log,
    letters_issued,
    objection_register,
    value_text,
)
from tasks.serious import SeriousEventInput, serious_event
from tasks.supervision import (
    ComplaintInput,
    FindingInput,
    InspectionInput,
    add_complaint,
    add_finding,
    add_inspection,
)
from tests.service.fake_objections import evaluated, example_evaluation, validating_once
from tests.service.fakes import FakeAuditLog, FakeUnitOfWork

OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points
OTHER = "121405241225528314"
RATED_A = "91140100134455246H"
AT = datetime(2026, 2, 24, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai


class RecordsAuditLog(FakeAuditLog):
    """FakeAuditLog with AuditLog.find: store/audit.py's cycle and institution rules over FakeTables."""

    def find(self, *, year: int | None = None, institution_id: str | None = None,
             since: datetime | None = None) -> list[AuditRecord]:
        return [r for r in self.tables.of("audit_log")
                if (year is None or self._of_year(r, year))
                and (institution_id is None or self._of_institution(r, institution_id))
                and (since is None or r.at >= since)]

    def _of_year(self, line: AuditRecord, year: int) -> bool:
        if line.entity in YEAR_LED:
            return line.entity_id == str(year) or line.entity_id.startswith(f"{year}/")
        cycles = {c.id: c.year for c in self.tables.of("cycles")}
        inspected = {i.id: i.inspected_on.year for i in self.tables.of("inspections")}
        years = {
            "objection": {o.id: cycles[o.cycle_id] for o in self.tables.of("objections")},
            "inspection": inspected,
            "inspection_finding": {f.id: inspected[f.inspection_id] for f in self.tables.of("inspection_findings")},
            "complaint": {c.id: c.received_on.year for c in self.tables.of("complaints")},
        }
        return years.get(line.entity, {}).get(line.entity_id) == year

    def _of_institution(self, line: AuditRecord, institution_id: str) -> bool:
        if line.entity in INSTITUTION_LED:
            parts = line.entity_id.split("/")
            return len(parts) > 1 and parts[1] == institution_id
        inspected = {i.id: i.institution_id for i in self.tables.of("inspections")}
        owners = {
            "objection": {o.id: o.institution_id for o in self.tables.of("objections")},
            "inspection": inspected,
            "inspection_finding": {f.id: inspected[f.inspection_id] for f in self.tables.of("inspection_findings")},
            "complaint": {c.id: c.institution_id for c in self.tables.of("complaints")},
        }
        return owners.get(line.entity, {}).get(line.entity_id) == institution_id


@pytest.fixture(autouse=True)
def validated_once(monkeypatch):
    validating_once(monkeypatch)


@pytest.fixture
def rules():
    return example_evaluation()[0]


@pytest.fixture
def filing(tmp_path) -> Filing:
    return Filing.under(tmp_path / "var")


def actor(day: datetime = AT, why: str = "test") -> Actor:
    return Actor("reviewer", day, why)


def reading(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    uow.audit = RecordsAuditLog(uow.tables)  # the same rows; the repositories keep appending to them
    return uow


def intake(received: date, institution: str = OBJECTED, evidence: tuple[Path, ...] = ()) -> Intake:
    return Intake(year=2025, institution_id=institution, received_on=received, filer_kind="institution",
                  filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=evidence)


def current(uow, institution_id: str):
    [result] = [r for r in uow.tables.of("results") if r.institution_id == institution_id and r.is_current]
    return result


@pytest.fixture
def cycle(tmp_path, rules, filing) -> dict[str, Any]:
    """The 2025 cycle with a deemed and a decided objection, a 第十七条 event, supervision records of 2025
    and 2026, a share package, and lines of a 2026 cycle."""
    uow = reading(evaluated(tmp_path / "var", "in_publicity"))
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    for inspector_id, name in (("JC001", "王建国"), ("JC002", "李秀英")):
        uow.tables.add("inspectors", Inspector(inspector_id=inspector_id, name=name, unit="执法支队", active=True))
    with uow:
        deemed = add_objection(uow, rules, AddInput(intake(date(2026, 3, 2), OTHER, (proof,)), actor(), filing))
        heard = add_objection(uow, rules, AddInput(intake(date(2026, 2, 24), OBJECTED, (proof,)), actor(), filing))
        suspend(uow, rules, SuspendInput(heard.id, date(2026, 3, 3), date(2026, 3, 5), actor()))
        decided = decide(uow, rules, DecideInput(heard.id, date(2026, 3, 20), "upheld", "签字人授权记录已补正",
                                                 actor(datetime(2026, 3, 20, 2, tzinfo=UTC)), filing,
                                                 set_aside=(("YW-04", "A2025000000096"),)))
        serious_event(uow, rules, SeriousEventInput(RATED_A, 4, date(2026, 4, 1), date(2026, 4, 3),
                                                    "晋市环罚〔2026〕12号", actor(datetime(2026, 4, 3, tzinfo=UTC))))
        measures = tmp_path / "var" / "measures"
        for on, inspection_id in ((date(2025, 5, 6), "JC-A"), (date(2026, 1, 10), None)):
            add_inspection(uow, rules, InspectionInput(OBJECTED, on, "on_site", ("records_reports",),
                                                       ("JC001", "JC002"), inspection_id=inspection_id,
                                                       institution_name="山西泽安生态环境技术有限公司"), actor())
        notice = add_finding(uow, rules, FindingInput("JC-A", 1, "written_notice", "原始记录不完整",
                                                      date(2025, 5, 8)), measures, actor())
        add_finding(uow, rules, FindingInput("INS-2026-0001", 1, "written_notice", "原始记录不完整",
                                             date(2026, 1, 12)), measures, actor())
        for received in (date(2025, 6, 1), date(2026, 2, 1)):
            add_complaint(uow, rules, ComplaintInput(OBJECTED, "hotline_12345", received, "报告造假"), actor())
        package = tmp_path / "var" / "outbox" / "2025-001"
        package.mkdir(parents=True)
        (package / "cover_letter.html").write_text("<html>函</html>", encoding="utf-8")
        cycle_2025 = uow.lifecycle.cycle(2025)
        uow.lifecycle.record_share(cycle_2025, 1, date(2026, 3, 2), str(package), "d" * 64, actor())
        uow.audit.append("cycle", "2026", "created", "annual evaluation", "test", AT, None, {"year": 2026})
        uow.audit.append("result", f"2026/{OBJECTED}/v1", "in_publicity", "publicity", "test", AT,
                         {"state": "scored"}, {"state": "in_publicity"})
    return {"uow": uow, "deemed": deemed, "heard": heard, "decided": decided, "notice": notice}


def of_2026(line) -> bool:
    """What the scenario wrote for 2026: its cycle's lines, and the supervision records of 2026."""
    return line.entity_id.startswith("2026") or line.entity_id in ("INS-2026-0001", "INS-2026-0001-1",
                                                                    "CMP-2026-0001")


def test_R21_the_audit_of_a_year_is_every_line_of_its_cycle_and_none_of_another(cycle, rules):
    uow = cycle["uow"]
    everything = uow.tables.of("audit_log")

    report = audit_log(uow, rules, AuditInput(year=2025))

    assert [line.id for line in report.lines] == [line.id for line in everything if not of_2026(line)]
    assert {line.entity for line in report.lines} == {
        "cycle", "result", "objection", "serious_event", "inspection", "inspection_finding", "complaint", "share"}
    assert {line.id for line in audit_log(uow, rules, AuditInput(year=2026)).lines} == {
        line.id for line in everything if of_2026(line)}


def test_R21_each_line_says_who_when_in_shanghai_what_in_chinese_and_before_and_after(cycle, rules):
    report = audit_log(cycle["uow"], rules, AuditInput(year=2025))
    [received] = [line for line in report.lines if (line.entity_id, line.action) == (cycle["heard"].id, "received")]
    [moved] = [line for line in report.lines if line.action == "under_review"]
    [changed] = [line for line in report.lines if line.action == "new_version" and OBJECTED in line.entity_id
                 and line.before is not None]  # not its first version (before = null)

    assert (received.by, received.at.isoformat(), received.what) == (
        "reviewer", "2026-02-24T09:30:00+08:00", "登记书面异议（第十九条）")
    assert [(c.label, c.before, c.after) for c in received.changes] == [  # the reason stays none: not shown
        ("机构", "—", OBJECTED), ("是否受理", "—", "是"), ("收到日期", "—", "2026-02-24")]
    assert (moved.what, [(c.label, c.before, c.after) for c in moved.changes]) == (
        "评价结果状态变为“异议复核中”", [("状态", "公示中", "异议复核中")])
    labels = {c.label: (c.before, c.after) for c in changed.changes}
    [execution] = [d.name for d in rules.index.dimensions if d.code == "execution"]
    assert labels["得分"] == ("81.5", "83.5") and labels["版本"] == ("1", "2")
    assert labels[f"{execution}扣分"] == ("7.5", "5.5")  # YW-04's 2 points set aside
    assert changed.as_json()["at"] == changed.at.isoformat() and changed.as_json()["before"]["score"] == "81.5"


def test_R21_the_log_of_one_institution_and_from_a_day_on(cycle, rules):
    uow = cycle["uow"]

    mine = audit_log(uow, rules, AuditInput(institution_id=OBJECTED)).lines
    assert {line.entity for line in mine} == {"result", "objection", "inspection", "inspection_finding", "complaint"}
    assert all(OBJECTED in line.entity_id for line in mine if line.entity == "result")
    assert cycle["deemed"].id not in {line.entity_id for line in mine}  # OTHER's objection
    since = audit_log(uow, rules, AuditInput(year=2025, since=date(2026, 4, 3))).lines
    assert {line.entity for line in since} == {"result", "serious_event"}
    assert all(line.at >= datetime(2026, 4, 3, tzinfo=UTC) - timedelta(hours=8) for line in since)


def test_R16_the_register_gives_each_objection_its_institution_deadline_suspensions_decision_and_letters(
    cycle, rules, filing
):
    register = objection_register(cycle["uow"], rules, RegisterInput(2025, filing.letters))

    heard, deemed = register.objections  # as received: 02-24, then 03-02
    assert (heard.id, deemed.id) == (cycle["heard"].id, cycle["deemed"].id)
    assert (heard.institution_name, heard.admissible, heard.review_by, heard.suspensions) == (
        current(cycle["uow"], OBJECTED).name, True, date(2026, 3, 19), [(date(2026, 3, 3), date(2026, 3, 5))])
    assert (heard.decision, heard.decided_on, heard.evidence) == ("upheld", date(2026, 3, 20), ["proof.pdf"])
    assert heard.letters == [str(filing.letters.resolve() / f"{heard.id}.html")]
    assert (deemed.admissible, deemed.reason, deemed.review_by) == (False, "逾期提出异议，视为无异议（第十九条）", None)
    assert Path(deemed.letters[0]).is_file()
    row = heard.as_json()
    assert (row["review_by"], row["suspensions"], row["decided_on"]) == (
        "2026-03-19", [{"from": "2026-03-03", "to": "2026-03-05"}], "2026-03-20")


def test_every_letter_and_notice_of_the_cycle_with_its_number_and_file(cycle, rules, filing):
    report = letters_issued(cycle["uow"], rules, LettersInput(2025, filing.letters))

    assert [(x.issued_on, x.title, x.number, x.exists) for x in report.letters] == [
        (date(2025, 5, 8), "书面告知书", cycle["notice"].document_no, True),
        (date(2026, 3, 2), "视为无异议告知书", cycle["deemed"].id, True),
        (date(2026, 3, 2), "共享评价结果的函（第1批）", "2025-001", True),
        (date(2026, 3, 20), "复核意见告知书", cycle["heard"].id, True),
    ]
    assert report.letters[0].path == cycle["notice"].document_path
    Path(report.letters[1].path).unlink()
    again = letters_issued(cycle["uow"], rules, LettersInput(2025, filing.letters))
    assert [x.exists for x in again.letters] == [True, False, True, True]  # said, not hidden


def test_R16_a_late_decision_is_recorded_with_its_warning_and_reports_old_and_new_and_the_window(cycle):
    decided = cycle["decided"]

    assert (decided.before.score, decided.before.grade, decided.after.score, decided.after.grade) == (
        "81.5", "B", "83.5", "B")
    assert decided.publicity == Window(date(2026, 3, 20), current(cycle["uow"], OBJECTED).publicity_last_day)
    [warning] = decided.warnings
    assert "复核期限为2026-03-19" in warning and "1个工作日" in warning
    [line] = [e for e in cycle["uow"].audit.entries("objection", cycle["heard"].id) if e.action == "decided"]
    assert line.after["warning"] == warning


def test_R16_a_decision_in_time_that_changes_nothing_says_so_without_a_warning(tmp_path, rules, filing):
    uow = evaluated(tmp_path / "var", "in_publicity")
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF")
    with uow:
        heard = add_objection(uow, rules, AddInput(intake(date(2026, 2, 24), OBJECTED, (proof,)), actor(), filing))
        report = decide(uow, rules, DecideInput(heard.id, date(2026, 3, 16), "rejected", "扣分事实清楚", actor(),
                                                filing))

    assert (report.changed, report.after, report.publicity, report.warnings) == (False, None, None, ())
    assert (report.before.version, report.before.score, report.before.grade) == (1, "81.5", "B")
    [line] = [e for e in uow.audit.entries("objection", heard.id) if e.action == "decided"]
    assert "warning" not in line.after


@pytest.mark.parametrize(("state", "day_field"), [("published", "published_on"), ("shared", "shared_on")])
def test_R16_an_objection_to_a_result_already_published_or_shared_is_recorded_with_a_warning(
    tmp_path, rules, filing, state, day_field
):
    uow = evaluated(tmp_path / "var", state)
    setattr(current(uow, OBJECTED), day_field, date(2026, 3, 2))
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF")
    with uow:
        summary = add_objection(uow, rules, AddInput(intake(date(2026, 2, 24), OBJECTED, (proof,)), actor(), filing))

    [warning] = summary.warnings
    assert f"“{'已公布' if state == 'published' else '已共享'}”（2026-03-02）" in warning
    assert summary.admissible and current(uow, OBJECTED).state == state  # recorded; the result is not moved
    [line] = uow.audit.entries("objection", summary.id)
    assert line.after["warning"] == warning


def test_an_objection_in_publicity_carries_no_warning_and_a_deemed_one_names_its_letter(tmp_path, rules, filing):
    uow = evaluated(tmp_path / "var", "in_publicity")
    with uow:
        bare = add_objection(uow, rules, AddInput(intake(date(2026, 2, 10), OTHER), actor(), filing))
    assert bare.warnings == () and bare.letter == str(filing.letters.resolve() / f"{bare.id}.html")


def test_values_are_said_in_words():
    assert [value_text("state", "under_review"), value_text("admissible", False), value_text("decision", "upheld"),
            value_text("x", None), value_text("findings", [["execution", "YW-04", "2.0"]])] == [
        "异议复核中", "否", "采纳", "—", "execution YW-04 2.0"]
