"""STYLE.md's dependency rule: flows → tasks → core; the core imports nothing outward and reads no clock."""

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
