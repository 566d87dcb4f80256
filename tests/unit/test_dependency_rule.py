"""STYLE.md's dependency rule: cli → flows → tasks → core; the core imports nothing outward and reads no clock.

Also (issue 9): every query lives in store/ (tasks/ imports no SQLAlchemy), the reports are pure, the console
modules import no sibling through cli.main, and no index-system version is written in Python outside tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted((ROOT / "credit").glob("*.py"))
OUTWARD = {"prefect", "sqlalchemy", "alembic", "great_expectations", "store", "tasks", "flows", "cli", "reports"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CORE, ids=[p.name for p in CORE])
def test_the_domain_core_imports_no_orchestration_database_or_validation_framework(path):
    assert imported_modules(path) & OUTWARD == set()


@pytest.mark.parametrize("path", CORE, ids=[p.name for p in CORE])
def test_the_domain_core_never_reads_the_clock(path):
    text = path.read_text(encoding="utf-8")
    for call in ("date.today(", "datetime.now(", "datetime.today(", "datetime.utcnow(", "time.time("):
        assert call not in text, f"{path.name} reads the clock with {call}"


def test_tasks_do_not_import_flows_or_the_console():
    for path in sorted((ROOT / "tasks").glob("*.py")):
        assert imported_modules(path) & {"flows", "cli"} == set(), path.name


def test_tasks_import_no_sqlalchemy_every_query_lives_in_the_store():
    # Even the management system's database as a drop source is read through store/drop_source.py.
    for path in sorted((ROOT / "tasks").glob("*.py")):
        assert "sqlalchemy" not in imported_modules(path), path.name


REPORTS = sorted((ROOT / "reports").glob("*.py"))


@pytest.mark.parametrize("path", REPORTS, ids=[p.name for p in REPORTS])
def test_reports_are_pure_render_functions(path):
    assert imported_modules(path) & (OUTWARD - {"reports"}) == set()


def test_the_console_modules_take_shared_helpers_from_cli_common_never_from_cli_main():
    for path in sorted((ROOT / "cli").glob("*.py")):
        assert "cli.main" not in _imported_paths(path), path.name


def test_no_index_system_version_is_written_in_python_outside_the_tests():
    # The version in force comes from rules/ (credit.rules.version_in_force); tests may name one.
    versions = [p.stem for p in (ROOT / "rules" / "index").glob("*.yaml")]
    for folder in ("credit", "store", "tasks", "flows", "cli", "reports", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for version in versions:
                assert f'"{version}"' not in text and f"'{version}'" not in text, f"{path.relative_to(ROOT)}"


def _imported_paths(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names
