r"""Read a drop into raw string tables, and keep a content-addressed copy of it (DATA_CONTRACT.md "Inputs").

Plain functions, importable without Prefect; `tasks/pull.py` wraps them as tasks.

A drop is read into one `RawTable` per contract table (credit.contract.TABLES). Every contract column is
pandas string dtype (`string[pyarrow]`, <NA> for missing), cells stripped of surrounding whitespace
(`str.strip`'s Unicode set: tabs and the ideographic space U+3000 included), an empty cell is <NA>, extra
columns are dropped, optional columns are present only when the source has them. Nothing is parsed
here: dates, codes and enums are the validator's business. The index is the row number a person sees
(header = row 1, first data row = 2).

Sources
- CSV folder: `<table>.csv` per table. The bytes are decoded strictly as UTF-8 (a BOM is ignored);
  when that fails, strictly as GB18030 (what Excel in China saves; a superset of GBK); bytes that are
  neither raise `StructuralError` naming the file, the line and the byte offset. Never a lossy decode.
  Row numbers count CSV records, as a spreadsheet shows them: a quoted cell holding a line break keeps
  its record on one row, so after such a cell the row number is smaller than a text editor's line
  number. A record with more or fewer fields than the header raises `StructuralError` naming the file
  and the record's row numbers: such a row is never dropped, padded or guessed. The header is one line.
- XLSX: one workbook (a folder holding exactly one `.xlsx`, or its path), a sheet per table named like
  the file without `.csv` (matched ignoring case and surrounding spaces). Date cells become ISO
  `YYYY-MM-DD` (a time other than midnight is kept: `YYYY-MM-DD HH:MM:SS`), whole numbers are written
  without `.0`, booleans as `true`/`false`, formulas as their last computed value. The first non-empty
  row is the header; row numbers are the sheet's. Cells right of the header are ignored.
- SQL: a YAML file `{url: <SQLAlchemy URL>, tables: {<table>: "SELECT ...", ...}}`, one query per table
  (objections optional), run as SQLAlchemy `text()` (a literal colon is written `\:`). Values become
  text as for XLSX; result columns match contract names ignoring case. Row numbers are those of the
  result exported as CSV (first row = 2). Give each query an ORDER BY: the order is part of the hash.
A folder holding both contract CSV files and a workbook, or two workbooks, is refused (which is meant?).
In every source a row empty in every cell (a blank line, Excel's `,,,,`, an empty sheet row) carries no
data and is skipped; the row numbers of the others do not move. A contract column named twice in a
header raises; extra columns, named twice or not at all, are ignored.

Snapshot hash ("sha256:<64 hex>", recorded with every result)
- CSV folder: SHA-256 of the UTF-8 text made of one line `<file name>\t<sha256 hex of the file's bytes>\n`
  per contract file present in the folder (objections.csv when present; other files ignored), in order
  of file name.
- XLSX: the same with the one line `<workbook file name>\t<sha256 hex of its bytes>\n`.
- SQL: the same with one line `<table>.csv\t<sha256 hex of its canonical CSV>\n` per table read; the
  canonical CSV is UTF-8 with `\n` line ends, a header and then the rows as read (the table's columns in
  contract order, values stripped, <NA> as an empty field), fields quoted only when they hold `,`, `"` or
  a line break (Python `csv`, QUOTE_MINIMAL).
So the same input files give the same hash on every machine and in every folder; a file saved again
differently (BOM added, GBK turned into UTF-8) is another input with another hash.

Snapshots: `write_snapshot` stores `<var>/snapshots/<hex>/<table>.parquet` and `manifest.json` (format,
snapshot, origin, and per table its source, row count and columns), <hex> being the snapshot hash. The
folder is written aside and renamed into place, so it is whole or absent; one already there is reused.

Speed and memory: CSV files are parsed by pyarrow.csv's streaming reader straight into
`large_string` columns (what pandas' `string[pyarrow]` holds, so the DataFrame shares Arrow's
buffers), one 8 MB block at a time, and hashed in a second thread while parsing (Arrow's own parser
threads only with more than two cores). Each block is stripped with `utf8_trim_whitespace` and its
all-empty rows dropped as it arrives; once the first `_DICTIONARY_SAMPLE` rows have shown which
columns repeat, those are dictionary-encoded block by block and only their distinct values stripped.
No Python string is made, and the file's text is never held twice: 2 M activities rows (510 MB) peak
at about 0.85 GB RSS where reading the whole table first took 1.5 GB.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from credit.contract import STORE_TABLES, TABLES, Table

if TYPE_CHECKING:
    from store.drop_source import SourceConnection

SNAPSHOT_FORMAT = 1
_CHUNK = 1 << 22  # bytes per read when hashing or checking an encoding
_HEAD = 1 << 20  # bytes read to find the header line
_BLOCK = 1 << 23  # Arrow's CSV block, one batch of `_stream`: a record must fit in one (retried with _MAX_BLOCK when not)
_MAX_BLOCK = (1 << 31) - 1
_STRING = pd.StringDtype("pyarrow")  # na_value is pd.NA
# Arrow's parallel CSV parser spends ~40% more CPU for the same file: worth it only with cores to spare
# (on two cores the hash thread already keeps the second one busy; 1M rows: 3.1 s CPU threaded, 2.7 s serial).
_PARSE_THREADS = (
    len(os.sched_getaffinity(0)) > 2 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) > 2
)
_ARROW_STRING = pa.large_string()  # what pandas keeps: reading it directly saves a copy at to_pandas


# From this many rows on, repetitive text columns are held as categoricals (see _dictionary_encoded).
DICTIONARY_MIN_ROWS = 200_000
_DICTIONARY_SAMPLE = 100_000


@dataclass(frozen=True)
class RawTable:
    """One table as read: every contract column as strings, index = the row a person sees."""

    name: str  # "activities"
    source: str  # what a person opens: "activities.csv" or "drop.xlsx[activities]"
    frame: pd.DataFrame


@dataclass(frozen=True)
class Drop:
    """The tables of one drop, the hash of its input and where it came from."""

    tables: dict[str, RawTable]  # contract order; objections only when present
    snapshot: str  # "sha256:<64 hex>", see the module docstring
    origin: str  # folder, workbook or database URL (password masked)
    pulled: str | None = None  # the hash of what was pulled, when store-recorded events were added to it


class StructuralError(Exception):
    """The drop cannot be read as the contract says: missing file/sheet/column, unreadable bytes, ragged rows."""

    def __init__(self, file: str, column: str | None, message: str) -> None:
        super().__init__(file, column, message)
        self.file = file
        self.column = column
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.column is None else f"{self.file}, column '{self.column}'"
        return f"{where}: {self.message}"


# ---------------------------------------------------------------------------------------------- public


def read_drop(path: Path) -> Drop:
    """Read a drop: a folder of CSV files, a folder holding one workbook, or a workbook's path."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() != ".xlsx":
            raise StructuralError(path.name, None, "a drop is a folder of CSV files or an .xlsx workbook")
        return _read_workbook(path)
    if not path.is_dir():
        raise StructuralError(str(path), None, "no such folder or workbook")
    csv_files = [t.file_name for t in TABLES.values() if (path / t.file_name).is_file()]
    workbooks = sorted(
        p.name for p in path.iterdir() if p.suffix.lower() == ".xlsx" and not p.name.startswith("~$")
    )
    if csv_files and workbooks:
        raise StructuralError(
            str(path),
            None,
            f"the folder holds both contract CSV files and a workbook ({', '.join(workbooks)}); "
            "keep one of the two",
        )
    if len(workbooks) > 1:
        raise StructuralError(
            str(path), None, f"the folder holds {len(workbooks)} workbooks ({', '.join(workbooks)}); keep one"
        )
    if workbooks:
        return _read_workbook(path / workbooks[0])
    return _read_csv_folder(path)


