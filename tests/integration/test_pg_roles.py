"""Issue 11 item 8 on the real PostgreSQL: the application role cannot rewrite the audit log.

Two roles of their own per test (dropped afterwards): the owner migrates a fresh schema and grants
store.roles.application_grants; the application then does a normal write through the Store, and
everything that would remove or rewrite audit rows, or set its triggers aside, is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from store import make_engine, migrate
from store.roles import application_grants
from store.uow import Store
from tests.integration.conftest import evaluation_inputs
from tests.support.databases import PG_URL, postgres_schema

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Roles:
    owner_url: str
    app_url: str
    schema: str


def _as(url: str, user: str) -> str:
    return make_url(url).set(username=user).render_as_string(hide_password=False)


@pytest.fixture
def roles() -> Iterator[Roles]:
    """A fresh schema owned by a new owner role, migrated by it, and a new application role granted on it."""
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"credit_owner_{suffix}", f"credit_app_{suffix}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        connection.execute(text(f'CREATE ROLE "{app}" LOGIN'))
    try:
        with postgres_schema() as url:  # drops the schema, and all in it, afterwards
            schema = make_url(url).query["options"].removeprefix("-csearch_path=")
            with admin.begin() as connection:
                connection.execute(text(f'ALTER SCHEMA "{schema}" OWNER TO "{owner}"'))
            given = Roles(_as(url, owner), _as(url, app), schema)
            try:
                _migrate_and_grant(given, app)
                yield given
            finally:
                Store.close(given.app_url)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{owner}", "{app}"'))
            connection.execute(text(f'DROP ROLE "{app}"'))
            connection.execute(text(f'DROP ROLE "{owner}"'))
        admin.dispose()


def _migrate_and_grant(roles: Roles, app: str) -> None:
    """`credit migrate` as the owner, then the grants of deploy/README.md "数据库角色"."""
    owner_engine = make_engine(roles.owner_url)
    try:
        migrate(owner_engine)
        with owner_engine.begin() as connection:
            for statement in application_grants(app, roles.schema):
                connection.execute(text(statement))
    finally:
        owner_engine.dispose()


REFUSED = [
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    "DELETE FROM audit_log",
    "UPDATE audit_log SET why = 'rewritten'",
    "TRUNCATE audit_log",
    "DROP TRIGGER audit_log_no_change ON audit_log",
    "SET session_replication_role = replica",
    "ALTER TABLE audit_log OWNER TO CURRENT_USER",
]


def test_the_application_role_writes_normally_but_cannot_rewrite_the_audit_log(roles: Roles) -> None:
    store = Store.open(roles.app_url)
    with store.unit_of_work() as uow:
        report = uow.evaluations.save_evaluation(**evaluation_inputs())
    assert report.new == 3
    with store.unit_of_work(write=False) as uow:
        check = uow.audit.verify_chain()
        assert (check.ok, check.rows) == (True, report.audit)

    engine = store.engine
    with engine.connect() as connection:
        assert connection.execute(text("select current_user")).scalar_one() == make_url(roles.app_url).username
        connection.rollback()
        for statement in REFUSED:
            with pytest.raises(DBAPIError, match="must be owner|permission denied"), connection.begin():
                connection.execute(text(statement))
        kept = connection.execute(text("select count(*) from audit_log")).scalar_one()
    assert kept == report.audit


def test_the_owner_can_still_set_the_triggers_aside_and_the_chain_then_shows_it(roles: Roles) -> None:
    """What the roles do not stop (the owner), the hash chain reports."""
    store = Store.open(roles.app_url)
    with store.unit_of_work() as uow:
        uow.evaluations.save_evaluation(**evaluation_inputs())
    owner = make_engine(roles.owner_url)
    with owner.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        connection.execute(text("DELETE FROM audit_log WHERE id = 2"))
    owner.dispose()
    with store.unit_of_work(write=False) as uow:
        check = uow.audit.verify_chain()
    assert (check.ok, check.bad_row, check.problem[:9]) == (False, 2, "缺少行（编号 2）")
