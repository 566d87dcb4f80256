"""The inspector roster, the 第二十二条 plan and the 第六条 registry report on the in-memory unit of work
(R-05, R-19, R-21). The cycle's snapshot tables (tasks.rescore.corrected_tables, the rescore area's) are
given here as the rows the store would hold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from credit.rules import rules_for_year
from store.lifecycle import Actor
from tasks import plan as plan_module
from tasks import registry as registry_module
from tasks.plan import (
    PLAN_FILES,
    CycleNotDeterminedError,
    PlanInput,
    RosterError,
    RosterImport,
    import_roster,
    make_plan,
    plan_markdown,
    plan_step,
)
from tasks.registry import RegistryChangesInput, registry_changes
from tasks.save import save_evaluation
from tests.service.fake_evaluation import evaluation_input
from tests.service.fakes import FakeStore, FakeUnitOfWork
from tests.support.builders import OTHER, THIRD, clean_drop, event, frames, with_rows

RULES = rules_for_year(2025, index_version="jc-2024.1")
PLAN_RULES = rules_for_year(2026)
ACTOR = Actor("officer", datetime(2026, 3, 5, tzinfo=UTC), "roster")
ROSTER = "inspector_id,name,unit,county,active\nJC001,王建国,执法支队,,\nJC002,李秀英,监测科,,true\nZZ001,张伟,泽州县分局,泽州县,no\n"


def drop_rows() -> dict[str, list[dict]]:
    """Three institutions of 城区; OTHER has a verified complaint (JY-02) and THIRD a change filed late."""
    rows = clean_drop()
    for inst in (OTHER, THIRD):
        rows = with_rows(rows, **clean_drop(inst))
    return with_rows(
        rows,
        credit_events=[event("C1", "JY-02", OTHER, source="complaint")],
        changes=[{"institution_id": THIRD, "item": "address", "changed_on": "2025-05-22", "filed_on": "2025-06-25"}],
    )


@pytest.fixture
def uow(monkeypatch) -> FakeUnitOfWork:
    """The 2025 cycle saved and shared; the snapshot's tables are the drop's rows."""
    rows = drop_rows()
    monkeypatch.setattr(plan_module, "corrected_tables", lambda uow, rules, cycle: frames(rows))
    monkeypatch.setattr(registry_module, "corrected_tables", lambda uow, rules, cycle: frames(rows))
    work = FakeUnitOfWork()
    with work:
        save_evaluation(work, RULES, evaluation_input(rows, RULES, date(2026, 1, 20)))
    return work


def share_all(uow: FakeUnitOfWork) -> None:
    for result in uow.tables.of("results"):
        result.state = "shared"


def roster(folder: Path, text: str = ROSTER) -> RosterImport:
    (folder / "roster.csv").write_text(text, encoding="utf-8")
    return RosterImport(folder / "roster.csv")


def test_R21_the_roster_import_adds_changes_and_audits_each_inspector(uow, tmp_path):
    with uow:
        first = import_roster(uow, roster(tmp_path), ACTOR)
    with uow:
        again = import_roster(uow, roster(tmp_path, ROSTER.replace("监测科", "监测站")), ACTOR)
    assert (first.inspectors, first.new, first.changed, first.unchanged) == (3, 3, 0, 0)
    assert (again.new, again.changed, again.unchanged) == (0, 1, 2)
    assert [a.action for a in uow.audit.entries("inspector")] == ["created"] * 3 + ["changed"]
    assert uow.audit.entries("inspector")[-1].after == {"unit": "监测站"}
    assert [i.inspector_id for i in uow.supervision.active_inspectors()] == ["JC001", "JC002"]


def test_a_roster_row_without_a_name_is_refused_naming_file_row_and_column(uow, tmp_path):
    with pytest.raises(RosterError, match="roster.csv 第3行，name：为空"), uow:
        import_roster(uow, roster(tmp_path, "inspector_id,name,unit\nJC001,王建国,支队\nJC002,,支队\n"), ACTOR)
    assert uow.tables.of("inspectors") == []


def test_R19_the_plan_draws_by_grade_adds_complaints_and_the_same_seed_gives_the_same_bytes(uow, tmp_path):
    share_all(uow)
    with uow:
        import_roster(uow, roster(tmp_path), ACTOR)
    report = make_plan(uow, PLAN_RULES, PlanInput(2026, "s", tmp_path / "one"))
    make_plan(uow, PLAN_RULES, PlanInput(2026, "s", tmp_path / "two"))
    assert (report.year, report.source_year, report.rules_version) == (2026, 2025, "jc-2024.1")
    assert (report.complaints, report.inspectors, report.warning) == (1, 2, None)
    assert report.teams == report.inspections
    rows = (tmp_path / "one" / "plan.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any(line.startswith(OTHER) and "complaint" in line for line in rows)
    for name in ("plan.csv", "plan_inspectors.csv", "plan.html", "plan.xlsx"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_R19_without_a_roster_the_plan_says_so(uow, tmp_path):
    share_all(uow)
    report = make_plan(uow, PLAN_RULES, PlanInput(2026, "s", tmp_path))
    assert report.teams == 0 and "执法检查人员名录为空" in report.warning


def test_R19_a_cycle_not_yet_determined_is_refused_naming_its_stage(uow, tmp_path):
    with pytest.raises(CycleNotDeterminedError, match="2025年度评价周期处于“已评分”阶段（'scored'）"):
        make_plan(uow, PLAN_RULES, PlanInput(2026, "s", tmp_path))
    with pytest.raises(LookupError, match="2030 年度尚无已保存的评价结果"):
        make_plan(uow, PLAN_RULES, PlanInput(2031, "s", tmp_path))
    assert not (tmp_path / "plan.csv").exists()


def test_R05_registry_changes_lists_the_change_filed_late(uow, tmp_path):
    report = registry_changes(uow, RULES, RegistryChangesInput(2025, date(2026, 1, 20), tmp_path))
    assert report.path == tmp_path / "registry_changes.csv" and report.late == 1
    lines = report.path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith(THIRD) and "filed_late" in lines[1] and ",2025-06-23,2025-06-25,2," in lines[1]


def test_R19_the_plan_step_swaps_its_files_into_place_and_a_failed_plan_leaves_the_previous_one(uow, tmp_path,
                                                                                                 monkeypatch):
    share_all(uow)
    store = FakeStore(uow.tables)
    out = tmp_path / "plan"
    report = plan_step(store, PLAN_RULES, PlanInput(2026, "s", out))
    extracts = [f"plan_{county}.xlsx" for county in PLAN_RULES.bureau.counties]  # one per county
    assert report.written == [str(out.resolve() / name) for name in (*PLAN_FILES, *extracts)]
    before = {name: (out / name).read_bytes() for name in PLAN_FILES}
    assert "2026年度双随机抽查计划" in plan_markdown(report, out) and "`plan.xlsx`" in plan_markdown(report, out)

    def broken(ctx):
        raise RuntimeError("the XLSX renderer failed")

    monkeypatch.setattr(plan_module, "render_plan_xlsx", broken)
    with pytest.raises(RuntimeError):
        plan_step(store, PLAN_RULES, PlanInput(2026, "other seed", out))
    assert {name: (out / name).read_bytes() for name in PLAN_FILES} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
