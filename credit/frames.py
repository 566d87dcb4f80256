"""Small vectorised helpers over DataFrame columns shared by the detectors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "D")


def days(column: pd.Series) -> np.ndarray:
    """A date column as numpy datetime64[D] (NaT where empty)."""
    return column.to_numpy(dtype="datetime64[s]", na_value=np.datetime64("NaT", "s")).astype("datetime64[D]")


def day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def texts(column: pd.Series) -> np.ndarray:
    """A text column as an object array with None where empty."""
    return column.astype(object).where(column.notna(), None).to_numpy(dtype=object)


def explode_lists(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row position, item) for every non-empty, trimmed item of `;`-separated cells.

    Cells repeat a lot (the same parameter lists, the same equipment), so each distinct cell is
    split once and the result is spread back to the rows by index arithmetic.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [[p.strip() for p in str(u).split(";") if p.strip()] for u in uniques]
    lengths = np.array([len(p) for p in parsed] + [0], dtype=np.int64)  # slot -1 = empty cell
    starts = np.concatenate([[0], np.cumsum(lengths[:-1])])
    flat = np.array([item for p in parsed for item in p] + [None], dtype=object)
    row_lengths = lengths[codes]
    rows = np.repeat(np.arange(len(codes)), row_lengths)
    first_of_row = np.repeat(np.cumsum(row_lengths) - row_lengths, row_lengths)
    within = np.arange(len(rows)) - first_of_row
    items = flat[starts[codes][rows] + within] if len(rows) else np.array([], dtype=object)
    return rows, items


def iso(values: np.ndarray) -> np.ndarray:
    """ISO date strings of datetime64[D] values."""
    return np.datetime_as_string(values.astype("datetime64[D]"), unit="D")