def read_drop_sql(config_path: Path) -> Drop:
    """Read a drop from a database: YAML `{url: ..., tables: {<table>: "SELECT ...", ...}}`."""
    import yaml

    from store.drop_source import SourceUrlError, masked, source_connection

    config_path = Path(config_path)
    name = config_path.name
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StructuralError(name, None, f"cannot read the SQL configuration: {exc}") from exc
    if not isinstance(config, dict) or not isinstance(config.get("url"), str):
        raise StructuralError(name, None, "the SQL configuration needs 'url: <SQLAlchemy URL>'")
    queries = config.get("tables")
    if not isinstance(queries, dict):
        raise StructuralError(name, None, "the SQL configuration needs 'tables: {<table>: <SELECT query>}'")
    unknown = sorted(set(queries) - set(TABLES))
    if unknown:
        raise StructuralError(name, None, f"unknown tables under 'tables': {', '.join(map(str, unknown))}")
    _require_files(
        name, [t for t in TABLES.values() if t.name in queries], lambda t: f"{name}[{t.name}]", "query"
    )

    tables: dict[str, RawTable] = {}
    try:
        with source_connection(config["url"]) as connection:
            for table in TABLES.values():
                if table.name in queries:
                    source = f"{name}[{table.name}]"
                    tables[table.name] = _sql_table(connection, table, source, queries[table.name])
    except SourceUrlError as exc:
        raise StructuralError(name, None, f"not a usable database URL: {exc}") from exc
    lines = {f"{t.name}.csv": _canonical_csv_sha256(t.frame) for t in tables.values()}
    return Drop(tables, _snapshot_hash(lines), masked(config["url"]))


