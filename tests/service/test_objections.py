"""第十九条 on the fake unit of work (R-16): intake, admissibility, suspensions, decisions, the CSV import.

No Prefect, no database: the worked example's 2025 evaluation in FakeTables, publicised on 2026-02-02
(window to 2026-02-28, across Spring Festival), and every deadline counted by hand.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from store.lifecycle import Actor
from tasks.objections import (
    AddInput,
    DecideInput,
    Filing,
    ImportInput,
    Intake,
    ObjectionError,
    SuspendInput,
    add_objection,
    decide,
    import_objections,
    suspend,
)
from tests.service.fake_objections import evaluated, example_evaluation, validating_once
from tests.support.paths import EXAMPLE_DROP

OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points
OTHER = "121405241225528314"
ACTOR = Actor("reviewer", datetime(2026, 2, 24, 9, 0, tzinfo=UTC), "test")


@pytest.fixture(autouse=True)
def validated_once(monkeypatch):
    validating_once(monkeypatch)


@pytest.fixture
def rules():
    return example_evaluation()[0]


@pytest.fixture
def uow(tmp_path):
    return evaluated(tmp_path / "var", "in_publicity")


@pytest.fixture
def filing(tmp_path) -> Filing:
    return Filing.under(tmp_path / "var")


@pytest.fixture
def proof(tmp_path) -> Path:
    path = tmp_path / "proof.PDF"
    path.write_bytes(b"%PDF-1.4 evidence")
    return path


def intake(received: date, institution: str = OBJECTED, evidence: tuple[Path, ...] = ()) -> Intake:
    return Intake(year=2025, institution_id=institution, received_on=received, filer_kind="institution",
                  filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=evidence)


def current(uow, institution_id: str):
    [result] = [r for r in uow.tables.of("results") if r.institution_id == institution_id and r.is_current]
    return result


def add(uow, rules, filing, *args) -> object:
    with uow:
        return add_objection(uow, rules, AddInput(intake(*args), ACTOR, filing))


def test_R16_late_or_unevidenced_objections_are_deemed_no_objection_and_get_their_letter(uow, rules, filing, proof):
    late = add(uow, rules, filing, date(2026, 3, 2), OTHER, (proof,))
    bare = add(uow, rules, filing, date(2026, 2, 10), OTHER)

    assert (late.id, late.admissible, late.reason, late.review_by) == (
        "OB202500001", False, "逾期提出异议，视为无异议（第十九条）", None)
    assert (bare.id, bare.admissible, bare.reason) == ("OB202500002", False, "未提供佐证材料，视为无异议（第十九条）")
    assert current(uow, OTHER).state == "in_publicity"  # not reviewed: nothing to wait for
    late_letter = (filing.letters / "OB202500001.html").read_text(encoding="utf-8")
    assert "视为无异议告知书" in late_letter and "2026年2月28日" in late_letter
    assert "重新提出异议" in (filing.letters / "OB202500002.html").read_text(encoding="utf-8")  # still in time
    assert [(e.entity, e.entity_id, e.action) for e in uow.audit.entries("objection")] == [
        ("objection", "OB202500001", "received"), ("objection", "OB202500002", "received")]
    assert uow.committed == 2


def test_R16_an_admissible_objection_puts_the_result_under_review_and_keeps_its_evidence(uow, rules, filing, proof):
    summary = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))

    assert (summary.admissible, summary.review_by) == (True, "2026-03-16")  # Feb 25–27, Sat 28, Mar 2–6, 9–13, 16
    assert current(uow, OBJECTED).state == "under_review"
    assert uow.tables.of("cycles")[0].stage == "in_publicity"  # the least advanced state of the cycle
    [evidence] = uow.tables.of("objection_evidence")
    assert (evidence.objection_id, evidence.file_name) == (summary.id, "proof.PDF")
    assert Path(evidence.path) == filing.evidence / f"{evidence.sha256}.pdf" and Path(evidence.path).is_file()
    assert not (filing.letters / f"{summary.id}.html").exists()  # the reply comes with the decision


def test_R16_an_objection_id_given_twice_is_recorded_once(uow, rules, filing, proof):
    given = Intake(2025, OBJECTED, date(2026, 2, 24), "institution", "泽安", "复核", (proof,), objection_id="OB-X")
    with uow:
        first = add_objection(uow, rules, AddInput(given, ACTOR, filing))
        again = add_objection(uow, rules, AddInput(given, ACTOR, filing))
    assert first == again and len(uow.tables.of("objections")) == 1


def test_R16_an_open_on_site_verification_stops_the_clock_and_its_days_do_not_count(uow, rules, filing, proof):
    objection = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))
    with uow:
        opened = suspend(uow, rules, SuspendInput(objection.id, date(2026, 3, 3), None, ACTOR))
    with uow:
        closed = suspend(uow, rules, SuspendInput(objection.id, date(2026, 3, 3), date(2026, 3, 5), ACTOR))

    assert opened.review_by is None
    assert closed.review_by == "2026-03-19"  # 2026-03-16 plus Mar 3–5
    [span] = uow.tables.of("objection_suspensions")
    assert (span.start, span.end) == (date(2026, 3, 3), date(2026, 3, 5))


def test_R16_a_suspension_ending_before_it_starts_is_refused(uow, rules, filing, proof):
    objection = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))
    with pytest.raises(ObjectionError, match="早于 --from"), uow:
        suspend(uow, rules, SuspendInput(objection.id, date(2026, 3, 5), date(2026, 3, 3), ACTOR))
    assert uow.tables.of("objection_suspensions") == [] and uow.rolled_back == 1


def test_R16_a_rejected_objection_changes_nothing_and_the_result_goes_back_to_publicity(uow, rules, filing, proof):
    objection = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))
    with uow:
        report = decide(uow, rules, DecideInput(objection.id, date(2026, 3, 10), "rejected", "扣分事实清楚",
                                                ACTOR, filing))

    assert (report.changed, report.new_version, report.objection.decision) == (False, None, "rejected")
    assert current(uow, OBJECTED).state == "in_publicity" and current(uow, OBJECTED).version == 1
    letter = report.letter.read_text(encoding="utf-8")
    assert report.letter == filing.letters / f"{objection.id}.html"
    assert "复核意见告知书" in letter and "扣分事实清楚" in letter and "重新公示" not in letter
    # Issue 11 item 5: a rerun never decides twice; it says where the letter is, and re-writes a lost one.
    report.letter.unlink()
    with uow:
        again = decide(uow, rules, DecideInput(objection.id, date(2026, 3, 11), "upheld", "再议", ACTOR, filing))
    assert (again.objection.decision, again.changed, again.letter) == ("rejected", False, report.letter)
    assert "已依记录重新写出" in again.warnings[0] and "扣分事实清楚" in again.letter.read_text(encoding="utf-8")


@pytest.mark.parametrize(("decision", "withdraw", "message"), [
    ("rejected", ("EV1",), "维持（rejected）时不更正任何事项"),
    ("approved", (), "--decision 'approved'"),
])
def test_R16_a_decision_must_be_one_of_the_three_and_a_rejection_corrects_nothing(
    uow, rules, filing, proof, decision, withdraw, message
):
    objection = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))
    with pytest.raises(ObjectionError, match=message), uow:
        decide(uow, rules, DecideInput(objection.id, date(2026, 3, 10), decision, "理由", ACTOR, filing,
                                       withdraw=withdraw))


def test_R16_a_deemed_objection_is_not_reviewed(uow, rules, filing):
    bare = add(uow, rules, filing, date(2026, 2, 10), OTHER)
    with pytest.raises(ObjectionError, match="已视为无异议"), uow:
        decide(uow, rules, DecideInput(bare.id, date(2026, 3, 10), "upheld", "理由", ACTOR, filing))


def test_R16_an_upheld_objection_that_sets_a_finding_aside_rescores_and_publicises_again(uow, rules, filing, proof):
    objection = add(uow, rules, filing, date(2026, 2, 24), OBJECTED, (proof,))
    with uow:
        report = decide(uow, rules, DecideInput(objection.id, date(2026, 3, 18), "upheld", "签字人授权记录已补正",
                                                ACTOR, filing, set_aside=(("YW-04", "A2025000000096"),)))

    assert (report.changed, report.new_version) == (True, 2)
    changed = current(uow, OBJECTED)
    assert (changed.state, changed.score, changed.grade) == ("in_publicity", Decimal("83.5"), "B")
    # 2026-03-18 + 15: Mar 19–20, 23–27, 30–31, Apr 1–3, (Qingming Apr 4–6), Apr 7–9
    assert (changed.publicity_on, changed.publicity_last_day) == (date(2026, 3, 18), date(2026, 4, 9))
    assert changed.change_reason == f"复核异议{objection.id}：签字人授权记录已补正"
    [correction] = uow.tables.of("objection_corrections")
    assert (correction.kind, correction.indicator, correction.evidence) == ("set_aside", "YW-04", "A2025000000096")
    assert [e.why for e in uow.audit.entries("result", f"2025/{OBJECTED}")] == [
        "annual evaluation", f"objection {objection.id} upheld: 签字人授权记录已补正"]  # first version, then this
    letter = report.letter.read_text(encoding="utf-8")
    assert "重新公示15个工作日" in letter and "2026年4月9日" in letter


def drop_with_objections(tmp_path: Path, *rows: str) -> Path:
    drop = tmp_path / "drop"
    shutil.copytree(EXAMPLE_DROP, drop)
    header = "objection_id,institution_id,filer_kind,filer_name,received_on,has_evidence,claim\n"
    (drop / "objections.csv").write_text(header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return drop


def three_objections(tmp_path: Path) -> Path:
    """An in-time objection, a late one, and a row validation quarantines (filer_kind)."""
    return drop_with_objections(
        tmp_path, f"OB202600001,{OBJECTED},institution,泽安,2026-02-24,true,申请复核",
        f"OB202600002,{OTHER},public,马某某,2026-03-02,true,逾期",
        f"OB202600003,{OTHER},nobody,马某某,2026-02-10,true,bad filer kind")


def test_R16_objections_csv_is_recorded_in_one_transaction_once_per_objection_id(uow, rules, filing, tmp_path):
    with pytest.raises(ObjectionError, match="objections.csv 第4行，filer_kind"), uow:  # issue 11 item 5
        import_objections(uow, rules, ImportInput(2025, three_objections(tmp_path / "bad"), ACTOR, filing))
    assert uow.tables.of("objections") == [] and uow.rolled_back == 1

    drop = drop_with_objections(tmp_path / "fixed", f"OB202600001,{OBJECTED},institution,泽安,2026-02-24,true,申请复核",
                                f"OB202600002,{OTHER},public,马某某,2026-03-02,true,逾期")
    with uow:
        report = import_objections(uow, rules, ImportInput(2025, drop, ACTOR, filing))
    with uow:
        again = import_objections(uow, rules, ImportInput(2025, drop, ACTOR, filing))

    assert [(s.id, s.admissible, s.review_by) for s in report.recorded] == [
        ("OB202600001", True, "2026-03-16"), ("OB202600002", False, None)]
    assert report.quarantined == []
    assert again.recorded == report.recorded and len(uow.tables.of("objections")) == 2
    assert current(uow, OBJECTED).state == "under_review"


def test_R16_an_objections_csv_with_a_row_that_cannot_be_recorded_records_nothing(uow, rules, filing, tmp_path):
    drop = three_objections(tmp_path)
    uow.tables.rows["results"] = [r for r in uow.tables.of("results") if r.institution_id != OTHER]

    with pytest.raises(ObjectionError, match="institution_id 121405241225528314：该机构没有 2025 年度评价结果"), uow:
        import_objections(uow, rules, ImportInput(2025, drop, ACTOR, filing))

    assert uow.tables.of("objections") == [] and uow.rolled_back == 1
