"""Issue 11 item 8: the audit log is a hash chain; editing, deleting or forging rows is reported.

Each test has a database of its own (blank_engine, migrated here), because tampering means setting the
append-only triggers aside as the tables' owner: on SQLite DROP TRIGGER, on PostgreSQL ALTER TABLE …
DISABLE TRIGGER (what the application role cannot do: tests/integration/test_pg_roles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from store import migrate
from store.audit import GENESIS, row_hash
from store.uow import Store
from tasks.integrity import AuditChainBroken, require_intact_audit
from tests.integration.conftest import evaluation_inputs

AT = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(blank_engine: Engine) -> Iterator[Store]:
    """A migrated store of its own, with the sample evaluation saved and 12 more lines: 16 rows in all."""
    migrate(blank_engine)
    url = blank_engine.url.render_as_string(hide_password=False)
    store = Store.open(url)
    with store.unit_of_work() as uow:
        uow.evaluations.save_evaluation(**evaluation_inputs())
    for n in range(12):
        with store.unit_of_work() as uow:  # one writer after the other, as the commands write
            uow.audit.append("inspector", f"I{n}", "created", "roster", "wang.fang", AT, None, {"unit": "监测站", "n": n})
    yield store
    Store.close(url)


def tamper(engine: Engine, *statements: str) -> None:
    """Run `statements` on audit_log as its owner, its append-only triggers set aside."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        for statement in statements:
            connection.execute(text(statement))


def check(store: Store):
    with store.unit_of_work(write=False) as uow:
        return uow.audit.verify_chain()


def hash_of(engine: Engine, row_id: int) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text(f"select row_hash from audit_log where id = {row_id}")).scalar_one())


def test_an_intact_chain_verifies_and_every_first_version_has_its_row(store: Store) -> None:
    result = check(store)
    assert (result.ok, result.rows, result.bad_row, result.problem) == (True, 16, None, "")
    with store.unit_of_work(write=False) as uow:
        require_intact_audit(uow)  # raises nothing
        entries = uow.audit.entries()
        firsts = [e for e in entries if e.entity == "result"]
    assert [e.id for e in entries] == list(range(1, 17))  # dense ids
    assert len(firsts) == 3 and all(e.before is None and e.after and e.after["version"] == 1 for e in firsts)


def test_the_chain_links_each_row_to_the_one_before(store: Store, blank_engine: Engine) -> None:
    with blank_engine.connect() as connection:
        rows = connection.execute(text("select id, prev_hash, row_hash from audit_log order by id")).all()
    assert rows[0].prev_hash == GENESIS
    assert all(row.prev_hash == before.row_hash for before, row in zip(rows, rows[1:], strict=False))
    assert len({row.row_hash for row in rows}) == 16


def test_an_edited_row_is_reported_with_its_id(store: Store, blank_engine: Engine) -> None:
    tamper(blank_engine, "UPDATE audit_log SET why = 'nothing happened' WHERE id = 5")
    result = check(store)
    assert (result.ok, result.bad_row, result.rows) == (False, 5, 4)
    assert "编号 5 的行内容被改动" in result.problem
    with store.unit_of_work(write=False) as uow, pytest.raises(AuditChainBroken, match="审计日志校验未通过.*编号 5"):
        require_intact_audit(uow)


def test_an_edited_row_whose_hash_was_recomputed_breaks_the_link_of_the_next(store: Store, blank_engine: Engine) -> None:
    with store.unit_of_work(write=False) as uow:
        [line] = [e for e in uow.audit.entries() if e.id == 7]
    forged = {**line.__dict__, "by": "someone.else", "prev_hash": hash_of(blank_engine, 6)}
    tamper(blank_engine, f"UPDATE audit_log SET by = 'someone.else', row_hash = '{row_hash(forged)}' WHERE id = 7")
    result = check(store)
    assert (result.ok, result.bad_row) == (False, 8)
    assert result.problem.startswith("链断开：编号 8 的行")


def test_rows_3_to_10_deleted_are_reported_missing(store: Store, blank_engine: Engine) -> None:
    tamper(blank_engine, "DELETE FROM audit_log WHERE id BETWEEN 3 AND 10")
    result = check(store)
    assert (result.ok, result.bad_row, result.rows) == (False, 3, 2)
    assert result.problem.startswith("缺少行（编号 3–10）")


