"""The evaluation's save on the in-memory unit of work (R-12, R-13, R-21): no Prefect, no database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from credit.rules import rules_for_year
from store.repository import CycleStartedError
from tasks.save import save_evaluation
from tests.service.fake_evaluation import evaluation_input
from tests.service.fakes import FakeStore, FakeUnitOfWork
from tests.support.builders import INST, OTHER, clean_drop, event, with_rows

RULES = rules_for_year(2025, index_version="jc-2024.1")
AS_OF = date(2026, 1, 20)
LATER = datetime(2026, 2, 1, tzinfo=UTC)


def two_institutions(*events: dict) -> dict[str, list[dict]]:
    other = clean_drop(OTHER)
    rows = with_rows(clean_drop(), **{name: other[name] for name in other})
    return with_rows(rows, credit_events=list(events))


def save(uow: FakeUnitOfWork, rows: dict, **options):
    with uow:
        return save_evaluation(uow, RULES, evaluation_input(rows, RULES, AS_OF, **options))


def test_R12_a_first_save_writes_the_cycle_every_result_and_audits_the_cycle():
    uow = FakeUnitOfWork()
    report = save(uow, two_institutions(event("E1", "YW-05")))
    assert (report.year, report.new, report.changed, report.unchanged, report.audit) == (2025, 2, 0, 0, 3)
    assert report.findings == 1 and uow.committed == 1
    cycle = uow.evaluations.cycle(2025)
    assert (cycle.period_start, cycle.period_end, cycle.as_of, cycle.index_version) == (
        date(2025, 1, 1), date(2025, 12, 31), AS_OF, "jc-2024.1")
    current = uow.evaluations.current_results(2025)
    assert current["institution_id"].tolist() == sorted([INST, OTHER])
    assert set(current["version"]) == {1} and set(current["state"]) == {"scored"}
    findings = uow.evaluations.findings_for(2025)
    assert findings[["institution_id", "indicator", "evidence"]].values.tolist() == [[INST, "YW-05", "E1"]]
    audit = [(a.entity, a.action, a.before) for a in uow.audit.entries()]
    assert audit == [("cycle", "created", None)] + [("result", "new_version", None)] * 2  # each first version too


def test_R12_the_same_evaluation_twice_writes_nothing():
    uow = FakeUnitOfWork()
    save(uow, two_institutions(event("E1", "YW-05")))
    again = save(uow, two_institutions(event("E1", "YW-05")), at=LATER, by="li.na")
    assert again.wrote_nothing and again.unchanged == 2
    assert len(uow.tables.of("results")) == 2 and len(uow.audit.entries()) == 3


def test_R21_a_changed_finding_makes_version_2_with_the_findings_before_and_after():
    uow = FakeUnitOfWork()
    save(uow, two_institutions(event("E1", "YW-05")))
    report = save(uow, two_institutions(event("E2", "YW-05")), at=LATER, by="li.na")
    assert (report.changed, report.unchanged, report.audit) == (1, 1, 1)
    [_, entry] = uow.evaluations.audit_entries("result", f"2025/{INST}")
    assert (entry.entity_id, entry.action, entry.by, entry.at) == (f"2025/{INST}", "new_version", "li.na", LATER)
    assert (entry.before["version"], entry.after["version"]) == (1, 2)
    assert [f[-1] for f in entry.before["findings"]] == ["E1"] and [f[-1] for f in entry.after["findings"]] == ["E2"]
    versions = sorted((r.version, r.is_current) for r in uow.tables.of("results") if r.institution_id == INST)
    assert versions == [(1, False), (2, True)]
    assert uow.evaluations.findings_for(2025)["evidence"].tolist() == ["E2"]


def test_an_institution_left_out_is_withdrawn_and_when_it_comes_back_it_gets_the_next_version():
    uow = FakeUnitOfWork()
    save(uow, two_institutions())
    alone = save(uow, clean_drop())
    back = save(uow, two_institutions())
    assert (alone.withdrawn, back.new, back.unchanged) == (1, 1, 1)
    actions = [a.action for a in uow.evaluations.audit_entries("result", f"2025/{OTHER}")]
    assert actions == ["new_version", "withdrawn", "reinstated"]
    assert uow.evaluations.current_results(2025).set_index("institution_id").loc[OTHER, "version"] == 2


def test_R15_a_save_that_would_change_results_in_publicity_is_refused_and_rolled_back():
    uow = FakeUnitOfWork()
    save(uow, two_institutions())
    for result in uow.tables.of("results"):
        result.state = "in_publicity"
    with pytest.raises(CycleStartedError, match="cycle 2025 is past scoring"):
        save(uow, two_institutions(event("E1", "YW-05")))
    assert uow.rolled_back == 1 and len(uow.tables.of("results")) == 2
    assert save(uow, two_institutions()).wrote_nothing  # the same results again: nothing to refuse


def test_change_result_writes_a_new_current_version_only_when_the_institution_differs():
    uow = FakeUnitOfWork()
    save(uow, two_institutions())
    cycle = uow.evaluations.cycle(2025)
    scored = evaluation_input(two_institutions(event("E1", "YW-05")), RULES, AS_OF).scored
    mine = scored.results[scored.results["institution_id"] == INST]
    found = scored.findings[scored.findings["institution_id"] == INST]
    new = uow.evaluations.change_result(cycle, INST, mine, found, by="t", at=LATER, why="objection upheld")
    assert (new.version, new.state, new.is_current) == (2, "scored", True)
    assert uow.evaluations.audit_entries("result")[-1].why == "objection upheld"
    assert uow.evaluations.change_result(cycle, INST, mine, found, by="t", at=LATER, why="again") is None
    other = scored.results[scored.results["institution_id"] == OTHER]
    assert uow.evaluations.change_result(cycle, OTHER, other, scored.findings.iloc[:0], by="t", at=LATER,
                                         why="same") is None


def test_the_save_step_opens_one_writing_unit_of_work():
    from tasks.save import save_step

    store = FakeStore()
    report = save_step(store, RULES, evaluation_input(clean_drop(), RULES, AS_OF))
    assert report.new == 1
    assert [(u.write, u.committed) for u in store.units] == [(True, 1)]


def test_the_run_summary_for_the_ui_counts_what_was_read_rated_stored_and_written(tmp_path):
    from tasks.render import grades_by_county, render_outputs, summary_markdown

    given = evaluation_input(two_institutions(event("E1", "YW-05")), RULES, AS_OF)
    paths = render_outputs(tmp_path, drop=given.drop, validated=given.validated, scored=given.scored, rules=RULES,
                           as_of=AS_OF)
    summary = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    grades = [band.grade for band in RULES.index.grades]
    report = save(FakeUnitOfWork(), two_institutions(event("E1", "YW-05")))
    text = summary_markdown(summary, report, tmp_path, grades)
    assert "| institutions | institutions.csv | 2 | 2 | 0 |" in text
    assert "参评机构 2 家" in text and "新增 2、变更 0" in text and "公示期至" in text and str(tmp_path) in text
    rows = grades_by_county(given.scored.results, grades, RULES.bureau.counties)
    assert [r["县（市、区）"] for r in rows[:len(RULES.bureau.counties)]] == RULES.bureau.counties
    assert rows[-1]["县（市、区）"] == "合计" and rows[-1]["合计"] == 2
    assert sum(rows[-1][f"{g}级"] for g in grades) + rows[-1]["不予评定"] == 2
