"""Small vectorised helpers over DataFrame columns shared by the detectors.

Activities can number millions: the detectors never turn a whole text column into Python objects.
Text is factorised into integer codes against a small vocabulary, and (key, day) questions are
answered by binary search over sorted spans.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "D")


def days(column: pd.Series) -> np.ndarray:
    """A date column as numpy datetime64[D] (NaT where empty)."""
    return np.asarray(column.to_numpy(dtype="datetime64[s]", na_value=np.datetime64("NaT", "s"))).astype("datetime64[D]")


def day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def texts(column: pd.Series) -> np.ndarray:
    """A (small) text column as an object array with None where empty."""
    return np.asarray(column.astype(object).where(column.notna(), None).to_numpy(dtype=object))


def equals(column: pd.Series, value: str) -> np.ndarray:
    """Elementwise `column == value` as a numpy bool array (empty cells are False)."""
    return np.asarray((column == value).to_numpy(dtype=bool, na_value=False))


def distinct(values: pd.Series) -> tuple[np.ndarray, Any]:
    """(codes, distinct values) as `pd.factorize` gives them, -1 for an empty cell, for checks made once per value.

    A categorical column already has both: its codes and categories are used as they are (no hashing of
    millions of codes), unused categories being checked too, harmlessly.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), uniques


def encode(column: pd.Series, vocabulary: pd.Index, at: np.ndarray | None = None) -> np.ndarray:
    """Integer codes of the values in `vocabulary` (-1 for empty cells and values not in it).

    With `at`, the codes of the cells at those positions only: the whole column is factorised (cheap
    for Arrow text) and its codes taken, which costs less than taking millions of strings first.
    """
    codes, uniques = distinct(column)
    if at is not None:
        codes = codes[at]
    lookup = np.append(np.asarray(vocabulary.get_indexer(pd.Index(uniques, dtype=object))), -1)
    return np.asarray(lookup[codes], dtype=np.int64)


def member(column: pd.Series, values: pd.Index) -> np.ndarray:
    """Elementwise `column.isin(values)` for distinct `values` (empty cells are False).

    Arrow text's own isin turns every value into a Python scalar on each call; codes against the
    values' index do not.
    """
    return encode(column, values) >= 0


def explode_lists(
    values: pd.Series, vocabulary: pd.Index, at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(row position, item code) for every non-empty, trimmed item of `;`-separated cells.

    Cells repeat a lot (the same parameter lists, the same equipment), so each distinct cell is
    split once and spread back to the rows by index arithmetic. Items not in `vocabulary` get -1.
    With `at`, only the cells at those positions, and row positions count within `at`.
    """
    codes, uniques = distinct(values)
    if at is not None:
        codes = codes[at]
    parsed = [[p.strip() for p in str(u).split(";") if p.strip()] for u in uniques]
    lengths = np.array([len(p) for p in parsed] + [0], dtype=np.int64)  # slot -1 = empty cell
    starts = np.concatenate([[0], np.cumsum(lengths[:-1])])
    flat_items = [item for p in parsed for item in p]
    flat = np.append(vocabulary.get_indexer(pd.Index(flat_items, dtype=object)), -1).astype(np.int64)
    row_lengths = lengths[codes]
    rows = np.repeat(np.arange(len(codes)), row_lengths)
    # Output k is flat[starts[cell] + k - (first output of its row)]: one shift per row, spread over its items.
    shift = np.repeat(starts[codes] - (np.cumsum(row_lengths) - row_lengths), row_lengths)
    items = flat[np.arange(len(rows)) + shift] if len(rows) else np.array([], dtype=np.int64)
    return rows, items


def list_items(values: pd.Series) -> pd.Index:
    """Every distinct trimmed item of `;`-separated cells."""
    items = {p.strip() for u in pd.unique(values.dropna()) for p in str(u).split(";") if p.strip()}
    return pd.Index(sorted(items), dtype=object)


_OPEN = 1 << 22  # day offset: real days (±11,000 years around 1970) sit strictly inside (0, 2 * _OPEN)
_SLOT = 2 * _OPEN  # width of one key's range of days


def held_on(keys: np.ndarray, on: np.ndarray, span_keys: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per probe: some span with the same key covers the day (NaT bounds are open; bounds inclusive).

    Each (key, day) is one int64, key * _SLOT + day, with an open lower bound at the key's first
    value and an open upper bound at its last. Spans sorted by lower bound carry the running maximum
    of their upper bounds: a probe is held when the last span starting on or before it reaches it.
    A probe with no day is held only by a span open at both ends.
    """
    keys, span_keys = np.asarray(keys, dtype=np.int64), np.asarray(span_keys, dtype=np.int64)
    on, lo, hi = (np.asarray(a).astype("datetime64[D]", copy=False) for a in (on, lo, hi))
    found = np.zeros(len(keys), dtype=bool)
    if not len(keys) or not len(span_keys):
        return found
    base = min(int(keys.min()), int(span_keys.min()))
    span_slot, probe_slot = (span_keys - base) * _SLOT, (keys - base) * _SLOT
    start = span_slot + _day_numbers(lo, open_at=0)
    end = span_slot + _day_numbers(hi, open_at=_SLOT - 1)
    order = np.argsort(start, kind="stable")
    start, reach = start[order], np.maximum.accumulate(end[order])
    dated = ~np.isnat(on)
    if dated.all():  # the usual case: no masked copies of millions of probes
        return _held_dated(start, reach, probe_slot + _day_numbers(on, open_at=0))
    found[dated] = _held_dated(start, reach, probe_slot[dated] + _day_numbers(on[dated], open_at=0))
    open_keys = span_keys[np.isnat(lo) & np.isnat(hi)]
    found[~dated] = np.isin(keys[~dated], open_keys)
    return found


def _held_dated(start: np.ndarray, reach: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """Per dated probe: the last span starting on or before it reaches it (see held_on)."""
    last = np.searchsorted(start, probe, side="right")
    last -= 1  # in place: millions of probes, each temporary is tens of MB
    held = last >= 0
    np.maximum(last, 0, out=last)
    held &= reach[last] >= probe
    return held


def _day_numbers(values: np.ndarray, open_at: int) -> np.ndarray:
    """Days since 1970 shifted into (0, _SLOT - 1); an empty day (NaT) is `open_at`."""
    empty = np.isnat(values)
    numbers = values.view(np.int64) + _OPEN
    if empty.any():
        numbers = np.where(empty, open_at, numbers)
        real = numbers[~empty]
    else:
        real = numbers
    if len(real) and (real.min() <= 0 or real.max() >= _SLOT - 1):
        raise ValueError("a date lies outside the range held_on can compare")
    return numbers


def iso(values: np.ndarray) -> np.ndarray:
    """ISO date strings of datetime64[D] values."""
    return np.datetime_as_string(values.astype("datetime64[D]"), unit="D")
