"""Publicity and every step of the daily advance on the in-memory unit of work (第十八—二十条, R-15–R-17)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.models import Complaint, Cycle, Objection, ObjectionSuspension, Result, Snapshot
from tasks.lifecycle import (
    ADVANCE_STEPS,
    AdvanceInput,
    AdvanceReport,
    PublicizeInput,
    close_windows,
    determine,
    publicize,
    publish,
    share,
)
from tasks.status import StatusInput, cycle_status
from tests.service.fakes import FakeTables, FakeUnitOfWork

RULES = rules_for_year(2025)
AT = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
ACTOR = Actor("zhang.wei", AT, "test")
SNAPSHOT = "sha256:" + "a" * 64
ON = date(2026, 2, 2)  # publicity from Monday 2026-02-02: last day Saturday 2026-02-28 (调休)
RATED_A, RATED_B, OBJECTED, NOT_RATED = (
    "91140100134455246H", "91140100159619067H", "91140581173546984A", "91140525178441647K")


def result(institution_id: str, grade: str | None, score: str | None, **fields) -> Result:
    points = None if score is None else Decimal(score)
    zero = None if score is None else Decimal("0.0")
    values = dict(
        cycle_id=1, institution_id=institution_id, version=1, is_current=True,
        status="rated" if grade else "not_rated", name=f"机构{institution_id[-4:]}", county="阳城县", score=points,
        grade=grade, clause=None, deduction_basic=zero, deduction_execution=zero, deduction_management=zero,
        deduction_integrity=zero, bonus=zero, index_version=RULES.index.version, snapshot=SNAPSHOT,
        state="scored", findings_digest="0" * 64, created_at=AT,
    )
    return Result(**(values | fields))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    tables = FakeTables()
    tables.add("cycles", Cycle(year=2025, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                               as_of=date(2026, 1, 20), index_version=RULES.index.version, snapshot=SNAPSHOT,
                               stage="scored", created_at=AT, updated_at=AT))
    for row in (result(RATED_A, "A", "95.0"), result(RATED_B, "B", "81.5"), result(OBJECTED, "C", "70.0"),
                result(NOT_RATED, None, None)):
        tables.add("results", row)
    return FakeUnitOfWork(tables)


def advance_input(tmp_path: Path, as_of: date) -> AdvanceInput:
    return AdvanceInput(2025, as_of, Actor("zhang.wei", AT, f"advance as of {as_of}"), published=tmp_path / "web",
                        outbox=tmp_path / "outbox", kept=tmp_path / "var" / "shares")


def advance(uow: FakeUnitOfWork, tmp_path: Path, as_of: date) -> AdvanceReport:
    report = AdvanceReport(as_of)
    for step in ADVANCE_STEPS:
        with uow:
            report.add(step(uow, RULES, advance_input(tmp_path, as_of)))
    return report


def states(uow: FakeUnitOfWork) -> dict[str, tuple]:
    return {r.institution_id: (r.version, r.state, r.publicity_on, r.publicity_last_day, r.determined_on,
                               r.publish_by, r.published_on, r.shared_on)
            for r in uow.tables.of("results") if r.is_current}


def audit(uow: FakeUnitOfWork) -> list[tuple]:
    return [(e.entity, e.entity_id, e.action, e.before, e.after) for e in uow.audit.entries()]


def publicized(uow: FakeUnitOfWork, tmp_path: Path):
    with uow:
        return publicize(uow, RULES, PublicizeInput(2025, ON, tmp_path / "pub", ACTOR))


def test_R15_publicize_opens_the_window_for_every_scored_result_and_writes_the_notice(uow, tmp_path):
    report = publicized(uow, tmp_path)

    assert (report.window.first_day, report.window.last_day, report.moved) == (ON, date(2026, 2, 28), 4)
    assert {s[1:4] for s in states(uow).values()} == {("in_publicity", ON, date(2026, 2, 28))}
    assert audit(uow)[0] == ("result", f"2025/{RATED_A}/v1", "in_publicity",
                             {"state": "scored", "publicity_on": None, "publicity_last_day": None},
                             {"state": "in_publicity", "publicity_on": "2026-02-02", "publicity_last_day": "2026-02-28"})
    assert audit(uow)[-1] == ("cycle", "2025", "in_publicity", {"stage": "scored"}, {"stage": "in_publicity"})
    assert uow.tables.of("cycles")[0].stage == "in_publicity"
    html = (tmp_path / "pub" / "publicity.html").read_text(encoding="utf-8")
    assert "2026年2月28日" in html and "（15个工作日）" in html and "草稿" not in html
    assert sorted(Path(p).name for p in report.written) == ["publicity.csv", "publicity.html", "publicity.xlsx"]


def test_R15_publicizing_again_moves_nothing_and_audits_nothing(uow, tmp_path):
    publicized(uow, tmp_path)
    before, rows = states(uow), audit(uow)

    assert publicized(uow, tmp_path).moved == 0
    assert states(uow) == before and audit(uow) == rows


def test_R15_on_the_window_s_last_day_no_step_moves_anything(uow, tmp_path):
    publicized(uow, tmp_path)
    rows = audit(uow)

    report = advance(uow, tmp_path, date(2026, 2, 28))

    assert (report.moved, report.written, audit(uow)) == ({}, [], rows)


def test_R17_the_day_after_the_window_the_steps_determine_publish_and_share_once(uow, tmp_path):
    publicized(uow, tmp_path)
    given = advance_input(tmp_path, date(2026, 3, 2))

    assert close_windows(uow, RULES, given).moved == {}
    assert determine(uow, RULES, given).moved == {"determined": 4}
    published = publish(uow, RULES, given)
    shared = share(uow, RULES, given)

    assert published.moved == {"published": 4} and shared.moved == {"shared": 4}
    # determined the day after the window (Sunday 03-01); publish by 03-01 + 7 working days = 03-10
    assert set(states(uow).values()) >= {(1, "shared", ON, date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 10),
                                          date(2026, 3, 2), date(2026, 3, 2))}
    assert [Path(p).name for p in published.written] == [
        "final_results.html", "final_results.csv", "final_results.xlsx", "a_list.html", "a_list.csv"]
    package = tmp_path / "outbox" / "2025-001"
    assert str(package / "manifest.json") in shared.written
    [row] = uow.tables.of("share_packages")
    assert (row.sequence, row.shared_on, row.path) == (1, date(2026, 3, 2), str(package))
    assert audit(uow)[-1][:3] == ("share", "2025/1", "shared")
    kept = json.loads((tmp_path / "var" / "shares" / "2025-001.json").read_text(encoding="utf-8"))
    assert sorted(r["institution_id"] for r in kept["rows"]) == sorted([RATED_A, RATED_B, OBJECTED, NOT_RATED])


def test_R17_a_second_advance_on_the_same_day_changes_nothing(uow, tmp_path):
    publicized(uow, tmp_path)
    first = advance(uow, tmp_path, date(2026, 3, 2))
    after, rows = states(uow), audit(uow)

    second = advance(uow, tmp_path, date(2026, 3, 2))

    assert first.moved == {"determined": 4, "published": 4, "shared": 4}
    assert uow.tables.of("cycles")[0].stage == "shared" and rows[-1][2] == "shared"
    assert (second.moved, second.written) == ({}, [])
    assert states(uow) == after and audit(uow) == rows and len(uow.tables.of("share_packages")) == 1
    assert uow.committed == 1 + 2 * len(ADVANCE_STEPS) and uow.rolled_back == 0


def test_R16_an_open_objection_holds_its_result_under_review_while_the_others_are_determined(uow, tmp_path):
    publicized(uow, tmp_path)
    uow.tables.add("objections", Objection(
        id="OB202500001", cycle_id=1, institution_id=OBJECTED, result_version=1, filer_kind="institution",
        filer_name="异议人", received_on=date(2026, 2, 24), has_evidence=True, claim="申请复核", admissible=True,
        created_at=AT, created_by="zhang.wei"))
    given = advance_input(tmp_path, date(2026, 3, 2))

    assert close_windows(uow, RULES, given).moved == {"under_review": 1}
    assert determine(uow, RULES, given).moved == {"determined": 3}
    assert states(uow)[OBJECTED][1] == "under_review"
    publish(uow, RULES, given), share(uow, RULES, given)
    assert OBJECTED not in {r["institution_id"] for r in _kept(tmp_path, 1)["rows"]}
    assert advance(uow, tmp_path, date(2026, 3, 3)).written == []  # the cycle is open; nothing new to send

    objection = uow.tables.of("objections")[0]
    objection.decision, objection.decided_on = "rejected", date(2026, 3, 5)
    assert determine(uow, RULES, advance_input(tmp_path, date(2026, 3, 4))).moved == {}
    later = advance_input(tmp_path, date(2026, 3, 5))
    assert determine(uow, RULES, later).moved == {"determined": 1}
    # determined on the decision (Thu 03-05): publish by Mar 6, 9–13, 16
    assert states(uow)[OBJECTED][4:6] == (date(2026, 3, 5), date(2026, 3, 16))
    publish(uow, RULES, later)
    assert str(tmp_path / "outbox" / "2025-002" / "changes.csv") in share(uow, RULES, later).written
    assert OBJECTED in {r["institution_id"] for r in _kept(tmp_path, 2)["rows"]}


def test_R14_a_revoked_grade_is_published_and_shared_at_once_beside_its_new_publicity(uow, tmp_path):
    publicized(uow, tmp_path)
    advance(uow, tmp_path, date(2026, 3, 2))
    old = next(r for r in uow.tables.of("results") if r.institution_id == RATED_A)
    old.is_current, old.state, old.revoked_on = False, "revoked", date(2026, 4, 1)
    uow.tables.add("results", result(RATED_A, "D", "95.0", version=2, clause=4, state="in_publicity",
                                     publicity_on=date(2026, 4, 1), publicity_last_day=date(2026, 4, 23)))

    report = advance(uow, tmp_path, date(2026, 4, 3))

    assert report.moved == {}
    assert any(p.endswith("final_results.html") for p in report.written)
    html = (tmp_path / "web" / "2025" / "final_results.html").read_text(encoding="utf-8")
    assert "已撤销" in html
    assert _kept(tmp_path, 2)["revoked"] == {RATED_A: "A"}
    assert uow.tables.of("cycles")[0].stage == "in_publicity"
    assert advance(uow, tmp_path, date(2026, 4, 3)).written == []


def test_a_step_that_fails_rolls_its_unit_of_work_back(uow, tmp_path):
    with pytest.raises(LookupError, match="2024 年度尚无已保存的评价结果"), uow:
        publicize(uow, RULES, PublicizeInput(2024, ON, tmp_path / "pub", ACTOR))
    assert (uow.committed, uow.rolled_back, audit(uow)) == (0, 1, [])


def _kept(tmp_path: Path, sequence: int) -> dict:
    return json.loads((tmp_path / "var" / "shares" / f"2025-{sequence:03d}.json").read_text(encoding="utf-8"))


def test_R16_R17_cycle_status_counts_the_open_deadlines_in_working_days_and_names_the_events_not_yet_scored(
    uow, tmp_path
):
    publicized(uow, tmp_path)
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / "manifest.json").write_text(json.dumps({"format": 1, "tables": {}}), encoding="utf-8")
    uow.tables.add("snapshots", Snapshot(hash=SNAPSHOT, origin="drop", path=str(snapshot), row_counts={},
                                         created_at=AT))
    uow.tables.add("objections", Objection(
        id="OB202500001", cycle_id=1, institution_id=OBJECTED, result_version=1, filer_kind="institution",
        filer_name="异议人", received_on=date(2026, 2, 10), has_evidence=True, claim="申请复核", admissible=True,
        created_at=AT, created_by="zhang.wei"))
    uow.tables.add("objection_suspensions", ObjectionSuspension(objection_id="OB202500001", start=date(2026, 2, 12),
                                                                end=date(2026, 2, 13)))
    uow.tables.add("complaints", Complaint(
        id="CMP-2025-1", institution_id=RATED_B, channel="hotline_12345", received_on=date(2025, 8, 1),
        summary="监测报告数据与现场不符", outcome="verified", decided_on=date(2025, 8, 20), verified_on=date(2025, 8, 20),
        created_at=AT, created_by="zhang.wei"))

    with uow:
        status = cycle_status(uow, RULES, StatusInput(2025, date(2026, 2, 24))).as_json()

    assert (status["stage"], status["counts"]) == ("in_publicity", {"in_publicity": 4})
    # received 02-10, 02-12..13 suspended: Feb 11, Sat 14, 24–27, Sat 28, Mar 2–6, 9–11 = 15
    assert [(o["id"], o["review_by"]) for o in status["objections"]] == [("OB202500001", "2026-03-11")]
    publicity = [d for d in status["deadlines"] if d["what"] == "publicity ends"]
    assert {(d["date"], d["working_days_left"]) for d in publicity} == {("2026-02-28", 4)}  # Feb 25–27, Sat 28
    assert status["deadlines"][-1]["what"] == "review objection OB202500001"
    assert status["overdue"] == [] and status["recorded_events_since"] == ["CMP-2025-1"]
    assert status["results"][0]["score"] == "95.0" and status["results"][0]["determined_on"] is None
