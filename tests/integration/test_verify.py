"""Tamper evidence of what the program shares and publishes (issue 11 items 2 and 7), on SQLite and PostgreSQL.

The worked example is evaluated, publicised from 2026-02-02 (to 02-28) with one objection under review,
and advanced on 03-02: the other 14 results are published in web/2025 and shared as outbox/2025-001, whose
rows are kept in var/shares/2025-001.json. No Prefect: the advance's use cases run in one unit of work, as
the flow runs them; `credit verify` runs through the console command.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.models import SharePackage
from store.uow import Store
from tasks.lifecycle import ADVANCE_STEPS, AdvanceInput, PublicizeInput, publicize
from tasks.verify import TamperedOutputError, VerifyInput, require_untampered
from tests.support.databases import postgres_schema
from tests.support.paths import EXAMPLE_DROP

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
OBJECTED = "91140581173546984A"  # its objection stays under review
REVOKED = "91140100134455246H"  # an A, published and shared on 03-02, then revoked under 第十七条(四)


@dataclass(frozen=True)
class Cycle:
    db: str
    folder: Path

    @property
    def package(self) -> Path:
        return self.folder / "outbox" / "2025-001"

    @property
    def kept(self) -> Path:
        return self.folder / "var" / "shares" / "2025-001.json"

    def given(self, day: date) -> AdvanceInput:
        return AdvanceInput(2025, day, actor("advance"), self.folder / "web", self.folder / "outbox",
                            self.folder / "var" / "shares")

    def advance(self, day: date) -> list:
        """The advance's steps for 2025 in one writing unit of work, as flows/lifecycle.py runs them."""
        rules = rules_for_year(2025)
        with Store.open(self.db).unit_of_work() as uow:
            return [step(uow, rules, self.given(day)) for step in ADVANCE_STEPS]

    def shares(self) -> int:
        with Store.open(self.db).unit_of_work(write=False) as uow:
            return int(uow.session.scalar(select(func.count()).select_from(SharePackage)))


def actor(why: str) -> Actor:
    return Actor("tester", datetime.now(UTC), why)


def evaluated(db: str, var_dir: Path) -> None:
    """pull → validate → score → save of the worked example (2025, as of 2026-01-20), as the flow's tasks do."""
    from tasks.drop_io import read_drop, write_snapshot
    from tasks.save import SaveInput, save_evaluation
    from tasks.score import score_validated
    from tasks.validate import validate

    rules, as_of = rules_for_year(2025), date(2026, 1, 20)
    drop = read_drop(EXAMPLE_DROP)
    validated = validate(drop, rules, None)
    given = SaveInput(as_of=as_of, drop=drop, snapshot_path=write_snapshot(drop, var_dir), validated=validated,
                      scored=score_validated(validated, rules, as_of), by="test", at=datetime.now(UTC))
    with Store.open(db).unit_of_work() as uow:
        save_evaluation(uow, rules, given)


def objected(db: str, folder: Path) -> None:
    """Publicity from 2026-02-02 and one admissible objection, received 02-24, with its evidence."""
    from tasks.objections import AddInput, Filing, Intake, add_objection

    rules = rules_for_year(2025)
    with Store.open(db).unit_of_work() as uow:
        publicize(uow, rules, PublicizeInput(2025, date(2026, 2, 2), folder / "pub", actor("publicity")))
    proof = folder / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    intake = Intake(year=2025, institution_id=OBJECTED, received_on=date(2026, 2, 24), filer_kind="institution",
                    filer_name="山西泽安生态环境技术有限公司", claim="对扣分事项有异议，申请复核", evidence=(proof,))
    filing = Filing(folder / "var" / "evidence", folder / "var" / "letters")
    with Store.open(db).unit_of_work() as uow:
        assert add_objection(uow, rules, AddInput(intake, actor("objection"), filing)).admissible