def _sql_table(connection: SourceConnection, table: Any, source: str, query: str) -> RawTable:
    """One table of a SQL drop: the query's rows as text columns, numbered as a file's rows would be."""
    from store.drop_source import SourceQueryError

    try:
        header, rows = connection.rows(query)
    except SourceQueryError as exc:
        raise StructuralError(source, None, f"the query failed: {exc.reason}") from exc
    columns: list[list[str | None]] = [[] for _ in header]
    for row in rows:
        for values, value in zip(columns, row, strict=True):
            values.append(_text(value))
    # Column names compare ignoring case: some databases upper-case unquoted names.
    arrays = [pa.array(values, _ARROW_STRING) for values in columns]
    del columns
    numbers = np.arange(2, len(arrays[0]) + 2 if arrays else 2, dtype=np.int64)
    return _finish(table, source, [h.lower() for h in header], arrays, numbers)


def write_snapshot(drop: Drop, var_dir: Path) -> Path:
    """Keep the drop as `var_dir/snapshots/<hex>/<table>.parquet` + manifest.json; reuse one already there."""
    hex_digest = drop.snapshot.removeprefix("sha256:")
    if len(hex_digest) != 64 or any(c not in "0123456789abcdef" for c in hex_digest):
        raise ValueError(f"not a snapshot hash: {drop.snapshot!r}")
    root = Path(var_dir) / "snapshots"
    final = root / hex_digest
    if (final / "manifest.json").is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    work = root / f".tmp-{hex_digest[:12]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        manifest: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT,
            "snapshot": drop.snapshot,
            "origin": drop.origin,
            "tables": {},
        }
        if drop.pulled is not None:
            manifest["pulled"] = drop.pulled
        for raw in drop.tables.values():
            file_name = f"{raw.name}.parquet"
            _write_parquet(raw.frame, work / file_name)
            manifest["tables"][raw.name] = {
                "source": raw.source,
                "file": file_name,
                "rows": len(raw.frame),
                "columns": list(raw.frame.columns),
            }
        (work / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if final.exists() and not (final / "manifest.json").is_file():
            shutil.rmtree(final)  # not a snapshot (ours appear whole, by rename): nothing to keep
        try:
            work.rename(final)  # atomic: a snapshot directory is complete or absent
        except OSError:
            if not (final / "manifest.json").is_file():  # not a concurrent writer of the same input
                raise
    finally:
        if work.exists():
            shutil.rmtree(work)
    return final


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One table of a snapshot: categorical columns as their dictionary, the others plain, index kept.

    Min/max statistics of a dictionary column cost more than the rest of the write together (5 M
    activities: 1.2 of 2.2 CPU-s) and nothing reads a snapshot by a filter: they are left out there. A
    column not held as categorical is unique or small, so a dictionary would only be tried and dropped.
    Any Parquet reader reads the file (`read_snapshot`; snapshots written before with dictionaries and
    statistics everywhere read the same).
    """
    data = pa.Table.from_pandas(frame, preserve_index=True)
    encoded = [f.name for f in data.schema if pa.types.is_dictionary(f.type)]
    plain = [f.name for f in data.schema if not pa.types.is_dictionary(f.type)]
    pq.write_table(data, path, use_dictionary=encoded, write_statistics=plain)


def read_snapshot(path: Path) -> Drop:
    """Read back a snapshot written by `write_snapshot` (its folder or its manifest.json)."""
    folder, manifest = _snapshot_manifest(path)
    tables: dict[str, RawTable] = {}
    for name in {**TABLES, **STORE_TABLES}:
        entry = manifest["tables"].get(name)
        if entry is not None:
            tables[name] = RawTable(name, entry["source"], _snapshot_frame(folder, entry))
    return Drop(tables, manifest["snapshot"], manifest["origin"], pulled=manifest.get("pulled"))


def read_snapshot_table(path: Path, name: str) -> pd.DataFrame | None:
    """One table of a snapshot (None when it has none), without reading the others."""
    folder, manifest = _snapshot_manifest(path)
    entry = manifest["tables"].get(name)
    return None if entry is None else _snapshot_frame(folder, entry)


def _snapshot_manifest(path: Path) -> tuple[Path, dict[str, Any]]:
    folder = Path(path)
    if folder.name == "manifest.json":
        folder = folder.parent
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StructuralError(str(manifest_path), None, f"not a readable snapshot manifest: {exc}") from exc
    if manifest.get("format") != SNAPSHOT_FORMAT:
        raise StructuralError(str(manifest_path), None, f"unknown snapshot format {manifest.get('format')!r}")
    return folder, manifest


def _snapshot_frame(folder: Path, entry: dict[str, Any]) -> pd.DataFrame:
    frame = pq.read_table(folder / entry["file"]).to_pandas(types_mapper=_string_types)
    if len(frame) != entry["rows"] or list(frame.columns) != entry["columns"]:
        raise StructuralError(entry["file"], None, "the snapshot file does not match its manifest")
    frame.index = frame.index.astype(np.int64)
    frame.index.name = None
    return frame


RECORDED_SOURCE = "store:recorded_events"


def with_recorded_events(drop: Drop, events: pd.DataFrame) -> Drop:
    """The drop plus the credit events recorded in the store (credit/supervision.py), as one input.

    `events` has the credit_events contract columns as text, one row per event in event_id order; its
    row numbers are those of the table exported as CSV (first row = 2). No events: the drop unchanged,
    hash included. Else the hash is SHA-256 over the two lines `drop\t<the drop's hash>\n` and
    `recorded_events.csv\t<sha256 hex of the events' canonical CSV>\n` (module docstring), so the
    snapshot names both what was pulled and what the store had recorded.
    """
    if not len(events):
        return drop
    if "recorded_events" in drop.tables:
        raise ValueError("the drop already holds the recorded events")
    frame = events.astype("string").reset_index(drop=True)
    frame.index = pd.RangeIndex(2, len(frame) + 2).astype(np.int64)
    table = RawTable("recorded_events", RECORDED_SOURCE, frame)
    snapshot = _snapshot_hash({"drop": drop.snapshot, "recorded_events.csv": _canonical_csv_sha256(frame)})
    return Drop({**drop.tables, "recorded_events": table}, snapshot, drop.origin, pulled=drop.snapshot)


def without_recorded_events(drop: Drop) -> Drop:
    """The drop as pulled: what `with_recorded_events` was given."""
    if "recorded_events" not in drop.tables:
        return drop
    tables = {name: table for name, table in drop.tables.items() if name != "recorded_events"}
    return Drop(tables, drop.pulled or drop.snapshot, drop.origin)


# ------------------------------------------------------------------------------------------ CSV folder


def _read_csv_folder(folder: Path) -> Drop:
    present = [t for t in TABLES.values() if (folder / t.file_name).is_file()]
    _require_files(folder.name or str(folder), present, lambda t: t.file_name)
    # Hashing runs beside the parsing (hashlib and Arrow release the GIL): the bytes are read twice,
    # but the second read comes from the page cache.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-hash") as pool:
        hashes = {t.file_name: pool.submit(_file_sha256, folder / t.file_name) for t in present}
        tables = {t.name: _read_csv(t, folder / t.file_name) for t in present}
        lines = {name: future.result() for name, future in hashes.items()}
    return Drop(tables, _snapshot_hash(lines), str(folder.resolve()))


def _read_csv(table: Table, path: Path) -> RawTable:
    """One CSV file → RawTable; UTF-8 first, GB18030 when the bytes are not UTF-8."""
    source = path.name
    head = _read_head(path)
    if not head:
        raise StructuralError(source, None, "the file is empty (no header row)")
    try:
        header = _header(source, head, "utf-8")
        return _read_csv_as(table, path, header, "utf-8")
    except _NotThisEncoding:
        pass
    encoding = _detect_encoding(path)  # raises when neither encoding decodes every byte
    try:
        return _read_csv_as(table, path, _header(source, head, encoding), encoding)
    except _NotThisEncoding as exc:  # Python's strict decoder accepted what Arrow refuses
        raise StructuralError(source, None, f"not readable as {encoding}: {exc.__cause__}") from exc


class _NotThisEncoding(Exception):
    """The bytes do not decode in the encoding tried."""


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_HEAD)


def _header(source: str, head: bytes, encoding: str) -> list[str]:
    """The header record's names as written (BOM removed); must be one line."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise _NotThisEncoding from exc
    text = text.removeprefix("\ufeff")
    end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    line = text[:end]
    if line.count('"') % 2:
        raise StructuralError(
            source, None, "the header row must be a single line (a header cell holds a line break)"
        )
    return next(csv.reader([line]), [])


def _read_csv_as(table: Table, path: Path, header: list[str], encoding: str) -> RawTable:
    source = path.name
    names = [f"f{i}" for i in range(len(header))]
    bad_rows: list[Any] = []
    block = [_BLOCK]  # raised to the file's size when a record is longer than a block (see below)

    def on_bad_row(row: Any) -> str:
        bad_rows.append(row)
        return "skip"

    def options(handler: Any, threads: bool) -> dict[str, Any]:
        return {
            # skip_rows=1 skips the header line (it is one line, checked in _header), BOM included.
            "read_options": pa_csv.ReadOptions(
                column_names=names, skip_rows=1, encoding=encoding, use_threads=threads, block_size=block[0]
            ),
            # Blank lines are kept as empty records so that record numbers stay the spreadsheet's rows.
            "parse_options": pa_csv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=handler
            ),
            # Every column is read (extras too) so that every cell's bytes are checked as UTF-8.
            "convert_options": pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, _ARROW_STRING),
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        }

    names_of = _check_header(table, source, header)
    picked = [(c, names_of.index(c)) for c in table.all_columns if c in names_of]
    try:
        try:
            columns, rows = _stream(pa_csv.open_csv(path, **options(on_bad_row, threads=_PARSE_THREADS)), picked)
        except pa.ArrowInvalid as exc:
            # Issue 11 item 11: a record longer than a block ("straddling object straddles two block
            # boundaries") is valid CSV: read again with one block as large as the file.
            if "straddl" not in str(exc):
                raise
            block[0] = min(max(path.stat().st_size + 1, _BLOCK), _MAX_BLOCK)
            bad_rows.clear()
            columns, rows = _stream(pa_csv.open_csv(path, **options(on_bad_row, threads=_PARSE_THREADS)), picked)
    except pa.ArrowInvalid as exc:
        if encoding == "utf-8" and "utf8" in str(exc).lower().replace("-", ""):
            raise _NotThisEncoding from exc
        raise StructuralError(source, None, f"not a readable CSV file: {exc}") from exc
    if bad_rows:
        raise _ragged_rows(source, path, options, len(header))
    data = pa.table(columns) if columns else pa.table({})
    del columns
    frame = data.to_pandas(types_mapper=_string_types, self_destruct=True)
    frame.index = pd.Index(rows, dtype=np.int64)
    return RawTable(table.name, source, frame)