def test_a_forged_row_with_any_time_and_author_is_reported(store: Store, blank_engine: Engine) -> None:
    last = hash_of(blank_engine, 16)
    tamper(blank_engine,
           "INSERT INTO audit_log (id, at, by, entity, entity_id, action, why, before, after, prev_hash, row_hash) "
           f"VALUES (17, '2026-01-02 03:04:05', 'director', 'cycle', '2025', 'created', 'backdated', NULL, NULL, "
           f"'{last}', '{'f' * 64}')")
    result = check(store)
    assert (result.ok, result.bad_row, result.rows) == (False, 17, 16)
    assert "编号 17 的行内容被改动（或为伪造插入的行）" in result.problem


def test_sqlite_reports_rows_deleted_at_the_end_even_after_new_rows(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'credit.db'}"
    store = Store.open(url)
    try:
        for n in range(10):
            with store.unit_of_work() as uow:
                uow.audit.append("inspector", f"I{n}", "created", "roster", "wang.fang", AT, None, None)
        tamper(store.engine, "DELETE FROM audit_log WHERE id > 7")
        assert (check(store).bad_row, check(store).problem[:12]) == (8, "缺少行（编号 8–10）")
        with store.unit_of_work() as uow:  # the next line is numbered after the highest id ever issued
            uow.audit.append("inspector", "I10", "created", "roster", "wang.fang", AT, None, None)
        result = check(store)
        assert (result.ok, result.bad_row, result.problem[:12]) == (False, 8, "缺少行（编号 8–10）")
    finally:
        Store.close(url)


def test_audit_verify_exits_0_when_intact_and_1_naming_the_row_when_broken(store: Store, blank_engine: Engine) -> None:
    from cli.main import app

    url = blank_engine.url.render_as_string(hide_password=False)
    intact = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert (intact.exit_code, intact.output.strip()) == (0, "审计日志完好：共核对 16 行，哈希链无断开、无缺行")
    tamper(blank_engine, "DELETE FROM audit_log WHERE id BETWEEN 3 AND 10")
    broken = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert broken.exit_code == 1
    assert "缺少行（编号 3–10）" in broken.output and "第一处问题在编号 3 的行；其前 2 行完好" in broken.output
    listed = CliRunner().invoke(app, ["audit", "--db", url, "--json"])  # `credit audit` itself still lists
    assert listed.exit_code == 0 and '"entity": "inspector"' in listed.output


def test_rows_written_before_the_chain_are_chained_by_the_migration(blank_engine: Engine) -> None:
    """An existing store upgrades: its rows get their hashes in id order; a gap PostgreSQL left stays sealed."""
    migrate(blank_engine, "0004")
    ids = (1, 2, 4) if blank_engine.dialect.name == "postgresql" else (1, 2, 3)  # a rolled-back write skips 3 on PG
    with blank_engine.begin() as connection:
        for row_id in ids:
            connection.execute(
                text("INSERT INTO audit_log (id, at, by, entity, entity_id, action, why, before, after) "
                     "VALUES (:id, :at, 'li.na', 'cycle', '2025', 'created', '年度评价', NULL, :after)"),
                {"id": row_id, "at": AT, "after": '{"年": 2025, "a": [1, 2]}'})
    migrate(blank_engine)
    url = blank_engine.url.render_as_string(hide_password=False)
    store = Store.open(url)
    try:
        assert (check(store).ok, check(store).rows) == (True, 3)
        with store.unit_of_work() as uow:
            uow.audit.append("cycle", "2025", "updated", "年度评价", "li.na", AT, None, None)
            assert uow.audit.entries()[-1].id == ids[-1] + 1
        assert (check(store).ok, check(store).rows) == (True, 4)
    finally:
        Store.close(url)


def test_cycle_status_refuses_to_report_on_a_broken_chain(store: Store, blank_engine: Engine) -> None:
    from datetime import date

    from credit.rules import rules_for_year
    from tasks.status import StatusInput, cycle_status

    rules = rules_for_year(2025)
    tamper(blank_engine, "DELETE FROM audit_log WHERE id = 4")
    with store.unit_of_work(write=False) as uow, pytest.raises(AuditChainBroken, match="缺少行（编号 4）"):
        cycle_status(uow, rules, StatusInput(2025, date(2026, 1, 20)))
