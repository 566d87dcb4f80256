"""Row checks of a drop that a GX suite asserts, and the typed reading of accepted rows (INDEX_SYSTEM.md "Bad rows").

Pure pandas. `check_frame` adds, per input table, the derived boolean columns the hand-written suites in
`expectations/` assert (`<column>__check_ok`, `<date>__parses`, `key__first`, ...): True means the row
passes. `settle` turns the failing rows of each expectation into one quarantine reason per row (the first
in the suite's order) and warnings for the rows kept; `typed` converts accepted rows for scoring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.codes import ALPHABET, WEIGHTS
from credit.contract import CASE_INSENSITIVE_ENUMS, MATERIAL_ITEMS, Table
from credit.frames import distinct
from credit.reasons import reason_zh

ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # ASCII digits only (Python's \d also takes full-width ones)
FINE_INDICATOR = "CX-02"  # the tiered fine needs amount_yuan
PLAIN_DECIMAL = r"[0-9]+(?:\.[0-9]+)?"  # ASCII digits; no sign, no thousands separators

# Date columns no rule reads: kept as dates when they parse, never checked (INDEX_SYSTEM.md "Bad rows").
UNCHECKED_DATES: dict[str, tuple[str, ...]] = {
    "institutions": ("status_changed_on",),  # read only when status is removed: checked there
    "credit_events": ("occurred_on",),
}
# (earlier, later): a later date before the earlier one is a warning, the row is read as given.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "qualifications": (("valid_from", "valid_to"),),
    "personnel": (("valid_from", "valid_to"),),
    "activities": (("sampled_on", "report_issued_on"), ("report_issued_on", "submitted_on")),
    "credit_events": (("occurred_on", "decided_on"),),
}
COUNTY_TABLES = ("institutions", "activities")
# Issue 11 item 11: characters refused in every cell. A BOM (U+FEFF) pasted inside a value makes two ids
# that look equal differ; PostgreSQL refuses NUL in text. The row is quarantined naming the column, and the
# value is shown with the character made visible (VISIBLE), so neither reaches ids, the store or results.csv.
REFUSED_CHARACTERS = ("\x00", "\ufeff")
VISIBLE = {"\x00": "<U+0000>", "\ufeff": "<U+FEFF>"}
ANY_COLUMN = "*"  # a suite's meta.column for the text check: the first column holding a refused character
EARLIEST = np.datetime64("0001-01-01", "s")  # numpy has a year 0; ISO 8601 dates (and Python) do not
CODE_LENGTH = len(WEIGHTS) + 1  # 17 characters and the check character
_CODE_VALUE = np.full(129, -1, dtype=np.int64)  # code point → value in the alphabet; 128 stands for any other
_CODE_VALUE[[ord(c) for c in ALPHABET]] = np.arange(len(ALPHABET))


def key_columns(table: Table) -> tuple[str, ...]:
    """The columns that name a row in warnings: the table's key, else its institution and own id."""
    if table.key:
        return table.key
    return tuple(dict.fromkeys((*table.code_columns, *((table.own_id,) if table.own_id else ()))))


