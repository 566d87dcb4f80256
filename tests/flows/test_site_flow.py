"""`site_build` flow and `credit site build` on the sample drop evaluated by the annual flow into SQLite,
its results moved through the lifecycle by hand (R-15, R-17, R-18, R-14, R-20)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.site import site_app
from flows.annual_evaluation import annual_evaluation
from flows.site_build import site_build
from tests.support.site_store import (
    AFTER_REVOCATION,
    DURING_PUBLICITY,
    EVALUATED_AS_OF,
    SAMPLE_DROP,
    YEAR,
    personnel,
    set_lifecycle_by_hand,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect")]


@pytest.fixture
def store(tmp_path, var_dir):
    """The sample drop through the annual flow into a fresh SQLite file, then the hand-made lifecycle."""
    db_url = f"sqlite:///{tmp_path / 'credit.db'}"
    annual_evaluation(drop=str(SAMPLE_DROP), year=YEAR, out=str(tmp_path / "out"), as_of=EVALUATED_AS_OF,
                      db_url=db_url, by="test")
    return db_url, set_lifecycle_by_hand(db_url)


def read_all(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()}


def test_R15_R17_the_flow_publishes_only_what_is_public_on_the_build_date(tmp_path, store):
    db_url, roles = store
    during = site_build(out=str(tmp_path / "during"), as_of=DURING_PUBLICITY, db_url=db_url)
    after = site_build(out=str(tmp_path / "after"), as_of=AFTER_REVOCATION, db_url=db_url)
    assert during["as_of"] == "2026-02-10" and "index.html" in during["files"]
    assert "cycles/2025/results.html" not in during["files"]  # published on 2026-03-04
    assert "cycles/2025/results.html" in after["files"]
    for folder in (tmp_path / "during", tmp_path / "after"):
        for path, content in read_all(folder).items():
            assert roles.scored_only not in content, path  # scored only: never
            assert roles.not_yet_publicised not in content, path  # publicised from 2026-06-01
    files = read_all(tmp_path / "during")
    assert all(code in files["cycles/2025/publicity-2026-02-02.html"] for code in roles.published)
    files = read_all(tmp_path / "after")
    results = files["cycles/2025/results.html"]
    assert all(code in results for code in roles.published)
    assert roles.under_review not in results and roles.under_review in files["cycles/2025/index.html"]
    assert f'data-institution-id="{roles.revoked}" data-revoked-grade="A"' in results
    assert roles.revoked not in files["cycles/2025/a-list.html"]
    assert 'data-first-day="2026-04-01" data-last-day="2026-04-23"' in files["cycles/2025/change-2026-04-01.html"]


def test_R17_open_data_checksums_verify_and_nothing_personal_is_published(tmp_path, store):
    db_url, _ = store
    site_build(out=str(tmp_path / "site"), as_of=AFTER_REVOCATION, db_url=db_url)
    data = tmp_path / "site" / "data"
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} >= {"2025/results.csv", "2025/results.json", "2025/a-list.csv"}
    for entry in manifest["files"]:
        assert hashlib.sha256((data / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    for line in (data / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((data / name).read_bytes()).hexdigest() == digest
    names, ids = personnel()
    for path, content in read_all(tmp_path / "site").items():
        assert not [n for n in names if n in content], path
        assert not [i for i in ids if i in content], path


def test_the_cli_builds_the_site_and_a_rebuild_gives_the_same_bytes(tmp_path, store):
    db_url, _ = store
    out = tmp_path / "site"
    args = ["build", "--out", str(out), "--as-of", "2026-04-10", "--db", db_url]
    first = CliRunner().invoke(site_app, args)
    assert first.exit_code == 0, first.output
    assert "网站（截至 2026-04-10）" in first.output
    before = {p: (out / p).read_bytes() for p in read_all(out)}
    assert CliRunner().invoke(site_app, args).exit_code == 0
    assert {p: (out / p).read_bytes() for p in read_all(out)} == before


def test_the_cli_refuses_a_bad_date_with_exit_code_2(tmp_path):
    result = CliRunner().invoke(site_app, ["build", "--out", str(tmp_path / "s"), "--as-of", "10.04.2026"])
    assert result.exit_code == 2
    assert "--as-of" in result.output
