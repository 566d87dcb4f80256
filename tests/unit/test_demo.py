"""`credit demo` works in a sandbox of its own (CLI.md) and deletes only a folder it wrote: no Prefect here.

The run itself is replaced by a stand-in that records what it was given; tests/flows/test_demo.py runs the
real flow once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.main
from cli.main import DEMO_MARKER, DEMO_SANDBOX, app
from store.settings import get_settings


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """An operator's configured store and var folder, which the demo must not use."""
    var = tmp_path / "configured-var"
    monkeypatch.setenv("CREDIT_VAR_DIR", str(var))
    monkeypatch.setenv("CREDIT_DB_URL", f"sqlite:///{tmp_path / 'configured.db'}")
    get_settings.cache_clear()
    yield var
    get_settings.cache_clear()


@pytest.fixture
def runs(monkeypatch):
    """The evaluation replaced: each call records its arguments and the settings in force, and writes a file."""
    seen: list[dict] = []

    def evaluate(drop, year, as_of, out, index_version, db, by):
        settings = get_settings()
        seen.append({"drop": drop, "year": year, "out": out, "index_version": index_version, "db": db, "by": by,
                     "var_dir": settings.var_dir, "db_url": settings.db_url})
        (out / f"run-{len(seen)}.txt").write_text("output", encoding="utf-8")
        prefect = settings.var_dir / "prefect"
        prefect.mkdir(parents=True, exist_ok=True)
        (prefect / "prefect.db").write_text(f"state {len(seen)}", encoding="utf-8")

    monkeypatch.setattr(cli.main, "_evaluate", evaluate)
    return seen


def test_the_demo_runs_on_its_own_sandbox_store_and_var_folder_whatever_is_configured(tmp_path, configured, runs):
    out = tmp_path / "demo"
    result = invoke("demo", "--out", str(out))
    assert result.exit_code == 0, result.output
    [run] = runs
    sandbox = out.resolve() / DEMO_SANDBOX
    assert run["db"] == f"sqlite:///{sandbox / 'credit.db'}" == run["db_url"]
    assert run["var_dir"] == (sandbox / "var").resolve()
    assert run["year"] == 2025 and run["index_version"] is None and run["by"] == "demo"
    assert (out / DEMO_MARKER).is_file() and (out / "run-1.txt").is_file()
    assert str(sandbox / "credit.db") in result.output and str(out.resolve() / "publicity.html") in result.output
    assert not configured.exists() and not (tmp_path / "configured.db").exists()
    # The configured settings are back once the demo is done.
    assert os.environ["CREDIT_VAR_DIR"] == str(configured) and get_settings().var_dir == configured.resolve()


def test_a_second_demo_empties_its_own_earlier_folder_and_keeps_prefects_state(tmp_path, configured, runs):
    out = tmp_path / "demo"
    assert invoke("demo", "--out", str(out)).exit_code == 0
    (out / "left-over.csv").write_text("old", encoding="utf-8")
    (out / DEMO_SANDBOX / "credit.db").write_text("old store", encoding="utf-8")
    result = invoke("demo", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([DEMO_MARKER, DEMO_SANDBOX, "run-2.txt"])
    assert not (out / DEMO_SANDBOX / "credit.db").exists()  # the stand-in writes no store: the old one is gone
    assert (out / DEMO_SANDBOX / "var" / "prefect" / "prefect.db").read_text(encoding="utf-8") == "state 2"


@pytest.mark.parametrize("foreign", ["notes.txt", ".hidden", "folder/inside.txt"])
def test_a_folder_holding_someone_elses_files_is_refused_with_exit_2_and_nothing_deleted(tmp_path, runs, foreign):
    out = tmp_path / "Desktop"
    (out / foreign).parent.mkdir(parents=True, exist_ok=True)
    (out / foreign).write_text("mine", encoding="utf-8")
    result = invoke("demo", "--out", str(out))
    assert result.exit_code == 2
    assert "--out" in result.stderr and "未删除任何内容" in result.stderr
    assert (out / foreign).read_text(encoding="utf-8") == "mine"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [foreign]
    assert runs == []


def test_an_empty_folder_is_used_and_a_file_as_out_is_refused(tmp_path, runs):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert invoke("demo", "--out", str(empty)).exit_code == 0
    assert (empty / DEMO_MARKER).is_file()
    a_file = tmp_path / "a-file"
    a_file.write_text("mine", encoding="utf-8")
    result = invoke("demo", "--out", str(a_file))
    assert result.exit_code == 2 and a_file.read_text(encoding="utf-8") == "mine"


def test_the_demo_has_no_db_option(tmp_path, runs):
    result = invoke("demo", "--out", str(tmp_path / "demo"), "--db", "sqlite:///elsewhere.db")
    assert result.exit_code == 2
    assert runs == [] and not (tmp_path / "demo").exists()


def test_cli_site_takes_its_helpers_from_cli_common_not_from_cli_main():
    source = (Path(cli.main.__file__).parent / "site.py").read_text(encoding="utf-8")
    assert "from cli.main" not in source and "import cli.main" not in source
