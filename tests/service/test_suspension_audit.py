"""Issue 11 item 8: closing an on-site verification interval logs what it was before (open), not null."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from store.lifecycle import Actor
from tasks.objections import AddInput, Filing, Intake, SuspendInput, add_objection, suspend
from tests.service.fake_objections import evaluated, example_evaluation, validating_once

OBJECTED = "91140581173546984A"
ACTOR = Actor("reviewer", datetime(2026, 2, 24, 9, 0, tzinfo=UTC), "test")


@pytest.fixture(autouse=True)
def validated_once(monkeypatch):
    validating_once(monkeypatch)


def test_closing_a_suspension_logs_the_open_interval_as_before(tmp_path):
    rules, uow = example_evaluation()[0], evaluated(tmp_path / "var", "in_publicity")
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    intake = Intake(year=2025, institution_id=OBJECTED, received_on=date(2026, 2, 24), filer_kind="institution",
                    filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=(proof,))
    with uow:
        objection = add_objection(uow, rules, AddInput(intake, ACTOR, Filing.under(tmp_path / "var")))
    for end in (None, date(2026, 3, 5)):
        with uow:
            suspend(uow, rules, SuspendInput(objection.id, date(2026, 3, 3), end, ACTOR))

    opened, closed = [(e.before, e.after) for e in uow.audit.entries("objection", objection.id)
                      if e.action == "suspension"]
    assert opened == (None, {"from": "2026-03-03", "to": None})
    assert closed == ({"from": "2026-03-03", "to": None}, {"from": "2026-03-03", "to": "2026-03-05"})
