"""`credit cycle status` on a real store (SQLite and PostgreSQL), without Prefect: the worked example publicised
from 2026-02-02 (to 02-28), determined on 03-01 with publish-by 03-10 by an advance that did not publish.

On 03-13 the report is printed once, in Chinese, and lists the missed 第二十条 publication deadline of its
15 results as overdue, in one row: the deadline, that it is not done, and 3 working days late (Mar 11–13).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.uow import Store
from tests.support.databases import postgres_schema
from tests.support.paths import EXAMPLE_DROP

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TITLE = "2025年度信用风险评价"


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


def determined_not_published(db: str, tmp_path: Path) -> None:
    from tasks.lifecycle import AdvanceInput, PublicizeInput, close_windows, determine, publicize

    rules = rules_for_year(2025)
    with Store.open(db).unit_of_work() as uow:
        publicize(uow, rules, PublicizeInput(2025, date(2026, 2, 2), tmp_path / "pub", actor("publicity")))
    given = AdvanceInput(2025, date(2026, 3, 2), actor("advance"), tmp_path / "web", tmp_path / "outbox",
                         tmp_path / "shares")
    with Store.open(db).unit_of_work() as uow:
        close_windows(uow, rules, given)
        determine(uow, rules, given)


@pytest.fixture(scope="module", params=DATABASES)
def db(request, tmp_path_factory) -> Iterator[str]:
    from store.settings import get_settings

    tmp_path = tmp_path_factory.mktemp("status")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else \
                postgres_schema() as url:
            try:
                evaluated(url, tmp_path / "var")
                determined_not_published(url, tmp_path)
                yield url
            finally:
                Store.close_all()
    get_settings.cache_clear()


def credit(db: str, *args: str):
    result = CliRunner().invoke(app, [*args, "--db", db])
    assert result.exit_code == 0, result.output
    return result


def test_R17_cycle_status_prints_its_report_once_and_lists_a_missed_publication_deadline_as_overdue(db):
    shown = credit(db, "cycle", "status", "--year", "2025", "--as-of", "2026-03-13").stdout

    assert shown.count(TITLE) == 1 and shown.count("已逾期") == 1
    assert "公布期限（第二十条）" in shown and "2026-03-10" in shown and "尚未完成" in shown
    assert "已确定" in shown and "determined" not in shown
    flat = re.sub(r"[│\s]", "", shown)  # the institutions' column folds long names onto a second line
    assert "晋城市诚泰环境科学研究所（121405241225528314）" in flat  # names beside ids
    assert "│ 15   │" in shown and "等15家" in shown  # the 15 rows of one deadline: one row, counted

    report = json.loads(credit(db, "cycle", "status", "--year", "2025", "--as-of", "2026-03-13", "--json").stdout)
    late = {(o["what"], o["kind"], o["date"], o["done_on"], o["days_late"]) for o in report["overdue"]}
    assert late == {("publish by", "publication", "2026-03-10", None, 3)}
    assert len(report["overdue"]) == len(report["results"]) == 15
    assert all(r["name"] for r in report["results"])


def test_R01_cycle_status_county_keeps_that_county_s_rows(db):
    report = json.loads(credit(db, "cycle", "status", "--year", "2025", "--as-of", "2026-03-13", "--json").stdout)
    county = report["results"][0]["county"]
    mine = {r["institution_id"] for r in report["results"] if r["county"] == county}

    only = json.loads(credit(db, "cycle", "status", "--year", "2025", "--as-of", "2026-03-13", "--json",
                             "--county", county).stdout)

    assert 0 < len(mine) < 15 and {r["institution_id"] for r in only["results"]} == mine
    assert {o["institution_id"] for o in only["overdue"]} == mine and only["county"] == county
    assert county in credit(db, "cycle", "status", "--year", "2025", "--as-of", "2026-03-13",
                            "--county", county).stdout
