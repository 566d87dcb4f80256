"""`credit advance` on tampered outputs and a tampered audit log (issue 11 items 7, 8 and 9, acceptance point
3), through the console command, on both databases.

A package file edited after it was shared: the advance refuses (exit code 1, naming the file) and moves
nothing. The site edited or half gone: the next advance rebuilds it even though nothing was published. An
audit row deleted by the tables' owner (its append-only triggers set aside, as tests/integration/
test_audit_chain.py does; the application role cannot: tests/integration/test_pg_roles.py): `credit audit
verify` names the missing row and the advance refuses, sharing nothing more.
"""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from cli.main import app
from flows.annual_evaluation import annual_evaluation
from store.engine import make_engine
from tests.integration.test_audit_chain import tamper
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]


def credit(*args: str):
    return CliRunner().invoke(app, list(args))


def test_item7_item8_item9_advance_refuses_a_tampered_package_or_audit_log_and_rebuilds_a_tampered_site(db_url, tmp_path, var_dir):
    annual_evaluation(drop=str(EXAMPLE_DROP), year=2025, out=str(tmp_path / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")
    site, outbox = tmp_path / "site", tmp_path / "outbox"
    advance = ("advance", "--published", str(tmp_path / "web"), "--outbox", str(outbox), "--site", str(site),
               "--db", db_url, "--by", "test")
    assert credit("publicize", "--year", "2025", "--on", "2026-02-02", "--out", str(tmp_path / "pub"), "--db",
                  db_url, "--by", "test").exit_code == 0
    assert credit(*advance, "--as-of", "2026-03-02").exit_code == 0
    results = outbox / "2025-001" / "results.csv"
    shared = results.read_bytes()

    results.write_bytes(shared.replace(b"A", b"D", 1))
    refused = credit(*advance, "--as-of", "2026-03-03")
    assert refused.exit_code == 1
    assert f"被修改：{results.resolve()}" in refused.stderr and "每日推进未进行" in refused.stderr
    assert credit("verify", "--year", "2025", "--db", db_url).exit_code == 1

    results.write_bytes(shared)
    index = (site / "index.html").read_bytes()
    (site / "index.html").write_text("<p>改</p>", encoding="utf-8")
    (site / "data" / "manifest.json").unlink()
    rebuilt = credit(*advance, "--as-of", "2026-03-02")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "没有需要推进的评价结果" in rebuilt.stdout and f"已重建网站：{site}" in rebuilt.stdout
    assert (site / "index.html").read_bytes() == index and (site / "data" / "manifest.json").is_file()
    assert credit("verify", "--db", db_url).exit_code == 0

    one_row = 3  # a row in the middle of the chain: the rows after it still link to the one before it
    engine = make_engine(db_url)
    try:
        tamper(engine, f"delete from audit_log where id = {one_row}")
    finally:
        engine.dispose()
    checked = credit("audit", "verify", "--db", db_url)
    assert checked.exit_code == 1 and "审计日志校验未通过" in checked.stderr, checked.output
    packages = sorted(path.name for path in outbox.iterdir())
    refused = credit(*advance, "--as-of", "2026-03-03")
    assert refused.exit_code == 1, refused.output
    assert "审计日志校验未通过" in refused.stderr and "本次不予继续" in refused.stderr
    assert sorted(path.name for path in outbox.iterdir()) == packages
