"""The sample drop evaluated into a store, its results moved through the lifecycle by hand, for the site tests.

`evaluate_sample_without_prefect` calls the plain functions behind the flow's tasks (no Prefect server);
the flow tests use flows.annual_evaluation instead. `set_lifecycle_by_hand` writes states and dates
straight onto store.models.Result rows: the lifecycle transitions are written elsewhere, and the site
must only depend on what the rows say.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from credit.rules import rules_for_year
from store.engine import make_engine, transaction
from store.models import Result
from store.uow import Store
from tasks.drop_io import read_drop, write_snapshot
from tasks.save import SaveInput, save_evaluation
from tasks.score import score_validated
from tasks.validate import validate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DROP = ROOT / "data" / "sample-drop"
YEAR = 2025
EVALUATED_AS_OF = date(2026, 1, 20)

PUBLICITY_ON = date(2026, 2, 2)
PUBLICITY_LAST_DAY = date(2026, 2, 28)  # add_working_days(2026-02-02, 15): the Spring Festival is off
DETERMINED_ON = date(2026, 3, 2)
PUBLISHED_ON = date(2026, 3, 4)
FUTURE_PUBLICITY_ON = date(2026, 6, 1)  # publicised after every build date of the tests
REVOKED_ON = date(2026, 4, 1)
REVOCATION_LAST_DAY = date(2026, 4, 23)  # add_working_days(2026-04-01, 15)
DURING_PUBLICITY = date(2026, 2, 10)  # build dates of the tests
AFTER_REVOCATION = date(2026, 4, 10)


@dataclass(frozen=True)
class Roles:
    """Which sample institution plays which part in the hand-made lifecycle."""

    revoked: str  # an A, published, then revoked under 第十七条(四) on REVOKED_ON
    scored_only: str  # never publicised: must never appear
    not_yet_publicised: str  # in_publicity from FUTURE_PUBLICITY_ON: must not appear before it
    under_review: str  # publicised with the others, an objection under review: in the 公示, not the results
    published: tuple[str, ...]  # shared on PUBLISHED_ON


def evaluate_sample_without_prefect(db_url: str, var_dir: Path) -> None:
    """pull → validate → score → save of the sample drop (2025, as of 2026-01-20), no Prefect, no outputs."""
    rules = rules_for_year(YEAR, index_version="jc-2024.1")
    drop = read_drop(SAMPLE_DROP)
    snapshot_path = write_snapshot(drop, var_dir)
    validated = validate(drop, rules, None)
    scored = score_validated(validated, rules, EVALUATED_AS_OF)
    given = SaveInput(as_of=EVALUATED_AS_OF, drop=drop, snapshot_path=snapshot_path, validated=validated,
                      scored=scored, by="test", at=datetime(2026, 1, 20, tzinfo=UTC))
    with Store.open(db_url).unit_of_work() as uow:
        save_evaluation(uow, rules, given)


@contextmanager
def evaluated_sample(backend: str, folder: Path) -> Iterator[str]:
    """A store of `backend` ("sqlite" or "postgres", a fresh schema) holding the evaluated sample drop, var/ in
    `folder`; every store of the process closed afterwards."""
    from tests.support.databases import postgres_schema

    with nullcontext(f"sqlite:///{folder / 'credit.db'}") if backend == "sqlite" else postgres_schema() as url:
        try:
            evaluate_sample_without_prefect(url, folder / "var")
            yield url
        finally:
            Store.close_all()


def set_lifecycle_by_hand(db_url: str) -> Roles:
    """Move the stored 2025 results through 公示, 确定, 公布, 共享 and one 第十七条 revocation, by direct row edits."""
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            results = list(session.scalars(
                select(Result).where(Result.is_current.is_(True)).order_by(Result.institution_id)))
            a_grades = [r for r in results if r.status == "rated" and r.grade == "A"]
            others = [r for r in results if r not in a_grades[:1]]
            revoked, scored_only, future, under_review = a_grades[0], others[0], others[1], others[2]
            published = [r for r in others[3:]]
            for r in [revoked, *published, under_review]:
                r.publicity_on, r.publicity_last_day = PUBLICITY_ON, PUBLICITY_LAST_DAY
            for r in [revoked, *published]:
                r.state, r.determined_on, r.published_on, r.shared_on = "shared", DETERMINED_ON, PUBLISHED_ON, PUBLISHED_ON
                r.publish_by = PUBLISHED_ON
            under_review.state = "under_review"
            future.state, future.publicity_on = "in_publicity", FUTURE_PUBLICITY_ON
            future.publicity_last_day = date(2026, 6, 22)
            # 第十七条(四), stored as tasks/serious.py does: the published A marked revoked, and a new
            # current version, D with its clause, in a change publicity from the verification date.
            revoked.is_current, revoked.state, revoked.revoked_on = False, "revoked", REVOKED_ON
            session.flush()
            session.add(Result(
                cycle_id=revoked.cycle_id, institution_id=revoked.institution_id, version=revoked.version + 1,
                is_current=True, status="rated", name=revoked.name, county=revoked.county, score=revoked.score,
                grade="D", clause=4, index_version=revoked.index_version, snapshot=revoked.snapshot,
                state="in_publicity", findings_digest=revoked.findings_digest,
                created_at=datetime(2026, 4, 1, tzinfo=UTC), publicity_on=REVOKED_ON,
                publicity_last_day=REVOCATION_LAST_DAY, change_reason="第十七条第4项：行政处罚决定书 晋市环罚〔2026〕12号",
            ))
            return Roles(revoked=revoked.institution_id, scored_only=scored_only.institution_id,
                         not_yet_publicised=future.institution_id, under_review=under_review.institution_id,
                         published=tuple(r.institution_id for r in published))
    finally:
        engine.dispose()


def personnel() -> tuple[set[str], set[str]]:
    """Names and person ids of the sample drop's personnel table: none may ever be published."""
    with (SAMPLE_DROP / "personnel.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {r["name"] for r in rows if r["name"]}, {r["person_id"] for r in rows if r["person_id"]}


def site_text(files: dict[str, bytes]) -> dict[str, str]:
    """Every generated file as text (all are UTF-8)."""
    return {path: data.decode("utf-8") for path, data in files.items()}
