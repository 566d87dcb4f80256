"""The repository saves an evaluation once, versions what changes and audits it (R-12, R-13, R-21)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.orm import Session

from store import Repository, transaction
from store.models import Cycle, Finding, Institution, Result

Inputs = Callable[..., dict[str, Any]]


def all_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a fixed order."""
    tables = MetaData()
    tables.reflect(bind=session.connection())
    return {
        name: sorted(tuple(row) for row in session.execute(select(table)))
        for name, table in tables.tables.items()
        if name != "alembic_version"
    }


def with_score(frame: pd.DataFrame, institution_id: str, **values: str) -> pd.DataFrame:
    frame = frame.copy()
    for column, value in values.items():
        frame.loc[frame["institution_id"] == institution_id, column] = value
    return frame


def test_saving_the_same_evaluation_twice_leaves_exactly_the_same_rows(session: Session, inputs: Inputs) -> None:
    repository = Repository(session)
    first = repository.save_evaluation(**inputs())
    before = all_rows(session)
    again = repository.save_evaluation(**inputs(at=inputs()["at"] + timedelta(hours=1), by="li.na"))
    assert all_rows(session) == before
    assert (first.new, first.changed, first.findings) == (3, 0, 5)
    assert (again.new, again.changed, again.unchanged, again.audit) == (0, 0, 3, 0)
    assert again.wrote_nothing


def test_R12_every_result_records_its_index_version_and_snapshot(session: Session, inputs: Inputs) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    current = repository.current_results(2025)
    assert set(current["index_version"]) == {"jc-2024.1"}
    assert set(current["snapshot"]) == {inputs()["snapshot"]}
    cycle = repository.cycle(2025)
    assert cycle is not None
    assert (cycle.snapshot, cycle.index_version, cycle.stage) == (inputs()["snapshot"], "jc-2024.1", "scored")