def date_columns(table: Table) -> tuple[str, ...]:
    """Every date column of the table, checked or not, in contract order."""
    dated = set(table.dates) | set(UNCHECKED_DATES.get(table.kind, ()))
    return tuple(c for c in table.all_columns if c in dated)


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO `YYYY-MM-DD` strings to datetime64[s]; empty or malformed → NaT. Parsed once per distinct value."""
    codes, uniques = distinct(values)
    strict = pd.Series(uniques, dtype="string").str.fullmatch(ISO_DATE).fillna(False).astype(bool)
    parsed = pd.to_datetime(
        pd.Series(uniques, dtype="string").where(strict), format="%Y-%m-%d", errors="coerce"
    )
    parsed = parsed.astype("datetime64[s]").to_numpy(copy=True)
    parsed[parsed < EARLIEST] = np.datetime64("NaT")  # issue 11 item 6: 0000-01-01 is as invalid as 2025-02-30
    parsed = np.append(parsed, np.datetime64("NaT", "s"))  # slot -1 = empty cell
    return pd.Series(parsed[codes], index=values.index, dtype="datetime64[s]")


def date_parses(values: pd.Series) -> pd.Series:
    """True where the cell is empty or a real ISO date."""
    return values.isna() | parse_dates(values).notna()


def code_ok(values: pd.Series) -> pd.Series:
    """True where the cell is empty or a 统一社会信用代码 with the right check character (GB 32100-2015).

    Codes repeat across rows: each distinct one is checked once.
    """
    codes, uniques = distinct(values)
    verdict = np.append(valid_codes(uniques), True)  # slot -1 = empty cell
    return pd.Series(verdict[codes], index=values.index)


def valid_codes(values: Iterable[object]) -> np.ndarray:
    """`is_valid_code` of each value, computed on arrays (GB 32100-2015 §5: weighted sum modulo 31)."""
    listed = values if isinstance(values, (pd.Index, np.ndarray, pd.api.extensions.ExtensionArray)) else list(values)
    text = pd.Series(listed, dtype="string")
    ok: np.ndarray = (text.str.len() == CODE_LENGTH).fillna(False).to_numpy(dtype=bool)
    if not ok.any():
        return ok
    points = np.array(text[ok].tolist(), dtype=f"<U{CODE_LENGTH}").view(np.uint32).reshape(-1, CODE_LENGTH)
    digits = _CODE_VALUE[np.minimum(points, len(_CODE_VALUE) - 1)]  # -1: outside the code alphabet
    total = (digits[:, :-1] * np.asarray(WEIGHTS)).sum(axis=1)
    ok[ok] = (digits >= 0).all(axis=1) & (digits[:, -1] == (31 - total % 31) % 31)
    return ok


def first_of_key(frame: pd.DataFrame, table: Table, *, code_valid: pd.DataFrame | None = None) -> pd.Series:
    """False on rows that repeat the key of an earlier row whose own id and institution_id are valid.

    Only rows with valid ids take part: the first such row keeps the key even when a later check
    quarantines it; every later one is a duplicate (INDEX_SYSTEM.md "Bad rows").
    """
    result = pd.Series(True, index=frame.index)
    if not table.key:
        return result
    eligible = ids_valid(frame, table, code_valid=code_valid).to_numpy(dtype=bool)
    dup = repeated(frame.loc[eligible, list(table.key)])
    result.iloc[eligible.nonzero()[0][dup]] = False
    return result


def repeated(frame: pd.DataFrame) -> np.ndarray:
    """What `frame.duplicated(keep="first")` says (empty cells equal), through one factorisation per column.

    On millions of Arrow strings this takes about half the time of DataFrame.duplicated. A single column
    whose values increase strictly (ids exported in order) has no repeats: one comparison pass, no hashing.
    """
    if len(frame.columns) == 1 and increasing(frame.iloc[:, 0]):
        return np.zeros(len(frame), dtype=bool)
    codes: np.ndarray = np.zeros(len(frame), dtype=np.int64)
    for i, column in enumerate(frame.columns):
        column_codes, uniques = frame[column].factorize(use_na_sentinel=False)
        codes = column_codes if i == 0 else pd.factorize(codes * len(uniques) + column_codes)[0]  # < rows²
    first = np.zeros(len(frame) + 1, dtype=np.int64)
    positions = np.arange(len(frame))
    first[codes[::-1]] = positions[::-1]  # the last write wins: each code's first position
    repeats: np.ndarray = first[codes] != positions
    return repeats


def increasing(values: pd.Series) -> bool:
    """True when an Arrow-backed text column has no empty cell and each value sorts after the one before.

    Byte order, as Arrow compares: strictly increasing values are all distinct, whatever their collation.
    """
    array = _arrow_text(values)
    if array is None or array.null_count:
        return False
    if len(array) < 2:
        return True
    return bool(pc.all(pc.less(array[:-1], array[1:])).as_py())


def _arrow_text(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow array behind a pyarrow-backed `string` column; None for any other column."""
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        return None
    array = values.array.__arrow_array__()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None  # string_view and the like keep their bytes elsewhere
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def ids_valid(frame: pd.DataFrame, table: Table, *, code_valid: pd.DataFrame | None = None) -> pd.Series:
    """Own id present and every institution code present with the right check character."""
    ok = pd.Series(True, index=frame.index)
    if table.own_id:
        ok &= frame[table.own_id].notna()
    for column in table.code_columns:
        valid = code_ok(frame[column]) if code_valid is None else code_valid[f"{column}__check_ok"]
        ok &= frame[column].notna() & valid
    return ok


