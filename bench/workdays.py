"""Benchmark of the vectorised working-day count: 5 million dates (credit.calendar.add_working_days_many).

    python bench/workdays.py            # prints the seconds; exit 1 when over the budget

The budget is the one the deadline detectors rely on at the national scale (one call per indicator over
every activity row): well under a second for 5 million dates. `bench/run.py` runs it before the scales.
(Not named calendar.py: a script's folder comes first on sys.path, so that name would hide the standard
library's calendar module.)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATES = 5_000_000
BUDGET_SECONDS = 1.0


def time_add_working_days_many(n: int = DATES, working_days: int = 15) -> float:
    """Seconds to add `working_days` to `n` random dates of 2019–2025 (one in a thousand NaT), after a warm-up."""
    sys.path.insert(0, str(ROOT))
    from credit.calendar import WorkCalendar

    calendar = WorkCalendar.load()
    rng = np.random.default_rng(0)
    starts = np.datetime64("2019-01-01") + rng.integers(0, 365 * 7, n).astype("timedelta64[D]")
    starts[::1000] = np.datetime64("NaT")
    calendar.add_working_days_many(starts[:10], working_days)  # warm-up: the year tables are built once
    began = time.perf_counter()
    ends = calendar.add_working_days_many(starts, working_days)
    seconds = time.perf_counter() - began
    if int(np.isnat(ends).sum()) != len(range(0, n, 1000)):
        raise AssertionError("add_working_days_many lost or added NaT")
    return seconds


def main() -> int:
    seconds = time_add_working_days_many()
    verdict = "ok" if seconds < BUDGET_SECONDS else f"over the {BUDGET_SECONDS:g} s budget"
    print(f"calendar: add_working_days_many on {DATES:,} dates: {seconds:.3f} s ({verdict})")
    return 0 if seconds < BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