def _stream(reader: pa_csv.CSVStreamingReader, picked: list[tuple[str, int]]) -> tuple[dict[str, Any], np.ndarray]:
    """The picked columns block by block: cleaned, all-empty rows skipped, repetitive ones dictionary-encoded.

    What `_finish` does for a whole table, one block at a time, so that the file's text is never held
    twice: the first `_DICTIONARY_SAMPLE` kept rows decide which columns are encoded (`_dictionary_encoded`),
    and a repetitive column is then encoded before it is stripped, stripping only its distinct values.
    """
    chunks: dict[str, list[Any]] = {name: [] for name, _ in picked}
    numbers: list[np.ndarray] = []
    encoded: set[str] | None = None  # decided once the sample is in
    seen = kept = 0
    for batch in _read_ahead(reader):
        keep, rows = _kept_rows(batch.columns, seen)
        seen, kept = seen + batch.num_rows, kept + len(rows)
        numbers.append(rows)
        for name, i in picked:
            column = batch.column(i) if keep is None else batch.column(i).filter(keep)
            chunks[name].append(_clean_encoded(column) if name in (encoded or ()) else _clean_plain(column))
        if encoded is None and kept >= _DICTIONARY_SAMPLE:
            encoded = _repetitive(chunks)
    if kept < DICTIONARY_MIN_ROWS:
        encoded = set()
    elif encoded is None:
        encoded = _repetitive(chunks)
    columns = {name: _assembled(chunks.pop(name), name in encoded) for name, _ in picked}
    return columns, np.concatenate(numbers) if numbers else np.array([], dtype=np.int64)


