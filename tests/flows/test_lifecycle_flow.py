"""Publicity and the daily advance on a fixed clock across Spring Festival 2026 (R-15, R-17), both databases."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from credit.rules import rules_for_year
from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import advance_flow, publicize_flow
from store import models
from store.lifecycle import Actor
from store.uow import open_store
from tasks import lifecycle as steps
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]


@pytest.fixture
def evaluated(db_url, tmp_path, var_dir) -> str:
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(tmp_path / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")
    return db_url


def states(db_url: str) -> dict[str, tuple]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        rows = session.scalars(select(models.Result).where(models.Result.is_current.is_(True))).all()
        out = {r.institution_id: (r.state, r.publicity_on, r.publicity_last_day, r.determined_on, r.publish_by,
                                  r.published_on, r.shared_on) for r in rows}
    engine.dispose()
    return out


def count(db_url: str, model) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        n = connection.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n


def advance(db_url: str, day: date, tmp_path: Path) -> dict:
    return advance_flow(as_of=day, outbox=str(tmp_path / "outbox"), publish_dir=str(tmp_path / "web"),
                        db_url=db_url, by="test", site=str(tmp_path / "site"))


def test_R15_publicity_before_spring_festival_closes_on_the_make_up_saturday(evaluated, tmp_path):
    window = publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=evaluated, by="test")
    assert window["last_day"] == "2026-02-28"
    assert {s[0] for s in states(evaluated).values()} == {"in_publicity"}
    html = (tmp_path / "pub" / "publicity.html").read_text(encoding="utf-8")
    assert "2026年2月28日" in html and "草稿" not in html


def test_R17_advance_determines_publishes_and_shares_once_and_a_second_run_changes_nothing(evaluated, tmp_path):
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=evaluated, by="test")
    assert advance(evaluated, date(2026, 2, 28), tmp_path)["moved"] == {}  # the last day is still in the window
    first = advance(evaluated, date(2026, 3, 2), tmp_path)
    assert first["moved"] == {"determined": 15, "published": 15, "shared": 15}
    after_first = states(evaluated)
    assert {s[0] for s in after_first.values()} == {"shared"}
    sample = next(iter(after_first.values()))
    # determined the day after the window (Sunday 03-01); publish by 03-01 + 7 working days = 03-10
    assert sample[3:] == (date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 2), date(2026, 3, 2))
    audit_rows = count(evaluated, models.AuditEntry)
    second = advance(evaluated, date(2026, 3, 2), tmp_path)
    assert second["moved"] == {} and second["written"] == []
    assert states(evaluated) == after_first and count(evaluated, models.AuditEntry) == audit_rows
    assert count(evaluated, models.SharePackage) == 1
    package = tmp_path / "outbox" / "2025-001"
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        assert hashlib.sha256((package / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert (tmp_path / "web" / "2025" / "final_results.html").is_file()
    assert "2025" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")  # advance rebuilt the site


def test_advance_killed_after_determining_and_run_again_ends_like_an_uninterrupted_run(evaluated, tmp_path, var_dir):
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=evaluated, by="test")
    actor = Actor("test", datetime.now(UTC), "killed run")
    given = steps.AdvanceInput(2025, date(2026, 3, 2), actor, published=tmp_path / "web", outbox=tmp_path / "outbox",
                               kept=var_dir / "shares")
    with open_store(evaluated).unit_of_work() as uow:  # the first step of a run that then died
        steps.determine(uow, rules_for_year(2025), given)
    assert {s[0] for s in states(evaluated).values()} == {"determined"}
    advance(evaluated, date(2026, 3, 2), tmp_path)
    final = states(evaluated)
    assert {s[0] for s in final.values()} == {"shared"}
    assert next(iter(final.values()))[3:] == (date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 2),
                                              date(2026, 3, 2))


def test_R14_a_serious_event_after_publication_revokes_the_grade_and_the_next_advance_publishes_and_shares_it(
    evaluated, tmp_path
):
    from credit.rules import rules_for_year
    from store.uow import Store
    from tasks.serious import SeriousEventInput, serious_event

    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=evaluated, by="test")
    advance(evaluated, date(2026, 3, 2), tmp_path)
    actor = Actor("test", datetime.now(UTC), "clause 4")
    event = SeriousEventInput("91140100134455246H", 4, date(2026, 4, 1), date(2026, 4, 3), "晋市环罚〔2026〕12号", actor)
    with Store.open(evaluated).unit_of_work() as uow:
        summary = serious_event(uow, rules_for_year(2025), event).summary()
    assert (summary["grade"], summary["clause"], summary["revoked"]) == ("D", 4, "A")
    engine = create_engine(evaluated)
    with Session(engine) as session:
        versions = session.scalars(select(models.Result).where(
            models.Result.institution_id == "91140100134455246H").order_by(models.Result.version)).all()
        assert [(v.version, v.state, v.grade, v.is_current) for v in versions] == [
            (1, "revoked", "A", False), (2, "in_publicity", "D", True)]
        # 2026-04-03 + 15: (Qingming Apr 4–6 off) Apr 7–10, 13–17, 20–24, 27
        assert versions[1].publicity_last_day == date(2026, 4, 27)
    engine.dispose()
    report = advance(evaluated, date(2026, 4, 3), tmp_path)
    assert any(path.endswith("final_results.html") for path in report["written"])
    assert count(evaluated, models.SharePackage) == 2
    html = (tmp_path / "web" / "2025" / "final_results.html").read_text(encoding="utf-8")
    assert "已撤销" in html
    assert advance(evaluated, date(2026, 4, 3), tmp_path)["written"] == []


def test_R12_rescoring_the_same_snapshot_with_the_same_version_changes_nothing_and_what_if_writes_nothing(
    evaluated, tmp_path, monkeypatch
):
    import credit.rules
    from credit.rules import rules_for_year
    from store.uow import Store
    from tasks.rescore import RescoreInput, WhatIfInput, rescore, what_if
    from tests.unit.test_compare import variant

    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=evaluated, by="test")
    before = states(evaluated)
    audit_rows = count(evaluated, models.AuditEntry)
    store, rules = Store.open(evaluated), rules_for_year(2025)
    with store.unit_of_work() as uow:
        report = rescore(uow, rules, RescoreInput(2025, date(2026, 2, 5), Actor("test", datetime.now(UTC), "rescore")))
    assert report.changed == [] and states(evaluated) == before
    real_loader = credit.rules.load_index_system
    monkeypatch.setattr(credit.rules, "load_index_system",
                        lambda v, rules_dir=None: variant(10) if v == "jc-test" else real_loader(v, rules_dir))
    with store.unit_of_work(write=False) as uow:
        comparison = what_if(uow, rules, WhatIfInput(2025, "jc-test"))
    moved = {row["institution_id"]: (row["from"], row["to"]) for row in comparison.changed}
    assert moved["9114052119529778X6"] == ("A", "B")  # one warning (CX-01) at 10 instead of 5: 90.0 → 85.0
    assert states(evaluated) == before and count(evaluated, models.AuditEntry) == audit_rows


def test_R14_a_serious_event_after_as_of_survives_any_rescoring_of_the_cycle(evaluated, tmp_path):
    from flows.rescore import rescore_flow
    from flows.serious_event import serious_event_flow

    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "pub"), db_url=evaluated, by="test")
    serious_event_flow(institution="91140100134455246H", clause=6, decided=date(2026, 2, 9), verified=date(2026, 2, 10),
                       document="晋市环罚〔2026〕3号", db_url=evaluated, by="test")
    serious_event_flow(institution="91140100134455246H", clause=4, decided=date(2026, 2, 11),
                       verified=date(2026, 2, 12), document="晋市环罚〔2026〕4号", db_url=evaluated, by="test")

    report = rescore_flow(year=2025, on=date(2026, 2, 13), db_url=evaluated, by="test")

    assert report["changed"] == []  # D with clause 4 (the lowest) comes out of the re-scoring again
    engine = create_engine(evaluated)
    with Session(engine) as session:
        current = session.scalars(select(models.Result).where(
            models.Result.institution_id == "91140100134455246H", models.Result.is_current.is_(True))).one()
        kept = session.scalar(select(func.count()).select_from(models.SeriousEvent))
    engine.dispose()
    assert (current.grade, current.clause, current.version, kept) == ("D", 4, 3, 2)
