"""A whole cycle on a fixed clock across Spring Festival 2026 (R-15–R-17), every deadline hand-computed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import advance_flow, publicize_flow
from store import models
from store.lifecycle import Actor
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
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]
OBJECTED = "91140581173546984A"  # 81.5, B; YW-04 on A2025000000096 is 2 points
OTHER = "121405241225528314"


def actor() -> Actor:
    return Actor("reviewer", datetime.now(UTC), "test")


def current(db_url: str, institution_id: str) -> models.Result:
    engine = create_engine(db_url)
    with Session(engine) as session:
        result = session.scalars(select(models.Result).where(
            models.Result.institution_id == institution_id, models.Result.is_current.is_(True))).one()
        session.expunge(result)
    engine.dispose()
    return result


def in_store(db_url: str, use_case, inputs):
    """A use case in one unit of work of the store, with the 2025 rules (as the command runs it)."""
    from credit.rules import rules_for_year
    from store.uow import Store

    with Store.open(db_url).unit_of_work() as uow:
        return use_case(uow, rules_for_year(2025), inputs)


def intake(received: date, institution: str = OBJECTED, evidence: tuple[Path, ...] = ()) -> Intake:
    return Intake(year=2025, institution_id=institution, received_on=received, filer_kind="institution",
                  filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=evidence)


def test_R16_a_cycle_with_late_unevidenced_and_upheld_objections_ends_determined_published_and_shared(
    db_url, tmp_path, var_dir
):
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(tmp_path / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")
    window = publicize_flow(year=2025, on=date(2026, 2, 2), db_url=db_url, by="test")
    assert window["last_day"] == "2026-02-28"  # Feb 3–6, 9–13, Sat 14, 24–27, Sat 28 (调休)
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    letters = tmp_path / "letters"
    filing = Filing(var_dir / "evidence", letters)

    late = in_store(db_url, add_objection, AddInput(intake(date(2026, 3, 2), OTHER, (proof,)), actor(), filing))
    assert (late.admissible, late.reason) == (False, "逾期提出异议，视为无异议（第十九条）")
    bare = in_store(db_url, add_objection, AddInput(intake(date(2026, 2, 10), OTHER), actor(), filing))
    assert (bare.admissible, bare.reason) == (False, "未提供佐证材料，视为无异议（第十九条）")
    assert (letters / f"{late.id}.html").is_file()

    objection = in_store(db_url, add_objection, AddInput(intake(date(2026, 2, 24), OBJECTED, (proof,)), actor(),
                                                         filing))
    assert objection.review_by == "2026-03-16"  # Feb 25–27, Sat 28, Mar 2–6, 9–13, 16
    assert in_store(db_url, suspend, SuspendInput(objection.id, date(2026, 3, 3), None, actor())).review_by is None
    assert in_store(db_url, suspend, SuspendInput(objection.id, date(2026, 3, 3), date(2026, 3, 5),
                                                  actor())).review_by == "2026-03-19"
    assert current(db_url, OBJECTED).state == "under_review"

    first = advance_flow(as_of=date(2026, 3, 2), outbox=str(tmp_path / "outbox"), publish_dir=str(tmp_path / "web"),
                         db_url=db_url, by="test")
    assert first["moved"] == {"determined": 14, "published": 14, "shared": 14}
    assert current(db_url, OBJECTED).state == "under_review"

    decided = in_store(db_url, decide, DecideInput(objection.id, date(2026, 3, 18), "upheld", "签字人授权记录已补正",
                                                   actor(), filing, set_aside=(("YW-04", "A2025000000096"),)))
    assert decided.changed and decided.new_version == 2
    changed = current(db_url, OBJECTED)
    assert (changed.state, str(changed.score), changed.grade) == ("in_publicity", "83.5", "B")
    # 2026-03-18 + 15: Mar 19–20, 23–27, 30–31, Apr 1–3, (Qingming Apr 4–6), Apr 7–9
    assert (changed.publicity_on, changed.publicity_last_day) == (date(2026, 3, 18), date(2026, 4, 9))
    assert Path(decided.letter).is_file()

    assert advance_flow(as_of=date(2026, 4, 9), outbox=str(tmp_path / "outbox"), publish_dir=str(tmp_path / "web"),
                        db_url=db_url, by="test")["moved"] == {}
    last = advance_flow(as_of=date(2026, 4, 10), outbox=str(tmp_path / "outbox"),
                        publish_dir=str(tmp_path / "web"), db_url=db_url, by="test")
    assert last["moved"] == {"determined": 1, "published": 1, "shared": 1}
    final = current(db_url, OBJECTED)
    # determined the day after the window; publish by Apr 13–17, 20, 21
    assert (final.state, final.determined_on, final.publish_by, final.published_on) == (
        "shared", date(2026, 4, 10), date(2026, 4, 21), date(2026, 4, 10))
    update = json.loads((tmp_path / "outbox" / "2025-002" / "manifest.json").read_text(encoding="utf-8"))
    assert "changes.csv" in {f["name"] for f in update["files"]}