def _read_ahead(reader: pa_csv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
    """The reader's batches, the next block parsed in a thread of its own while the caller cleans this one.

    Arrow's parser and compute functions release the GIL, so on two cores parsing and cleaning overlap
    (Arrow's own parser threads cost more CPU than they save there, see `_PARSE_THREADS`). One block is
    parsed ahead, no more: the memory held stays that of two blocks. A parse error (bad bytes, a record
    longer than a block) is raised here, in the caller's thread, as the reader raised it.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-parse") as pool:
        pending = pool.submit(_next_batch, reader)
        while (batch := pending.result()) is not None:
            pending = pool.submit(_next_batch, reader)
            yield batch


def _next_batch(reader: pa_csv.CSVStreamingReader) -> pa.RecordBatch | None:
    """The next parsed block, None at the end of the file."""
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


def _kept_rows(arrays: list[pa.Array], seen: int) -> tuple[pa.Array | None, np.ndarray]:
    """The mask of a block's rows to keep (None: all) and their row numbers, `seen` records before it."""
    rows = np.arange(seen + 2, seen + 2 + (len(arrays[0]) if arrays else 0), dtype=np.int64)
    blank = _all_null(arrays)
    if blank is None:
        return None, rows
    keep = pc.invert(blank)
    return keep, rows[keep.to_numpy(zero_copy_only=False)]


def _assembled(parts: list[pa.Array], encoded: bool) -> pa.ChunkedArray:
    """One column's blocks as one column: all dictionary-encoded, or all plain strings."""
    if encoded:
        kind = pa.dictionary(pa.int32(), _ARROW_STRING)
        return pa.chunked_array([p if pa.types.is_dictionary(p.type) else pc.dictionary_encode(p) for p in parts], kind)
    return pa.chunked_array([_as_plain(p) for p in parts], _ARROW_STRING)


def _repetitive(chunks: dict[str, list[Any]]) -> set[str]:
    """The columns whose first `_DICTIONARY_SAMPLE` values are at most half distinct (see `_dictionary_encoded`)."""
    out = set()
    for name, parts in chunks.items():
        sample = pa.chunked_array([_as_plain(p) for p in parts], _ARROW_STRING).slice(0, _DICTIONARY_SAMPLE)
        if pc.count_distinct(sample).as_py() * 2 <= len(sample):
            out.add(name)
    return out


def _as_plain(array: pa.Array) -> pa.Array:
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def _clean_plain(array: pa.Array) -> pa.Array:
    """Strip surrounding whitespace; a cell left empty is null (`_clean` of one block).

    Mostly nothing is stripped: then the block is kept as parsed (no copy held) and no cell can be
    empty, since the reader makes every empty cell, quoted or not, null (`_read_csv_as`).
    """
    stripped = pc.utf8_trim_whitespace(array)
    if stripped.equals(array):
        return array
    empty = pc.equal(stripped, "")
    if pc.any(empty).as_py():
        stripped = pc.if_else(empty, pa.scalar(None, _ARROW_STRING), stripped)
    return stripped


def _clean_encoded(array: pa.Array) -> pa.Array:
    """`_clean_plain` then dictionary-encoded, stripping each distinct value once when that changes nothing else."""
    encoded = pc.dictionary_encode(array)
    values = pc.utf8_trim_whitespace(encoded.dictionary)
    if values.equals(encoded.dictionary):  # nothing to strip (the usual case): a cheap test, no hashing
        return encoded
    if pc.count_distinct(values).as_py() == len(values) and not pc.any(pc.equal(values, "")).as_py():
        return pa.DictionaryArray.from_arrays(encoded.indices, values)
    return pc.dictionary_encode(_clean_plain(array))  # two raw values strip alike, or one strips to nothing


def _ragged_rows(source: str, path: Path, options: Any, expected: int) -> StructuralError:
    """Re-read serially (row numbers are known only then) and name the first ragged rows."""
    found: list[tuple[int, int]] = []

    def numbered(row: Any) -> str:
        found.append((row.number, row.actual_columns))
        return "error" if len(found) >= 5 else "skip"

    with contextlib.suppress(pa.ArrowInvalid):  # raised on purpose after five rows
        pa_csv.read_csv(path, **options(numbered, threads=False))
    listed = "; ".join(f"row {n}: {k} fields" for n, k in found)
    return StructuralError(
        source,
        None,
        f"rows must have as many fields as the header ({expected}); {listed}"
        + ("; and maybe more" if len(found) >= 5 else ""),
    )


def _detect_encoding(path: Path) -> str:
    """'utf-8' or 'gb18030', each decoded strictly over the whole file; else StructuralError."""
    failures = {}
    for encoding in ("utf-8", "gb18030"):
        failure = _first_undecodable(path, encoding)
        if failure is None:
            return encoding
        failures[encoding] = failure
    # Report where the encoding that got further stopped: that one was most likely meant.
    offset, line, bad = max(failures.values())
    hint = ""
    if _read_head(path)[:2] in (b"\xff\xfe", b"\xfe\xff"):
        hint = " (the file is UTF-16, Excel's 'Unicode text')"
    raise StructuralError(
        path.name,
        None,
        f"line {line}, byte offset {offset}: {' '.join(f'0x{b:02x}' for b in bad)} is neither UTF-8 nor GB18030"
        f"{hint}; "
        "save the file as 'CSV UTF-8'",
    )


def _first_undecodable(path: Path, encoding: str) -> tuple[int, int, bytes] | None:
    """(byte offset, line, bytes) of the first bytes that do not decode strictly, or None.

    Decodes up to the last line feed of each chunk: 0x0A is never part of a multi-byte character in
    UTF-8 or GB18030, so no character is cut and the offsets are exact.
    """
    offset = 0  # of `carry` in the file
    lines = 1  # line number at `offset`
    carry = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = carry + chunk
            cut = len(data) if not chunk else data.rfind(b"\n") + 1
            try:
                data[:cut].decode(encoding, "strict")
            except UnicodeDecodeError as exc:
                before = data[: exc.start]
                return offset + exc.start, lines + before.count(b"\n"), data[exc.start : exc.end]
            if not chunk:
                return None
            offset += cut
            lines += data[:cut].count(b"\n")
            carry = data[cut:]


# ------------------------------------------------------------------------------------------- workbook


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: encrypted OOXML or an old .xls
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _open_workbook(path: Path, *, data_only: bool) -> Any:
    """The workbook read-only; an encrypted or foreign file is named as such (issue 11 item 11)."""
    import openpyxl  # only this source needs it

    with path.open("rb") as fh:
        magic = fh.read(len(_OLE_MAGIC))
    if magic == _OLE_MAGIC:
        raise StructuralError(
            path.name, None, "工作簿已加密（设置了打开密码）或是旧版 .xls 文件：请取消密码后另存为 .xlsx"
        )
    if not zipfile.is_zipfile(path):
        raise StructuralError(path.name, None, "不是 .xlsx 工作簿（文件不是 zip 格式）：请用 Excel 另存为 .xlsx")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise StructuralError(path.name, None, f"not a readable .xlsx workbook: {exc}") from exc


def _table_sheets(path: Path, workbook: Any) -> dict[str, Any]:
    """The sheet of each contract table; a hidden one, or two named like one table, is refused.

    Issue 11 item 11: a hidden or very hidden sheet is data nobody checking the workbook sees, and of
    two sheets named like one table only one could be read: either is refused, naming the sheets.
    """
    sheets: dict[str, Any] = {}
    for sheet in workbook.worksheets:
        name = sheet.title.strip().lower()
        if name not in TABLES:
            continue
        if sheet.sheet_state != "visible":
            raise StructuralError(
                f"{path.name}[{sheet.title}]", None,
                f"工作表是隐藏的（{sheet.sheet_state}），却以数据表 {name} 命名：请取消隐藏或删除它",
            )
        if name in sheets:
            raise StructuralError(
                f"{path.name}[{sheet.title}]", None,
                f"工作表 [{sheets[name].title}] 与 [{sheet.title}] 都以数据表 {name} 命名：请只保留一个",
            )
        sheets[name] = sheet
    return sheets


def _read_workbook(path: Path) -> Drop:
    workbook = _open_workbook(path, data_only=True)
    formulas = _open_workbook(path, data_only=False)  # to tell a formula without a cached value from a blank
    try:
        sheets = _table_sheets(path, workbook)
        present = [t for t in TABLES.values() if t.name in sheets]
        _require_files(path.name, present, lambda t: f"{path.name}[{t.name}]", what="sheet")
        tables = {}
        for table in present:
            sheet = sheets[table.name]
            source = f"{path.name}[{sheet.title}]"
            _refuse_merged(workbook, sheet, source)
            tables[table.name] = _read_sheet(table, source, sheet, formulas[sheet.title])
    finally:
        workbook.close()
        formulas.close()
    return Drop(tables, _snapshot_hash({path.name: _file_sha256(path)}), str(path.resolve()))


def _refuse_merged(workbook: Any, sheet: Any, source: str) -> None:
    """Merged cells leave every cell but the first blank: refused, naming the ranges (issue 11 item 11).

    Read-only sheets do not parse <mergeCells>, so the sheet's XML is scanned for them in chunks.
    """
    found: list[str] = []
    tail = b""
    with workbook._archive.open(sheet._worksheet_path) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            found += [m.decode() for m in _MERGE_REF.findall(data) if m.decode() not in found]
            tail = data[-200:]
    if found:
        listed = ", ".join(found[:5]) + ("…" if len(found) > 5 else "")
        raise StructuralError(source, None, f"工作表含合并单元格（{listed}）：请取消合并并在每个单元格填入值")


def _read_sheet(table: Table, source: str, sheet: Any, formula_sheet: Any) -> RawTable:
    sheet.reset_dimensions()  # a wrong <dimension> in the file must not cut rows off
    formula_sheet.reset_dimensions()
    pairs = zip(
        sheet.iter_rows(min_row=1, values_only=True), formula_sheet.iter_rows(min_row=1, values_only=True),
        strict=True,  # the same file read twice
    )
    rows = enumerate(_uncomputed_refused(pairs, source), start=1)  # (sheet row, values)
    header: list[str] = []
    for _, values in rows:
        if any((_text(v) or "").strip() for v in values):
            header = [_text(v) or "" for v in values]
            break
    if not header:
        raise StructuralError(source, None, "the sheet is empty (no header row)")
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    for number, values in rows:  # the same enumeration goes on after the header
        # Cells right of the header have no column name: ignored like an extra column.
        cells = [_text(v) for v in values[:width]]
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        numbers.append(number)
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
    arrays = [pa.array(c, _ARROW_STRING) for c in columns]
    del columns
    return _finish(table, source, header, arrays, np.asarray(numbers, dtype=np.int64))


def _uncomputed_refused(pairs: Iterable[tuple[Any, Any]], source: str) -> Iterator[Any]:
    """The rows' values; a formula cell with no cached value (never calculated) raises, naming the cell.

    Read as empty it would pass as a blank cell without a word (issue 11 item 11).
    """
    from openpyxl.utils import get_column_letter

    for number, (values, formulas) in enumerate(pairs, start=1):
        for column, (value, formula) in enumerate(zip(values, formulas, strict=False), start=1):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                raise StructuralError(
                    source, None,
                    f"单元格 {get_column_letter(column)}{number} 是公式，但没有计算结果：请在 Excel 中重新计算并保存，"
                    "或把公式换成值",
                )
        yield values


def _text(value: Any) -> str | None:
    """A spreadsheet or database value as the text a CSV export would hold."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN: a database's empty number
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))  # Excel stores every number as a float
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")  # as given: 5000.00 stays 5000.00
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


# -------------------------------------------------------------------------------------- shared steps


def _require_files(where: str, present: Sequence[Table], label: Any, what: str = "file") -> None:
    missing = [t for t in TABLES.values() if t.required_file and t not in present]
    if missing:
        names = ", ".join(label(t) for t in missing)
        raise StructuralError(
            label(missing[0]), None, f"required {what} missing from {where} (missing: {names})"
        )


def _finish(table: Table, source: str, header: list[str], arrays: list[Any], rows: np.ndarray) -> RawTable:
    """Pick the contract columns, strip cells, empty → NA, skip all-empty rows, index = row numbers."""
    names = _check_header(table, source, header)
    wanted = table.all_columns
    for i in range(len(arrays)):  # in place: one column at a time is held twice, not the table
        arrays[i] = _clean(arrays[i])
    blank = _all_null(arrays)
    picked = {c: arrays[names.index(c)] for c in wanted if c in names}
    data = pa.table(picked) if picked else pa.table({})
    if blank is not None:
        keep = pc.invert(blank)
        data = data.filter(keep)
        rows = rows[keep.to_numpy(zero_copy_only=False)]
    data = pa.table({c: _dictionary_encoded(data[c], data.num_rows) for c in data.column_names}) if picked else data
    frame = data.to_pandas(types_mapper=_string_types)
    frame.index = pd.Index(rows, dtype=np.int64)
    return RawTable(table.name, source, frame)


def _dictionary_encoded(array: pa.ChunkedArray, rows: int) -> pa.ChunkedArray:
    """A big table's repetitive text column, dictionary-encoded: it reaches pandas as a categorical.

    Institution ids, clients, counties, parameter lists and the like repeat across millions of
    activities; a column whose distinct values are at most half its rows is stored once per value
    (values unchanged, memory a fraction). Unique columns (activity_id, report_no) stay plain strings.
    """
    if rows < DICTIONARY_MIN_ROWS:
        return array
    sample = array.slice(0, _DICTIONARY_SAMPLE)  # a unique column shows itself in its first rows
    if pc.count_distinct(sample).as_py() * 2 > len(sample):
        return array
    return pc.dictionary_encode(array)


def _check_header(table: Table, source: str, header: list[str]) -> list[str]:
    """The stripped column names; every required contract column once, none twice."""
    names = [h.strip() for h in header]
    for column in table.all_columns:
        if names.count(column) > 1:
            raise StructuralError(source, column, f"the header names this column {names.count(column)} times")
    missing = [c for c in table.columns if c not in names]
    if missing:
        raise StructuralError(source, missing[0], f"required column missing (missing: {', '.join(missing)})")
    return names


def _clean(array: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Strip surrounding whitespace; a cell left empty is null."""
    stripped = pc.utf8_trim_whitespace(array)
    empty = pc.equal(stripped, "")
    if pc.any(empty).as_py():  # only whitespace-only cells reach here; empty ones are null already
        stripped = pc.if_else(empty, pa.scalar(None, _ARROW_STRING), stripped)
    if isinstance(stripped, pa.Array):
        stripped = pa.chunked_array([stripped], _ARROW_STRING)
    return stripped


def _all_null(arrays: list[Any]) -> Any:
    """Mask of rows null in every column (arrays of one block, or whole chunked columns), or None when there is
    no such row."""
    if not arrays or len(arrays[0]) == 0:
        return None
    mask = pc.is_null(arrays[0])
    for array in arrays[1:]:
        if not pc.any(mask).as_py():
            return None
        mask = pc.and_(mask, pc.is_null(array))
    return mask if pc.any(mask).as_py() else None


def _string_types(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return _STRING
    return None


# ---------------------------------------------------------------------------------------- hashing


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot_hash(entries: dict[str, str]) -> str:
    """sha256 over "<file name>\\t<hex>\\n" lines in order of file name (module docstring)."""
    text = "".join(f"{name}\t{entries[name]}\n" for name in sorted(entries))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical_csv_sha256(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for text in _canonical_csv(frame):
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def _canonical_csv(frame: pd.DataFrame, batch: int = 100_000) -> Iterator[str]:
    """The frame as CSV text in batches: header, then rows; <NA> as empty; `\\n` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    columns = [frame[c].to_numpy(dtype=object, na_value=None) for c in frame.columns]
    for start in range(0, len(frame), batch):
        writer.writerows(_rows(columns, start, start + batch))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _rows(columns: list[np.ndarray], start: int, stop: int) -> Iterable[tuple[Any, ...]]:
    return zip(*(c[start:stop] for c in columns), strict=True)
