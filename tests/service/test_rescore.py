"""第十五条 re-scoring and what-if on the fake unit of work (R-12): the cycle's own snapshot, no Prefect, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import credit.rules
from store.lifecycle import Actor
from tasks.rescore import (
    ApplyInput,
    RescoreInput,
    ScoreInput,
    TakeInInput,
    WhatIfInput,
    apply_rescore,
    change_and_publicize,
    rescore,
    score_from_snapshot,
    take_in_recorded_events,
    what_if,
)
from tests.service.fake_objections import evaluated, example_evaluation, validating_once
from tests.unit.test_compare import variant

OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points
WARNED = "9114052119529778X6"  # 90.0, A: one CX-01 warning
ACTOR = Actor("officer", datetime(2026, 2, 5, 9, 0, tzinfo=UTC), "ad-hoc re-scoring (第十五条)")


@pytest.fixture(autouse=True)
def validated_once(monkeypatch):
    validating_once(monkeypatch)


@pytest.fixture
def rules():
    return example_evaluation()[0]


def current(uow, institution_id: str):
    [result] = [r for r in uow.tables.of("results") if r.institution_id == institution_id and r.is_current]
    return result


def set_aside(uow, objection_id: str = "OB1") -> None:
    """A decided objection of the cycle that set OBJECTED's YW-04 finding aside (第十九条)."""
    cycle = uow.tables.of("cycles")[0]
    uow.objections.add(id=objection_id, cycle_id=cycle.id, institution_id=OBJECTED, result_version=1,
                       filer_kind="institution", filer_name="泽安", received_on=date(2026, 2, 24), has_evidence=True,
                       claim="复核", admissible=True, reason=None, created_at=ACTOR.at, created_by="test")
    uow.objections.add_correction(objection_id, "set_aside", "授权已补正", indicator="YW-04", evidence="A2025000000096")


def test_R12_the_same_snapshot_and_version_change_nothing(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    audit = len(uow.audit.entries())
    with uow:
        report = rescore(uow, rules, RescoreInput(2025, date(2026, 2, 5), ACTOR))

    assert (report.year, report.index_version, report.changed, report.new_snapshot) == (2025, "jc-2024.1", [], None)
    assert len(uow.audit.entries()) == audit and {r.version for r in uow.tables.of("results")} == {1}


def test_R12_R15_a_changed_result_gets_a_new_version_publicised_again_only_once_publicity_began(tmp_path, rules):
    started = evaluated(tmp_path / "a", "in_publicity")
    scored = evaluated(tmp_path / "b")
    for uow in (started, scored):
        set_aside(uow)
        with uow:
            report = rescore(uow, rules, RescoreInput(2025, date(2026, 2, 5), ACTOR, institution_id=OBJECTED))
        assert report.changed == [OBJECTED]

    again = current(started, OBJECTED)
    assert (again.version, again.score, again.state, again.publicity_on, again.publicity_last_day) == (
        2, Decimal("83.5"), "in_publicity", date(2026, 2, 5), date(2026, 3, 4))  # Feb 6, 9–13, Sat 14, 24–27, Sat 28, Mar 2–4
    assert again.change_reason == "重新评价（jc-2024.1）"
    assert (current(scored, OBJECTED).state, current(scored, OBJECTED).publicity_on) == ("scored", None)
    whys = [e.why for e in started.audit.entries("result", f"2025/{OBJECTED}")]
    assert whys == ["annual evaluation", "re-scored with jc-2024.1"]  # its first version, then the re-score


def test_a_score_made_before_a_correction_was_recorded_is_taken_again_when_applied(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    with uow:
        stale = score_from_snapshot(uow, rules, ScoreInput(2025))
    set_aside(uow)  # an objection decided between the flow's score and apply steps
    with uow:
        report = apply_rescore(uow, rules, ApplyInput(stale, date(2026, 2, 5), ACTOR))

    assert report.changed == [OBJECTED] and current(uow, OBJECTED).score == Decimal("83.5")


def test_R12_what_if_compares_two_versions_on_the_snapshot_and_writes_nothing(tmp_path, rules, monkeypatch):
    real_loader = credit.rules.load_index_system
    monkeypatch.setattr(credit.rules, "load_index_system",
                        lambda v, rules_dir=None: variant(10) if v == "jc-test" else real_loader(v, rules_dir))
    uow = evaluated(tmp_path / "var", "in_publicity")
    audit = len(uow.audit.entries())
    with uow:
        report = what_if(uow, rules, WhatIfInput(2025, "jc-test"))

    assert (report.base, report.other) == ("jc-2024.1", "jc-test")
    moved = {row["institution_id"]: (row["from"], row["to"], row["why"]) for row in report.changed}
    assert moved[WARNED] == ("A", "B", "CX-01 5.0→10.0")  # one warning at 10 instead of 5: 90.0 → 85.0
    assert sum(row["institutions"] for row in report.migrations) == 15
    assert len(uow.audit.entries()) == audit and len(uow.tables.of("results")) == 15


def test_R10_taking_in_recorded_events_when_the_store_holds_none_keeps_the_snapshot(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    snapshot = uow.tables.of("cycles")[0].snapshot
    with uow:
        report = take_in_recorded_events(uow, rules, TakeInInput(2025, ACTOR, tmp_path / "var"))
    assert report.snapshot is None and uow.tables.of("cycles")[0].snapshot == snapshot


def test_change_and_publicize_writes_nothing_for_the_same_rows(tmp_path, rules):
    uow = evaluated(tmp_path / "var", "in_publicity")
    cycle = uow.tables.of("cycles")[0]
    results, findings = uow.evaluations.current_results(2025), uow.evaluations.findings_for(2025)
    rows = results[results["institution_id"] == OBJECTED]
    found = findings[findings["institution_id"] == OBJECTED]
    with uow:
        new = change_and_publicize(uow, rules, cycle, OBJECTED, rows, found, on=date(2026, 2, 5), reason="x",
                                   actor=ACTOR)
    assert new is None and current(uow, OBJECTED).version == 1
