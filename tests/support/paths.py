"""Where the tests find the worked example (a copy of shared/examples, kept in the repository)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "fixtures" / "example-2025"
EXAMPLE_DROP = EXAMPLE / "drop"
EXAMPLE_EXPECTED = EXAMPLE / "expected"