@pytest.fixture(params=DATABASES)
def cycle(request, tmp_path) -> Iterator[Cycle]:
    from store.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else \
                postgres_schema() as url:
            try:
                evaluated(url, tmp_path / "var")
                objected(url, tmp_path)
                made = Cycle(url, tmp_path)
                made.advance(date(2026, 3, 2))
                assert made.shares() == 1 and made.package.is_dir() and made.kept.is_file()
                yield made
            finally:
                Store.close_all()
    get_settings.cache_clear()


def verify(cycle: Cycle, *args: str):
    return CliRunner().invoke(app, ["verify", *args, "--db", cycle.db])


def test_item2_a_second_advance_the_same_day_with_a_result_under_review_shares_nothing_again(cycle):
    again = cycle.advance(date(2026, 3, 2))

    assert [s.written for s in again] == [[], [], [], [], []]
    assert cycle.shares() == 1 and not (cycle.folder / "outbox" / "2025-002").exists()


def test_item7_verify_passes_on_untouched_outputs_and_names_every_changed_missing_or_added_file(cycle):
    clean = verify(cycle, "--year", "2025")
    assert clean.exit_code == 0, clean.output
    assert "一致" in clean.output

    (cycle.package / "results.csv").write_bytes((cycle.package / "results.csv").read_bytes() + b"x\n")
    (cycle.folder / "web" / "2025" / "a_list.csv").unlink()
    (cycle.package / "extra.csv").write_text("id\n", encoding="utf-8")
    (cycle.folder / "pub" / "publicity.html").write_text("<p>改</p>", encoding="utf-8")

    found = verify(cycle)
    assert found.exit_code == 1
    lines = found.stdout.splitlines()
    assert any(line.startswith("被修改") and str(cycle.package / "results.csv") in line for line in lines)
    assert any(line.startswith("缺失") and str(cycle.folder / "web" / "2025" / "a_list.csv") in line for line in lines)
    assert any(line.startswith("多出") and str(cycle.package / "extra.csv") in line for line in lines)
    assert "核对未通过" in found.stderr


def test_item7_the_advance_refuses_to_build_on_a_changed_package(cycle):
    (cycle.package / "results.csv").write_bytes(b"institution_id\n")
    rules, kinds = rules_for_year(2025), VerifyInput(2025, ("package", "kept"))
    with Store.open(cycle.db).unit_of_work(write=False) as uow, pytest.raises(TamperedOutputError, match="results.csv"):
        require_untampered(uow, rules, kinds, "每日推进")


def test_item7_a_changed_kept_package_is_refused_and_never_makes_a_false_changes_csv(cycle):
    from tasks.serious import SeriousEventInput, serious_event

    kept = json.loads(cycle.kept.read_text(encoding="utf-8"))
    original = cycle.kept.read_bytes()
    row = next(r for r in kept["rows"] if r["institution_id"] != REVOKED and r["grade"] == "A")
    row["grade"], row["score"] = "C", "65.0"  # the edit: one grade changed in var/shares
    cycle.kept.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    event = SeriousEventInput(REVOKED, 4, date(2026, 4, 1), date(2026, 4, 3), "晋市环罚〔2026〕12号",
                              actor("clause 4"))
    with Store.open(cycle.db).unit_of_work() as uow:
        serious_event(uow, rules_for_year(2025), event)

    with pytest.raises(TamperedOutputError, match="2025-001.json"):
        cycle.advance(date(2026, 4, 7))
    assert cycle.shares() == 1 and not (cycle.folder / "outbox" / "2025-002").exists()

    cycle.kept.write_bytes(original)  # restored from the backup: the next package says only what changed
    cycle.advance(date(2026, 4, 7))
    changes = list(csv.DictReader(io.StringIO(
        (cycle.folder / "outbox" / "2025-002" / "changes.csv").read_text(encoding="utf-8-sig"))))
    assert [c["统一社会信用代码"] for c in changes] == [REVOKED]
    assert verify(cycle, "--year", "2025").exit_code == 0