def test_R21_a_changed_score_makes_version_2_and_an_audit_row_with_before_and_after(
    session: Session, inputs: Inputs, sample: Any
) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    results = with_score(sample.results(), sample.RATED_A, score="94.0", deduction_management="6.0")
    findings = sample.findings()
    findings.loc[findings["institution_id"] == sample.RATED_A, ["raw_points", "points"]] = "6.0"
    later = datetime(2026, 2, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    report = repository.save_evaluation(**inputs(results=results, findings=findings, by="li.na", at=later))

    assert (report.new, report.changed, report.unchanged, report.audit) == (0, 1, 2, 1)
    versions = session.execute(
        select(Result.version, Result.is_current, Result.score).where(Result.institution_id == sample.RATED_A)
    ).all()
    assert sorted(versions) == [(1, False, Decimal("97.0")), (2, True, Decimal("94.0"))]
    [first, entry] = repository.audit_entries("result", f"2025/{sample.RATED_A}")
    assert (first.before, first.after and first.after["version"]) == (None, 1)  # the first version has its row
    assert (entry.entity_id, entry.action, entry.by, entry.why) == (f"2025/{sample.RATED_A}", "new_version", "li.na",
                                                                    "annual evaluation")
    assert entry.at == later
    assert entry.before is not None and entry.after is not None
    assert (entry.before["version"], entry.before["score"], entry.before["deduction_management"]) == (1, "97.0", "3.0")
    assert (entry.after["version"], entry.after["score"], entry.after["deduction_management"]) == (2, "94.0", "6.0")
    assert entry.before["findings"] == [["management", "GL-02", "2025-04-11", "3.0", "3.0", "EV20250000012"]]
    assert entry.after["findings"] == [["management", "GL-02", "2025-04-11", "6.0", "6.0", "EV20250000012"]]


def test_a_changed_finding_alone_makes_a_new_version(session: Session, inputs: Inputs, sample: Any) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    findings = sample.findings()
    findings.loc[findings["evidence"] == "A2025000000234", "evidence"] = "A2025000000235"
    report = repository.save_evaluation(**inputs(findings=findings))
    assert (report.changed, report.unchanged) == (1, 2)
    current = repository.current_results(2025).set_index("institution_id")
    assert current.loc[sample.RATED_B, "version"] == 2
    assert "A2025000000235" in set(repository.findings_for(2025)["evidence"])
    assert "A2025000000234" not in set(repository.findings_for(2025)["evidence"])


def test_a_new_snapshot_versions_every_result_and_replaces_quarantine_and_warnings(
    session: Session, inputs: Inputs
) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    newer = "sha256:" + "b" * 64
    quarantine = pd.DataFrame(
        [{"table": "credit_events", "file": "credit_events.csv", "row": 4, "column": "amount_yuan",
          "value": "1,000", "reason": "amount_yuan is not a plain decimal"}]
    )
    warnings = pd.DataFrame(columns=["file", "row", "key", "column", "reason"])
    report = repository.save_evaluation(
        **inputs(snapshot=newer, snapshot_path="var/snapshots/" + "b" * 64, quarantine=quarantine, warnings=warnings)
    )
    assert (report.changed, report.validation_replaced) == (3, True)
    assert set(repository.current_results(2025)["snapshot"]) == {newer}
    stored = all_rows(session)
    assert [(row[3], row[5], row[7]) for row in stored["quarantined_rows"]] == [("credit_events", 4, "1,000")]
    assert stored["warnings"] == []
    assert [row[4] for row in stored["quarantined_rows"]] == ["credit_events.csv"]
    cycle_audit = repository.audit_entries("cycle", "2025")
    assert [entry.action for entry in cycle_audit] == ["created", "updated"]
    assert cycle_audit[-1].after is not None and cycle_audit[-1].after["snapshot"] == newer


def test_an_institution_left_out_of_a_new_evaluation_is_withdrawn_with_an_audit_row(
    session: Session, inputs: Inputs, sample: Any
) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    results = sample.results()
    report = repository.save_evaluation(**inputs(results=results[results["institution_id"] != sample.NOT_RATED]))
    assert report.withdrawn == 1
    assert sample.NOT_RATED not in set(repository.current_results(2025)["institution_id"])
    [_, entry] = repository.audit_entries("result", f"2025/{sample.NOT_RATED}")
    assert (entry.action, entry.after) == ("withdrawn", None)


def test_a_withdrawn_institution_that_comes_back_gets_the_next_version(
    session: Session, inputs: Inputs, sample: Any
) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    results = sample.results()
    repository.save_evaluation(**inputs(results=results[results["institution_id"] != sample.NOT_RATED]))
    report = repository.save_evaluation(**inputs())
    assert (report.new, report.audit) == (1, 1)
    current = repository.current_results(2025).set_index("institution_id")
    assert current.loc[sample.NOT_RATED, "version"] == 2
    actions = [entry.action for entry in repository.audit_entries("result", f"2025/{sample.NOT_RATED}")]
    assert actions == ["new_version", "withdrawn", "reinstated"]


def test_R13_points_round_trip_exactly_89_9_stays_89_9(session: Session, inputs: Inputs, sample: Any) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    stored = session.scalars(select(Result).where(Result.institution_id == sample.RATED_B)).one()
    assert stored.score == Decimal("89.9") and isinstance(stored.score, Decimal)
    assert str(stored.score) == "89.9"
    assert stored.deduction_execution == Decimal("5.1")
    points = session.scalars(select(Finding.points).where(Finding.evidence == "A2025000000301")).one()
    assert points == Decimal("4.6")
    row = repository.current_results(2025).set_index("institution_id").loc[sample.RATED_B]
    assert (row["score"], row["grade"], row["deduction_execution"]) == ("89.9", "B", "5.1")


def test_points_with_more_than_one_decimal_place_are_refused(session: Session, inputs: Inputs, sample: Any) -> None:
    results = with_score(sample.results(), sample.RATED_B, score="89.95")
    with pytest.raises(ValueError, match="more than one decimal place"):
        Repository(session).save_evaluation(**inputs(results=results))


def test_current_results_read_back_as_the_rows_that_were_saved(session: Session, inputs: Inputs, sample: Any) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    current = repository.current_results(2025)
    expected = sample.results().sort_values("institution_id", ignore_index=True)
    assert list(current.columns) == [*expected.columns, "snapshot", "version", "state"]
    assert current[list(expected.columns)].astype(object).values.tolist() == expected.astype(object).values.tolist()
    assert current["version"].tolist() == [1, 1, 1]
    assert set(current["state"]) == {"scored"}
    not_rated = current.set_index("institution_id").loc[sample.NOT_RATED]
    assert (not_rated["score"], not_rated["grade"], not_rated["clause"]) == ("", "", "")


def test_findings_read_back_in_the_order_of_findings_csv(session: Session, inputs: Inputs, sample: Any) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    expected = sample.findings().sort_values(
        ["institution_id", "dimension", "date", "indicator", "evidence"], ignore_index=True
    )
    read = repository.findings_for(2025)
    assert read.astype(object).values.tolist() == expected.astype(object).values.tolist()


def test_the_registry_is_saved_with_its_dates_and_the_snapshot_it_came_from(
    session: Session, inputs: Inputs, sample: Any
) -> None:
    Repository(session).save_evaluation(**inputs())
    suspended = session.get(Institution, sample.RATED_B)
    assert suspended is not None
    assert (suspended.registered_on, suspended.status_changed_on) == (date(2023, 7, 15), date(2025, 8, 1))
    assert (suspended.status, suspended.materials_missing) == ("suspended", "staff;equipment")
    assert suspended.last_snapshot == inputs()["snapshot"]


def test_re_saving_an_older_year_does_not_roll_the_registry_back(
    session: Session, inputs: Inputs, sample: Any
) -> None:
    repository = Repository(session)
    repository.save_evaluation(**inputs())
    older = inputs()["registry"].assign(status="registered")
    repository.save_evaluation(**inputs(year=2024, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
                                        as_of=date(2025, 1, 20), registry=older))
    institution = session.get(Institution, sample.RATED_B)
    assert institution is not None and institution.status == "suspended"


def test_a_failed_save_leaves_nothing_half_written(engine: Engine, inputs: Inputs, sample: Any) -> None:
    findings = pd.concat([sample.findings(), sample.findings().assign(institution_id="911400000000000000")])
    with pytest.raises(ValueError, match="without a result"), transaction(engine) as session:
        Repository(session).save_evaluation(**inputs(year=1999, findings=findings))
    with Session(engine) as session:
        assert session.scalar(select(Cycle).where(Cycle.year == 1999)) is None
        assert Repository(session).audit_entries("cycle", "1999") == []


def test_a_province_drop_of_500_institutions_saves_and_resaves(session: Session, inputs: Inputs, sample: Any) -> None:
    ids = [f"91140{i:013d}" for i in range(500)]
    results = pd.concat([sample.results().iloc[[0]]] * 500, ignore_index=True).assign(institution_id=ids)
    findings = pd.concat([sample.findings().iloc[[3]]] * 15000, ignore_index=True)
    findings = findings.assign(institution_id=[i for i in ids for _ in range(30)], evidence=[f"A{n}" for n in range(15000)])
    repository = Repository(session)
    first = repository.save_evaluation(**inputs(results=results, findings=findings))
    again = repository.save_evaluation(**inputs(results=results, findings=findings))
    assert (first.new, first.findings) == (500, 15000)
    assert again.wrote_nothing
    assert len(repository.findings_for(2025)) == 15000


def test_the_service_tiers_fake_saves_and_reads_back_exactly_like_the_store(
    session: Session, inputs: Inputs, sample: Any
) -> None:
    from tests.service.fakes import FakeUnitOfWork

    results = with_score(sample.results(), sample.RATED_A, score="94.0", deduction_management="6.0")
    findings = sample.findings()
    findings.loc[findings["institution_id"] == sample.RATED_A, ["raw_points", "points"]] = "6.0"
    saves = [inputs(), inputs(), inputs(results=results, findings=findings),
             inputs(results=results[results["institution_id"] != sample.NOT_RATED], findings=findings), inputs()]
    rescored = sample.findings()
    rescored = rescored[rescored["institution_id"] == sample.RATED_B].iloc[:2]

    def run(repository: Any) -> tuple[Any, ...]:
        reports = [repository.save_evaluation(**given) for given in saves]
        cycle = repository.cycle(2025)
        changed = repository.change_result(cycle, sample.RATED_B, sample.results(), rescored, by="t",
                                           at=inputs()["at"], why="objection upheld")
        return (
            [(r.new, r.changed, r.unchanged, r.withdrawn, r.findings, r.audit, r.validation_replaced) for r in reports],
            (changed.version, changed.state, changed.is_current),
            repository.current_results(2025).astype(object).values.tolist(),
            repository.findings_for(2025).astype(object).values.tolist(),
            [(e.entity, e.entity_id, e.action, e.why, e.by, e.before, e.after) for e in repository.audit_entries()],
        )

    assert run(FakeUnitOfWork().evaluations) == run(Repository(session))