def refused_characters(values: pd.Series) -> pd.Series:
    """True where the cell holds a BOM or NUL; a categorical column is checked once per distinct value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        verdict = refused_characters(pd.Series(values.cat.categories, dtype="string")).to_numpy()
        if not verdict.any():
            return pd.Series(False, index=values.index)
        codes = values.cat.codes.to_numpy()
        return pd.Series(np.append(verdict, False)[codes], index=values.index)
    found = pd.Series(False, index=values.index)
    if not may_hold_refused(values):
        return found
    text = values.astype("string")
    for character in REFUSED_CHARACTERS:
        found |= text.str.contains(character, regex=False).fillna(False).astype(bool)
    return found


def may_hold_refused(values: pd.Series) -> bool:
    """False when no cell of an Arrow-backed text column can hold a refused character; True for other columns.

    One scan of the column's UTF-8 bytes for NUL and for the BOM's bytes EF BB BF (UTF-8 never forms them
    inside another character), at memory speed: `str.contains` row by row costs ten times as much, and
    almost every column holds neither. A hit (even in bytes behind an empty cell) only sends the column
    to the row-by-row check.
    """
    array = _arrow_text(values)
    return array is None or any(_bytes_hold_refused(chunk) for chunk in array.chunks)


def _bytes_hold_refused(chunk: pa.Array) -> bool:
    """Whether the bytes of one Arrow string chunk hold NUL or EF BB BF anywhere."""
    if len(chunk) == 0:
        return False
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    if data is None:
        return False
    bounds = np.frombuffer(offsets, dtype=width)[[chunk.offset, chunk.offset + len(chunk)]]
    text = np.frombuffer(data, dtype=np.uint8)[int(bounds[0]):int(bounds[1])]
    if (text == 0).any():
        return True
    lead = np.flatnonzero(text[:-2] == 0xEF)
    return bool(((text[lead + 1] == 0xBB) & (text[lead + 2] == 0xBF)).any())


def text_clean(frame: pd.DataFrame, table: Table) -> pd.Series:
    """True where no contract cell of the row holds a refused character (REFUSED_CHARACTERS)."""
    ok = pd.Series(True, index=frame.index)
    for column in table.all_columns:
        if column in frame:
            ok &= ~refused_characters(frame[column])
    return ok


def fits(values: pd.Series, width: int) -> pd.Series:
    """True where the cell is empty or at most `width` characters (the store column's width)."""
    return ~(values.astype("string").str.len() > width).fillna(False).astype(bool)


def visible(values: pd.Series) -> pd.Series:
    """Values with refused characters spelt out, so that a quarantine or warning row can be stored and read."""
    out = values.astype("string")
    for character, shown in VISIBLE.items():
        out = out.str.replace(character, shown, regex=False)
    return out


def not_after(earlier: pd.Series, later: pd.Series) -> pd.Series:
    """True unless both dates parse and `later` falls before `earlier`."""
    a, b = parse_dates(earlier), parse_dates(later)
    return ~(a.notna() & b.notna() & (b < a))


def known_items(values: pd.Series, items: Iterable[str]) -> pd.Series:
    """True where every `;`-separated item is one of `items` (empty parts and empty cells are fine)."""
    allowed = set(items)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    verdict = [all(p.strip() in allowed for p in str(u).split(";") if p.strip()) for u in uniques]
    ok = pd.Series(True, index=values.index)
    known = codes >= 0
    if len(verdict):
        ok.iloc[known.nonzero()[0]] = pd.Series(verdict, dtype=bool).to_numpy()[codes[known]]
    return ok


def fine_amount_ok(frame: pd.DataFrame) -> pd.Series:
    """False on a CX-02 row without a clause whose amount_yuan is missing or not a plain decimal.

    A 第十七条 row (with a clause) carries no points and ignores amount_yuan.
    """
    fine = frame["indicator"].eq(FINE_INDICATOR).fillna(False) & frame["clause"].isna()
    if "amount_yuan" in frame:
        amount = frame["amount_yuan"].str.fullmatch(PLAIN_DECIMAL).fillna(False).astype(bool)
    else:
        amount = pd.Series(False, index=frame.index)
    return (~fine | amount).astype(bool)


def as_text(values: pd.Series, *, lower: bool = False, empty: str | None = None) -> pd.Series:
    """The column as `string` values (lower-cased if asked, empty cells as `empty` if given).

    Big drops hold repetitive text as categoricals: taking each row's value from the converted categories
    costs a fraction of converting millions of rows, and an empty cell is one more category, so the rows
    are copied once.
    """
    if not isinstance(values.dtype, pd.CategoricalDtype):
        text = values.str.lower() if lower else values
        return text if empty is None else text.fillna(empty)
    categories = values.cat.categories.astype("string")
    if lower:
        categories = categories.str.lower()
    codes = values.cat.codes.to_numpy()
    if empty is not None:
        categories = categories.append(pd.Index([empty], dtype="string"))
        codes = np.where(codes < 0, len(categories) - 1, codes)
    taken = categories.array.take(codes, allow_fill=empty is None)
    return pd.Series(taken, index=values.index, name=values.name)


def checked_columns(table: Table) -> tuple[str, ...]:
    """The raw columns a suite reads directly (the rest of its checks read derived columns)."""
    read = {*table.code_columns, *table.enums}
    if table.own_id:
        read.add(table.own_id)
    if table.kind in COUNTY_TABLES:
        read.add("county")
    if table.kind == "credit_events":
        read |= {"indicator", "clause"}
    return tuple(c for c in table.columns if c in read)


def check_frame(table: Table, frame: pd.DataFrame, *, registry: set[str] | None = None) -> pd.DataFrame:
    """The frame a suite validates: the raw columns it reads, normalised for GX, plus derived check columns.

    Only what the suite reads goes in: GX filters and fingerprints the whole frame per expectation, so
    every extra text column costs time on millions of rows. Enumerated columns (and county) get "" for an
    empty cell, because GX's in_set skips nulls and an empty cell is outside the contract; `true`/`false`
    columns are lower-cased (compared in any case). `registry` holds the accepted institution ids;
    activities and credit_events are checked against it.
    """
    name = table.kind
    out = pd.DataFrame(index=frame.index)
    for column in checked_columns(table):
        filled = "" if column in table.enums or column == "county" else None
        out[column] = as_text(frame[column], lower=(name, column) in CASE_INSENSITIVE_ENUMS, empty=filled)
    dates = {c: parse_dates(frame[c]) for c in date_columns(table) if c in frame}

    def parses(column: str) -> pd.Series:
        return frame[column].isna() | dates[column].notna()

    out["text__clean"] = text_clean(frame, table)
    for column, width in table.max_lengths.items():
        out[f"{column}__fits"] = fits(frame[column], width)
    for column in (*table.code_columns, *table.soft_code_columns):
        out[f"{column}__check_ok"] = code_ok(frame[column])
    if table.key:
        out["key__first"] = first_of_key(
            frame, table, code_valid=out[[f"{c}__check_ok" for c in table.code_columns]]
        )
    for column in table.dates:  # an optional date column absent from the file has nothing to check
        out[f"{column}__parses"] = parses(column) if column in frame else True
    for earlier, later in DATE_ORDER.get(name, ()):
        a, b = dates[earlier], dates[later]
        out[f"{earlier}__not_after__{later}"] = ~(a.notna() & b.notna() & (b < a))
    if name == "institutions":
        removed = frame["status"].eq("removed").fillna(False).astype(bool)
        out["status_changed_on__parses_when_removed"] = ~removed | parses("status_changed_on")
        out["status_changed_on__given_when_removed"] = ~removed | frame["status_changed_on"].notna()
        out["materials_missing__known"] = known_items(frame["materials_missing"], MATERIAL_ITEMS)
    if name == "credit_events":
        out["indicator_or_clause__given"] = frame["indicator"].notna() | frame["clause"].notna()
        out["amount_yuan__valid_for_fine"] = fine_amount_ok(frame)
    if name in ("activities", "credit_events"):
        registered = frame["institution_id"].isin(registry or set()) | frame["institution_id"].isna()
        if name == "activities":
            out["institution_id__registered_or_named"] = registered | frame["institution_name"].notna()
        else:
            out["institution_id__registered"] = registered
    return out


@dataclass(frozen=True)
class Failure:
    """The rows failing one expectation, with what its `meta` says about them."""

    reason: str  # may hold "{value}"
    column: str  # the data column to report (comma-separated when several)
    action: str  # "quarantine" or "warn"
    rows: Sequence[object]  # index labels (= source rows)


def _values(frame: pd.DataFrame, positions: np.ndarray, column: str) -> pd.Series:
    """The reported value of `column` ("a,b" joins several) at row positions; <NA> when a single cell is empty."""
    parts = [
        (frame[c].iloc[positions] if c in frame else pd.Series(pd.NA, index=frame.index[positions]))
        .astype("string")
        .reset_index(drop=True)
        for c in column.split(",")
    ]
    if len(parts) == 1:
        return parts[0]
    joined = parts[0].fillna("")
    for part in parts[1:]:
        joined = joined + "," + part.fillna("")
    return joined


def _reasons(reason: str, values: pd.Series, columns: pd.Series | None = None) -> pd.Series:
    """The reason text per row; "{value}" names the row's value, "{column}" the column reported."""
    if "{value}" not in reason and "{column}" not in reason:
        return pd.Series(reason, index=values.index, dtype="string")
    named = columns if columns is not None else pd.Series("", index=values.index)
    pairs = zip(values.fillna(""), named, strict=True)
    return pd.Series([reason.format(value=v, column=c) for v, c in pairs], index=values.index, dtype="string")


def _first_refused(frame: pd.DataFrame, positions: np.ndarray) -> pd.Series:
    """Per row position, the first contract column whose cell holds a refused character."""
    found = pd.Series("", index=range(len(positions)), dtype="string")
    for column in reversed(list(frame.columns)):  # the leftmost column found wins
        hit = refused_characters(frame[column].iloc[positions]).to_numpy()
        found[hit] = column
    return found


def _reported(frame: pd.DataFrame, positions: np.ndarray, failure: Failure) -> tuple[pd.Series, pd.Series]:
    """(column, value) reported per failing row: the expectation's column, or the refused one."""
    if failure.column != ANY_COLUMN:
        column = pd.Series(failure.column, index=range(len(positions)), dtype="string")
        return column, _values(frame, positions, failure.column)
    column = _first_refused(frame, positions)
    cells = [frame[c].iloc[p] if c else pd.NA for c, p in zip(column, positions, strict=True)]
    return column, pd.Series(cells, dtype="string")


def settle(
    table: Table, source: str, frame: pd.DataFrame, failures: Sequence[Failure]
) -> tuple[pd.Index, pd.DataFrame, pd.DataFrame]:
    """Accepted row labels, quarantine rows (first failing reason per row) and warnings on kept rows.

    `failures` come in the suite's order, which is the fixed check order: a row is quarantined once,
    with the first reason it fails; rows quarantined get no warnings.
    """
    taken = np.zeros(len(frame), dtype=bool)
    quarantine_parts: list[pd.DataFrame] = []
    for failure in (f for f in failures if f.action == "quarantine"):
        positions = _positions(frame, failure.rows)
        positions = positions[~taken[positions]]
        positions = np.unique(positions)
        if not len(positions):
            continue
        taken[positions] = True
        columns, values = _reported(frame, positions, failure)
        quarantine_parts.append(
            pd.DataFrame(
                {
                    "table": table.name,
                    "file": source,
                    "row": np.asarray(frame.index[positions], dtype="int64"),
                    "column": columns,
                    "value": visible(values),
                    "reason": _reasons(failure.reason, values, columns),
                    "reason_zh": _reasons(reason_zh(failure.reason), values, columns),
                }
            )
        )
    warning_parts: list[pd.DataFrame] = []
    keys = key_columns(table)
    for failure in (f for f in failures if f.action == "warn"):
        positions = _positions(frame, failure.rows)
        positions = np.unique(positions[~taken[positions]])
        if not len(positions):
            continue
        values = _values(frame, positions, failure.column)
        warning_parts.append(
            pd.DataFrame(
                {
                    "file": source,
                    "row": np.asarray(frame.index[positions], dtype="int64"),
                    "key": _values(frame, positions, ",".join(keys)).str.replace(",", ":", regex=False)
                    if len(keys) > 1
                    else _values(frame, positions, keys[0]).fillna(""),
                    "column": failure.column,
                    "reason": _reasons(failure.reason, values),
                    "reason_zh": _reasons(reason_zh(failure.reason), values),
                }
            )
        )
    accepted = frame.index[~taken]
    quarantine = _stack(quarantine_parts, quarantine_frame()).sort_values(
        "row", kind="stable", ignore_index=True
    )
    warnings = _stack(warning_parts, warnings_frame()).sort_values("row", kind="stable", ignore_index=True)
    return accepted, quarantine, warnings


def _positions(frame: pd.DataFrame, rows: Sequence[object]) -> np.ndarray:
    positions = np.asarray(frame.index.get_indexer(pd.Index(list(rows))))
    if (positions < 0).any():
        raise KeyError(
            f"rows not in the frame: {[r for r, p in zip(rows, positions, strict=True) if p < 0][:5]}"
        )
    return positions


def _stack(parts: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    if not parts:
        return empty
    out = pd.concat(parts, ignore_index=True)
    return out.astype(empty.dtypes.to_dict())


# reason_zh (issue 12): the reason in Chinese beside the English one (credit/reasons.py), last so that
# readers of the earlier columns by name or position are unchanged.
QUARANTINE_COLUMNS = ("table", "file", "row", "column", "value", "reason", "reason_zh")
WARNING_COLUMNS = ("file", "row", "key", "column", "reason", "reason_zh")
COUNT_COLUMNS = ("table", "file", "read", "accepted", "quarantined")


def _frame(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=list(columns))
    for column in columns:
        df[column] = df[column].astype(
            "int64" if column in ("row", "read", "accepted", "quarantined") else "string"
        )
    return df


def quarantine_frame(rows: Iterable[Mapping[str, object]] = ()) -> pd.DataFrame:
    return _frame(rows, QUARANTINE_COLUMNS)


def warnings_frame(rows: Iterable[Mapping[str, object]] = ()) -> pd.DataFrame:
    return _frame(rows, WARNING_COLUMNS)


def counts_frame(rows: Iterable[Mapping[str, object]] = ()) -> pd.DataFrame:
    return _frame(rows, COUNT_COLUMNS)


def typed(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Accepted rows as scoring reads them: dates datetime64[s], wrong soft codes empty, true/false lower-case.

    Optional columns missing from the file are added empty, so every reader sees the same columns.
    """
    out = frame.copy(deep=False)  # copy-on-write: replaced columns never touch the drop's frame
    for column in table.optional_columns:
        if column not in out:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    for column in table.all_columns:
        if column not in out:
            continue
        if column in date_columns(table):
            out[column] = parse_dates(out[column])
        elif column in table.soft_code_columns:
            out[column] = out[column].where(code_ok(out[column]))
        elif column in table.max_lengths and column != table.own_id:  # warned: read as empty, never cut
            out[column] = out[column].where(fits(out[column], table.max_lengths[column]))
        elif (table.kind, column) in CASE_INSENSITIVE_ENUMS:
            out[column] = out[column].str.lower()
    return out[[c for c in table.all_columns]]
