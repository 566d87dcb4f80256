"""The vectorised core agrees with the rule written row by row (held_on spans, walk_caps caps; issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.frames import NAT, held_on
from credit.indexsystem import load_index_system
from credit.scoring import walk_caps


def held_row_by_row(keys, on, span_keys, lo, hi) -> list[bool]:
    """Some span with the same key covers the day: empty bounds are open, bounds inclusive."""
    def covers(k, d, sk, a, b) -> bool:
        return bool(sk == k and (np.isnat(a) or (not np.isnat(d) and a <= d))
                    and (np.isnat(b) or (not np.isnat(d) and b >= d)))
    return [any(covers(k, d, *span) for span in zip(span_keys, lo, hi, strict=True))
            for k, d in zip(keys, on, strict=True)]


def random_days(rng: np.random.Generator, n: int) -> np.ndarray:
    values = np.datetime64("2025-01-01", "D") + rng.integers(-30, 400, n)
    values[rng.random(n) < 0.15] = NAT
    return values


def test_a_probe_is_held_exactly_when_a_span_of_its_key_covers_its_day_empty_bounds_open():
    rng = np.random.default_rng(14)
    for _ in range(30):
        spans, probes = int(rng.integers(0, 12)), int(rng.integers(0, 40))
        span_keys, keys = rng.integers(-1, 4, spans), rng.integers(-1, 5, probes)  # -1 matches -1, as before
        lo, hi, on = random_days(rng, spans), random_days(rng, spans), random_days(rng, probes)
        assert held_on(keys, on, span_keys, lo, hi).tolist() == held_row_by_row(keys, on, span_keys, lo, hi)


def test_a_span_bound_is_inclusive_on_both_days():
    day = np.datetime64("2025-03-01", "D")
    on = np.array([day - 1, day, day + 9, day + 10], dtype="datetime64[D]")
    held = held_on(np.zeros(4, dtype=np.int64), on, np.array([0]), np.array([day]), np.array([day + 9]))
    assert held.tolist() == [False, True, True, False]


def capped_row_by_row(frame: pd.DataFrame, index) -> list[int]:
    """INDEX_SYSTEM.md: walk the rows in order, each takes min(points, indicator room, dimension room)."""
    left: dict[tuple[str, str], int] = {}
    out = []
    for inst, dim, code, points in zip(frame["institution_id"], frame["dimension"], frame["indicator"],
                                       frame["raw"], strict=True):
        ind_left = left.get((inst, code), index.indicators[code].cap)
        dim_left = left.get((inst, dim), next(d.cap for d in index.dimensions if d.code == dim))
        take = min(int(points), ind_left, dim_left)
        left[(inst, code)], left[(inst, dim)] = ind_left - take, dim_left - take
        out.append(take)
    return out


def test_caps_walked_at_once_take_what_the_row_by_row_walk_takes():
    index = load_index_system("jc-2024.1")
    codes = list(index.indicators)
    rng = np.random.default_rng(2025)
    rows = 3000
    raw = pd.DataFrame({
        "institution_id": rng.choice(["9114A", "9114B", "9114C"], rows).astype(object),
        "indicator": rng.choice(codes, rows).astype(object),
        "date": np.datetime64("2025-01-01", "D") + rng.integers(0, 365, rows),
        "evidence": [f"A{i:06d}" for i in range(rows)],
        "raw": rng.integers(1, 200, rows).astype(np.int64),
    })
    counted = walk_caps(raw, index)
    assert counted["points"].tolist() == capped_row_by_row(counted, index)
