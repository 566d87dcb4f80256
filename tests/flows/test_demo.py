"""`credit demo` through the real flow: its own sandbox store, never the configured one (CLI.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from cli.main import DEMO_MARKER, DEMO_SANDBOX, app
from store.uow import Store
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def table_contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: what "unchanged" means for a store."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {name: sorted(map(tuple, connection.execute(text(f'select * from "{name}"'))), key=repr)
                    for name in inspect(connection).get_table_names()}
    finally:
        engine.dispose()


def test_the_demo_leaves_the_configured_store_as_it_was_and_writes_its_own(tmp_path, var_dir, monkeypatch):
    configured = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("CREDIT_DB_URL", configured)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))  # restored after the test, whatever the demo sets
    evaluated = invoke("evaluate", "--drop", str(EXAMPLE_DROP), "--year", "2025", "--as-of", "2026-01-20",
                       "--out", str(tmp_path / "out"), "--by", "tester")
    assert evaluated.exit_code == 0, evaluated.stderr
    before = table_contents(configured)
    assert before["results"] and before["audit_log"]
    var_before = sorted(p.relative_to(var_dir) for p in var_dir.rglob("*"))

    out = tmp_path / "demo"
    result = invoke("demo", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    Store.close_all()

    assert table_contents(configured) == before
    assert sorted(p.relative_to(var_dir) for p in var_dir.rglob("*")) == var_before  # nothing new in var/
    sandbox = out / DEMO_SANDBOX
    assert (out / DEMO_MARKER).is_file() and (out / "publicity.html").is_file()
    assert (sandbox / "var" / "snapshots").is_dir()
    demo_results = table_contents(f"sqlite:///{sandbox / 'credit.db'}")["results"]
    assert len(demo_results) == 30  # the bundled sample drop's 30 institutions
    assert str((sandbox / "credit.db").resolve()) in result.stdout
