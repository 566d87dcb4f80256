"""Half a site, and a tampered site (issue 11 items 7 and 9), on SQLite and PostgreSQL, without Prefect.

The sample drop's store with its lifecycle set by hand (tests/support/site_store.py). A build is killed
with SIGKILL by a real subprocess between two files (CREDIT_TEST_KILL_AFTER_FILES, read only by
tasks/outputs.py kill_point): the folder holds the previous site whole, or nothing, never part of one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from credit.rules import load_rules
from store.uow import Store
from tasks.outputs import KILL_AFTER_FILES
from tasks.site import build_site_folder, site_intact
from tests.support.site_store import AFTER_REVOCATION, evaluated_sample, set_lifecycle_by_hand

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ROOT = Path(__file__).resolve().parents[2]
BUILD = """
import sys
from datetime import date
from pathlib import Path
from credit.rules import load_rules
from store.uow import Store
from tasks.site import build_site_folder
day = date.fromisoformat(sys.argv[3])
build_site_folder(Path(sys.argv[1]), as_of=day, rules=load_rules(day), store=Store.open(sys.argv[2]))
"""


@pytest.fixture(params=DATABASES)
def db(request, tmp_path) -> Iterator[str]:
    with evaluated_sample(request.param, tmp_path) as url:
        set_lifecycle_by_hand(url)
        yield url


def build(db: str, out: Path):
    return build_site_folder(out, as_of=AFTER_REVOCATION, rules=load_rules(AFTER_REVOCATION), store=Store.open(db))


def killed_build(db: str, out: Path, after_files: int) -> subprocess.CompletedProcess:
    env = {**os.environ, KILL_AFTER_FILES: str(after_files)}
    return subprocess.run([sys.executable, "-c", BUILD, str(out), db, AFTER_REVOCATION.isoformat()], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_item9_a_first_build_killed_between_files_leaves_no_site_and_the_rerun_builds_it_whole(db, tmp_path):
    site = tmp_path / "site"

    run = killed_build(db, site, after_files=5)

    assert run.returncode == -signal.SIGKILL, run.stderr
    assert not site.exists()  # never 5 of its files without index.html, manifest.json and SHA256SUMS
    assert not site_intact(Store.open(db), site)
    build(db, site)
    assert (site / "index.html").is_file() and (site / "data" / "manifest.json").is_file()
    assert site_intact(Store.open(db), site)
    assert not list(tmp_path.glob("site.tmp-*"))  # the killed writer's staging folder is cleared by the rerun


def test_item9_a_rebuild_killed_between_files_leaves_the_previous_site_whole(db, tmp_path):
    site = tmp_path / "site"
    build(db, site)
    before = tree(site)
    (site / "index.html").write_text("<p>改</p>", encoding="utf-8")  # so that the rebuild has a file to write
    before["index.html"] = b"<p>\xe6\x94\xb9</p>"

    run = killed_build(db, site, after_files=1)

    assert run.returncode == -signal.SIGKILL, run.stderr
    assert tree(site) == before


def test_item7_a_tampered_site_is_reported_by_verify_and_rebuilt_saying_so(db, tmp_path):
    site = tmp_path / "site"
    build(db, site)
    assert CliRunner().invoke(app, ["verify", "--db", db]).exit_code == 0
    (site / "index.html").write_text("<p>改</p>", encoding="utf-8")
    (site / "data" / "SHA256SUMS").unlink()

    found = CliRunner().invoke(app, ["verify", "--db", db])
    assert found.exit_code == 1
    assert f"被修改：{site.resolve() / 'index.html'}" in found.stdout
    assert f"缺失：{site.resolve() / 'data' / 'SHA256SUMS'}" in found.stdout
    assert not site_intact(Store.open(db), site)

    rebuilt = build(db, site)
    assert sorted(rebuilt.repaired) == sorted([str(site.resolve() / "index.html"),
                                               str(site.resolve() / "data" / "SHA256SUMS")])
    assert site_intact(Store.open(db), site)
    assert CliRunner().invoke(app, ["verify", "--db", db]).exit_code == 0
