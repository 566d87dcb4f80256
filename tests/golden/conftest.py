"""Fixtures of the golden tests; `UPDATE_GOLDEN=1` rewrites the expected files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.golden.publicity_sample import sample_context

EXPECTED = Path(__file__).resolve().parent / "expected"


@pytest.fixture
def ctx() -> dict:
    return sample_context()


@pytest.fixture
def golden():
    """Compare bytes with tests/golden/expected/<name>, or rewrite it when UPDATE_GOLDEN=1."""

    def check(name: str, actual: bytes) -> None:
        path = EXPECTED / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual)
        assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review the diff"
        assert actual == path.read_bytes(), f"{name} differs from {path}; UPDATE_GOLDEN=1 rewrites it"

    return check
