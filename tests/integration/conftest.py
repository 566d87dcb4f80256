"""Databases for the integration tests: a SQLite file and a PostgreSQL schema of their own, migrated by the suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from store import make_engine, migrate
from tests.support.databases import postgres_schema

# PostgreSQL tests skip when the server is down, and fail instead under CI=true (tests/support/databases.py).
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def blank_database(kind: str, folder: Path) -> Iterator[Engine]:
    """An empty database: a fresh SQLite file, or a fresh PostgreSQL schema (t_<hex>) dropped afterwards."""
    with nullcontext(f"sqlite:///{folder / 'credit.db'}") if kind == "sqlite" else postgres_schema() as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database for this test session (per xdist worker), on SQLite and on PostgreSQL."""
    with blank_database(request.param, tmp_path_factory.mktemp("db")) as engine:
        migrate(engine)
        yield engine


@pytest.fixture(params=DATABASES)
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, unmigrated database for one test."""
    with blank_database(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, commits included (they release savepoints)."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


AT = datetime(2026, 1, 20, 9, 30, tzinfo=UTC)
SNAPSHOT = "sha256:" + "a" * 64
RATED_A = "91140100134455246H"
RATED_B = "91140100159619067H"
NOT_RATED = "91140525178441647K"


def _result(institution_id: str, name: str, score: str, grade: str, deductions: tuple[str, ...]) -> dict[str, Any]:
    basic, execution, management, integrity = deductions
    return {
        "institution_id": institution_id, "name": name, "county": "阳城县", "status": "rated", "score": score,
        "grade": grade, "clause": "", "deduction_basic": basic, "deduction_execution": execution,
        "deduction_management": management, "deduction_integrity": integrity, "bonus": "0.0",
        "index_version": "jc-2024.1",
    }


def sample_results() -> pd.DataFrame:
    """Three institutions as the scorer hands them over: an A, a B at 89.9 (R-13) and a not-rated one."""
    rows = [
        _result(RATED_A, "晋城达衡环境技术服务股份有限公司", "97.0", "A", ("0.0", "0.0", "3.0", "0.0")),
        _result(RATED_B, "山西衡博生态环境技术股份有限公司", "89.9", "B", ("5.0", "5.1", "0.0", "0.0")),
        {
            "institution_id": NOT_RATED, "name": "山西行嘉检测技术有限公司", "county": "沁水县", "status": "not_rated",
            "score": "", "grade": "", "clause": "", "deduction_basic": "", "deduction_execution": "",
            "deduction_management": "", "deduction_integrity": "", "bonus": "", "index_version": "jc-2024.1",
        },
    ]
    return pd.DataFrame(rows, dtype="string")


def sample_findings() -> pd.DataFrame:
    rows = [
        (RATED_A, "management", "GL-02", "2025-04-11", "3.0", "3.0", "EV20250000012"),
        (RATED_B, "basic", "JB-05", "2025-02-08", "3.0", "3.0", "EV20250000008"),
        (RATED_B, "basic", "JB-01", "2025-06-23", "2.0", "2.0", "change:legal_nature:2025-05-22"),
        (RATED_B, "execution", "YW-01", "2025-02-14", "0.5", "0.5", "A2025000000234"),
        (RATED_B, "execution", "YW-03", "2025-03-02", "5.0", "4.6", "A2025000000301"),
    ]
    columns = ["institution_id", "dimension", "indicator", "date", "raw_points", "points", "evidence"]
    return pd.DataFrame(rows, columns=columns, dtype="string")


def sample_registry() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "institution_id": [RATED_A, RATED_B],
            "name": ["晋城达衡环境技术服务股份有限公司", "山西衡博生态环境技术股份有限公司"],
            "county": ["阳城县", "阳城县"],
            "address": ["山西省晋城市阳城县凤城路12号", "山西省晋城市阳城县东关街3号"],
            "legal_nature": ["企业法人", "企业法人"],
            "registered_on": pd.to_datetime(["2022-03-01", "2023-07-15"]).astype("datetime64[s]"),
            "status": ["registered", "suspended"],
            "status_changed_on": [None, "2025-08-01"],
            "materials_missing": [None, "staff;equipment"],
        }
    )
    return frame.astype({"status_changed_on": "string", "materials_missing": "string"})


def sample_quarantine() -> pd.DataFrame:
    row = {"table": "activities", "file": "activities.csv", "row": 17, "column": "kind", "value": "survey",
           "reason": "kind outside the contract"}
    return pd.DataFrame([row])


def sample_warnings() -> pd.DataFrame:
    row = {"file": "activities.csv", "row": 9, "key": "A2025000000009", "column": "client_id",
           "reason": "wrong check character"}
    return pd.DataFrame([row])


def evaluation_inputs(**changes: Any) -> dict[str, Any]:
    """The keyword arguments of Repository.save_evaluation for the sample year 2025, with `changes` applied."""
    inputs: dict[str, Any] = {
        "year": 2025,
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "as_of": date(2026, 1, 20),
        "index_version": "jc-2024.1",
        "snapshot": SNAPSHOT,
        "origin": "data/sample-drop",
        "snapshot_path": "var/snapshots/" + "a" * 64,
        "row_counts": {"institutions": 2, "activities": 40},
        "registry": sample_registry(),
        "results": sample_results(),
        "findings": sample_findings(),
        "quarantine": sample_quarantine(),
        "warnings": sample_warnings(),
        "by": "zhang.wei",
        "at": AT,
    }
    return inputs | changes


@pytest.fixture
def inputs() -> Callable[..., dict[str, Any]]:
    """evaluation_inputs, for tests: inputs(snapshot=...) gives the sample with one thing changed."""
    return evaluation_inputs


class Sample:
    """The sample evaluation's pieces, for tests that change one of them."""

    RATED_A = RATED_A
    RATED_B = RATED_B
    NOT_RATED = NOT_RATED
    results = staticmethod(sample_results)
    findings = staticmethod(sample_findings)


@pytest.fixture
def sample() -> type[Sample]:
    return Sample
