"""Issue 11 item 5: objection ids are plain tokens, `objection import` is all or nothing, a decision always has
its 复核意见告知书, and new ids never collide with imported ones — on SQLite and PostgreSQL, via the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from credit.rules import rules_for_year
from store.engine import make_engine
from store.lifecycle import Actor
from store.models import Objection
from store.uow import Store
from tests.integration.test_records import evaluate
from tests.support.databases import postgres_schema
from tests.support.paths import EXAMPLE_DROP

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
OBJECTED = "91140581173546984A"
OTHER = "121405241225528314"
HEADER = "objection_id,institution_id,filer_kind,filer_name,received_on,has_evidence,claim\n"


def credit(db: str, *args: str):
    return CliRunner().invoke(app, [*args, "--db", db])


@pytest.fixture(scope="module", params=DATABASES)
def cycle(request, tmp_path_factory) -> Iterator[dict]:
    """The worked example evaluated and in publicity from 2026-02-02 to 02-28, once per database."""
    from store.settings import get_settings
    from tasks.lifecycle import PublicizeInput, publicize

    tmp_path = tmp_path_factory.mktemp("objection-import")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        with nullcontext(f"sqlite:///{tmp_path / 'credit.db'}") if request.param == "sqlite" else \
                postgres_schema() as db:
            try:
                evaluate(db, tmp_path / "var")
                with Store.open(db).unit_of_work() as uow:
                    publicize(uow, rules_for_year(2025),
                              PublicizeInput(2025, date(2026, 2, 2), tmp_path / "out", Actor("t", datetime.now(UTC), "t")))
                yield {"db": db, "tmp": tmp_path, "letters": tmp_path / "var" / "letters"}
            finally:
                Store.close_all()
    get_settings.cache_clear()


def objections_in(db: str) -> list[str]:
    engine = make_engine(db)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Objection.id).order_by(Objection.id)))
    finally:
        engine.dispose()


def drop_with(folder: Path, *rows: str) -> Path:
    """The worked example's drop with its objections.csv replaced by `rows`."""
    shutil.copytree(EXAMPLE_DROP, folder)
    (folder / "objections.csv").write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return folder


GOOD = f"OB202500002,{OBJECTED},institution,山西泽安生态环境技术有限公司,2026-02-24,true,对扣分事项有异议"


@pytest.mark.parametrize(("bad", "column"), [
    (f"../x,{OTHER},public,张三,2026-02-10,true,异议", "objection_id"),
    (f"a/b,{OTHER},public,张三,2026-02-10,true,异议", "objection_id"),
    (f"/abs/x,{OTHER},public,张三,2026-02-10,true,异议", "objection_id"),
    (f"OB202500009,{OTHER},public,张三,,true,异议", "received_on"),
    ("OB202500009,000000000000000000,public,张三,2026-02-10,true,异议", "institution_id"),
])
def test_a_bad_row_stores_nothing_of_the_file_and_names_file_row_and_column(cycle, bad, column):
    before = objections_in(cycle["db"])
    drop = drop_with(cycle["tmp"] / f"bad-{column}-{len(bad)}", GOOD, bad)
    result = credit(cycle["db"], "objection", "import", "--year", "2025", "--drop", str(drop))
    assert result.exit_code == 2, result.output
    assert "objections.csv 第3行" in result.output and column in result.output
    assert objections_in(cycle["db"]) == before


def test_a_fixed_file_imports_and_later_ids_follow_the_imported_ones(cycle):
    db = cycle["db"]
    drop = drop_with(cycle["tmp"] / "fixed", GOOD)
    first = credit(db, "objection", "import", "--year", "2025", "--drop", str(drop))
    assert first.exit_code == 0, first.output
    assert "OB202500002：已受理" in first.stdout
    again = credit(db, "objection", "import", "--year", "2025", "--drop", str(drop))  # once per id
    assert again.exit_code == 0, again.output
    added = credit(db, "objection", "add", "--year", "2025", "--institution", OTHER, "--received", "2026-02-10",
                   "--filer-kind", "public", "--filer-name", "张三", "--claim", "异议")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("OB202500003：")
    assert "OB202500002" in objections_in(db) and "OB202500003" in objections_in(db)


def test_decide_refuses_an_unsafe_id_and_reissues_a_lost_letter_without_deciding_twice(cycle):
    db = cycle["db"]
    unsafe = credit(db, "objection", "decide", "a/b", "--on", "2026-03-02", "--decision", "rejected",
                    "--reason", "不成立")
    assert unsafe.exit_code == 2 and "a/b" in unsafe.output
    proof = cycle["tmp"] / "proof.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    added = credit(db, "objection", "add", "--year", "2025", "--institution", OTHER, "--received", "2026-02-11",
                   "--filer-kind", "institution", "--filer-name", "某机构", "--claim", "异议", "--evidence", str(proof))
    objection_id = added.stdout.split("：")[0]
    decided = credit(db, "objection", "decide", objection_id, "--on", "2026-02-20", "--decision", "rejected",
                     "--reason", "异议不成立")
    assert decided.exit_code == 0, decided.output
    letter = cycle["letters"] / f"{objection_id}.html"
    assert "复核意见告知书" in letter.read_text(encoding="utf-8")
    letter.unlink()

    rerun = credit(db, "objection", "decide", objection_id, "--on", "2026-02-25", "--decision", "upheld",
                   "--reason", "另一个理由")
    assert rerun.exit_code == 0, rerun.output
    assert "已依记录重新写出" in rerun.output and str(letter) in rerun.stdout
    assert "异议不成立" in letter.read_text(encoding="utf-8")
    engine = make_engine(db)
    with engine.connect() as connection:
        assert connection.scalar(select(Objection.decision).where(Objection.id == objection_id)) == "rejected"
        assert connection.scalar(select(func.count()).select_from(Objection)) == len(objections_in(db))
    engine.dispose()
