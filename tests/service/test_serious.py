"""第十七条 in real time on the fake unit of work (R-14): the direct grade at once, revocation, change publicity."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from store.lifecycle import Actor
from tasks.objections import ObjectionError
from tasks.rescore import RescoreInput, rescore
from tasks.serious import (
    SeriousEventInput,
    change_for_serious_event,
    publicize_serious_change,
    record_serious_event,
    serious_event,
    target_of,
)
from tests.service.fake_objections import evaluated, example_evaluation, validating_once

RATED_A = "91140100134455246H"
ACTOR = Actor("officer", datetime(2026, 4, 3, 9, 0, tzinfo=UTC), "第十七条")


@pytest.fixture
def rules():
    return example_evaluation()[0]


def event(clause: int = 4, decided: date = date(2026, 4, 1), verified: date = date(2026, 4, 3),
          document: str = "晋市环罚〔2026〕12号") -> SeriousEventInput:
    return SeriousEventInput(RATED_A, clause, decided, verified, document, ACTOR)


def versions(uow, institution_id: str = RATED_A) -> list[tuple]:
    rows = sorted((r for r in uow.tables.of("results") if r.institution_id == institution_id), key=lambda r: r.version)
    return [(r.version, r.state, r.grade, r.clause, r.is_current) for r in rows]


def test_R14_a_serious_event_after_publication_revokes_the_grade_and_publicises_the_direct_grade(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "published")
    with uow:
        report = serious_event(uow, rules, event())

    assert report.summary() == {"institution_id": RATED_A, "changed": True, "year": 2025, "grade": "D", "clause": 4,
                                "revoked": "A", "version": 2, "publicity_last_day": "2026-04-27"}
    assert versions(uow) == [(1, "revoked", "A", None, False), (2, "in_publicity", "D", 4, True)]
    new = [r for r in uow.tables.of("results") if r.institution_id == RATED_A and r.is_current][0]
    # 2026-04-03 + 15: (Qingming Apr 4–6 off) Apr 7–10, 13–17, 20–24, 27
    assert (new.publicity_on, new.change_reason) == (date(2026, 4, 3), "第十七条第4项：晋市环罚〔2026〕12号")
    [kept] = uow.tables.of("serious_events")
    assert (kept.clause, kept.verified_on, kept.document) == (4, date(2026, 4, 3), "晋市环罚〔2026〕12号")
    assert [a.action for a in uow.audit.entries("serious_event")] == ["clause 4"]
    assert uow.tables.of("cycles")[0].stage == "in_publicity"


def test_R14_a_result_still_in_publicity_is_replaced_not_revoked(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    with uow:
        report = serious_event(uow, rules, event(verified=date(2026, 2, 10), decided=date(2026, 2, 9)))
    assert (report.revoked, versions(uow)) == (None, [(1, "in_publicity", "A", None, False),
                                                      (2, "in_publicity", "D", 4, True)])


def test_R14_the_lowest_clause_holds_and_a_higher_one_changes_nothing(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    with uow:
        serious_event(uow, rules, event(6, date(2026, 2, 9), date(2026, 2, 10), "晋市环罚〔2026〕3号"))
        lower = serious_event(uow, rules, event(4, date(2026, 2, 11), date(2026, 2, 12), "晋市环罚〔2026〕4号"))
        higher = serious_event(uow, rules, event(7, date(2026, 2, 13), date(2026, 2, 13), "晋市环罚〔2026〕5号"))

    assert (lower.changed, lower.clause, lower.version) == (True, 4, 3)
    assert higher.summary() == {"institution_id": RATED_A, "changed": False, "grade": "D", "clause": 4}
    assert len(uow.tables.of("serious_events")) == 3


def test_R14_the_same_event_recorded_again_is_kept_once(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    with uow:
        serious_event(uow, rules, event())
        again = serious_event(uow, rules, event())
    assert not again.changed and len(uow.tables.of("serious_events")) == 1


def test_R14_a_rescoring_of_the_cycle_keeps_the_direct_grade_of_an_event_after_as_of(tmp_path, rules, monkeypatch):
    validating_once(monkeypatch)
    uow = evaluated(tmp_path / "var", "in_publicity")
    with uow:
        serious_event(uow, rules, event(6, date(2026, 2, 9), date(2026, 2, 10), "晋市环罚〔2026〕3号"))
        serious_event(uow, rules, event(4, date(2026, 2, 11), date(2026, 2, 12), "晋市环罚〔2026〕4号"))
        report = rescore(uow, rules, RescoreInput(2025, date(2026, 2, 13), ACTOR))

    assert report.changed == []  # D with clause 4 (the lowest) comes out of the re-scoring again
    assert versions(uow)[-1] == (3, "in_publicity", "D", 4, True)


def test_R14_the_three_steps_in_their_own_units_of_work_end_as_one_transaction_does(tmp_path, rules):
    whole, steps = evaluated(tmp_path / "a", "shared"), evaluated(tmp_path / "b", "shared")
    with whole:
        expected = serious_event(whole, rules, event())
    with steps:
        target = target_of(steps, RATED_A)
    with steps:
        recorded = record_serious_event(steps, rules, event())
    with steps:
        change = change_for_serious_event(steps, rules, recorded)
    with steps:
        report = publicize_serious_change(steps, rules, change)

    assert (target.year, target.index_version) == (2025, "jc-2024.1")
    assert report == expected and versions(steps) == versions(whole) and steps.committed == 4
    assert sorted((a.entity, a.action) for a in steps.audit.entries()) == sorted(
        (a.entity, a.action) for a in whole.audit.entries())


def test_R14_a_rescoring_between_recording_and_changing_still_revokes_the_given_grade(tmp_path, rules, monkeypatch):
    validating_once(monkeypatch)
    uow = evaluated(tmp_path / "var", "shared")
    with uow:
        recorded = record_serious_event(uow, rules, event())
    with uow:  # another command, between the flow's steps: it scores the event's direct grade
        rescore(uow, rules, RescoreInput(2025, date(2026, 4, 3), ACTOR, institution_id=RATED_A))
    with uow:
        change = change_for_serious_event(uow, rules, recorded)

    assert (change.changed, change.revoked) == (False, "A")
    assert versions(uow) == [(1, "revoked", "A", None, False), (2, "in_publicity", "D", 4, True)]


def test_R14_a_run_interrupted_before_its_change_publicity_publicises_it_when_run_again(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "shared")
    with uow:
        change_for_serious_event(uow, rules, record_serious_event(uow, rules, event()))  # then the run stopped
    assert versions(uow)[-1] == (2, "scored", "D", 4, True)
    with uow:
        again = serious_event(uow, rules, event())

    assert (again.changed, again.version, again.publicity_last_day) == (True, 2, "2026-04-27")
    assert versions(uow) == [(1, "revoked", "A", None, False), (2, "in_publicity", "D", 4, True)]
    assert len(uow.tables.of("serious_events")) == 1


@pytest.mark.parametrize(("given", "message"), [
    (event(clause=9), "--clause 9：第十七条只有第1项至第8项"),
    (event(decided=date(2026, 4, 5)), "--verified 2026-04-03：核实日期早于 --decided 2026-04-05"),
    (SeriousEventInput("91140525317066907X", 4, date(2026, 4, 1), date(2026, 4, 3), "x", ACTOR),
     "--institution 91140525317066907X：没有可变更的评价结果"),
])
def test_R14_an_event_that_cannot_be_applied_is_refused_and_nothing_is_kept(tmp_path, rules, given, message):
    uow = evaluated(tmp_path / "var", "published")
    with pytest.raises(ObjectionError, match=message), uow:
        serious_event(uow, rules, given)
    assert uow.tables.of("serious_events") == [] and uow.rolled_back == 1


def test_R14_a_not_rated_institution_has_no_grade_to_revoke(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "published")
    not_rated = next(r.institution_id for r in uow.tables.of("results") if r.status != "rated")
    with pytest.raises(ObjectionError, match=f"{not_rated} 不予评定：没有可撤销的信用风险等级"), uow:
        serious_event(uow, rules, SeriousEventInput(not_rated, 4, date(2026, 4, 1), date(2026, 4, 3), "x", ACTOR))
