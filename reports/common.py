"""What the report modules share: templates, the words and date forms of notices, lists by county, CSV and XLSX.

R-01 (every list by county), R-20 (autoescaped HTML, formula-safe CSV and XLSX cells, reproducible bytes).
Pure: nothing here reads a file other than the templates, nor the clock. The rules a document states
(grade bands, 第十七条's direct grade, the procedure's working days) are passed in by the caller, from
`credit.rules.Rules`; `bands_or_rules` and `days_or_rules` are the fallback while a caller does not pass them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from reports.safe import csv_cell, safe_json, safe_text, starts_like_formula

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"



def _finalize(value: Any) -> Any:
    """Every value a template prints goes through the one text policy (reports/safe.py) before autoescape."""
    if isinstance(value, Markup):
        return Markup(safe_text(str(value)))  # a trusted fragment stays markup
    return safe_text(value) if isinstance(value, str) else value


# autoescape on for every template, whatever its file name; issue 11: safe_text on every value.
ENV = Environment(
    finalize=_finalize,
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

NOT_RATED = "不予评定"
NOT_RATED_NOTE = "评价期间未纳入名录管理"
OTHER_COUNTY = "未列明县（市、区）"
REGULATION = "《晋城市社会环境监测机构服务管理办法（试行）》"
NUMERALS = "〇一二三四五六七八九十"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_FORMAT = "yyyy-mm-dd"
WIDE_COLUMNS = 6  # a list sheet with more columns prints landscape


class Band(Protocol):
    """A grade band of 第十六条 (credit.indexsystem.GradeBand): inclusive lower bound in tenths of a point."""

    @property
    def grade(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def min(self) -> int: ...


class Context(Mapping[str, Any]):
    """A report context: a typed dataclass that templates and callers also read as a mapping (ctx["rows"], **ctx)."""

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self))  # type: ignore[arg-type]


# ---------------------------------------------------------------- words and dates


def cn_date(d: date) -> str:
    """2026年1月21日: the date form of Chinese official notices (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def as_date(value: date | str) -> date:
    """A date given as a date or as ISO text (what the store and `cycle status --json` hold)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def period_text(year: int) -> str:
    """第十四条: the evaluation period is the calendar year, 2025年1月1日至2025年12月31日."""
    return f"{cn_date(date(year, 1, 1))}至{cn_date(date(year, 12, 31))}"


def clause_label(clause: str) -> str:
    """第十七条第（七）项 for clause "7" (the clauses are the index system's; the numerals go up to 十)."""
    if not clause.isdigit() or not 1 <= int(clause) <= 10:
        raise ValueError(f"第十七条 clause must be a number 1–10, got {clause!r}")
    return f"第十七条第（{NUMERALS[int(clause)]}）项"


def clean_text(value: object) -> str:
    """A cell as clean text: NA → "", control characters → one space, then `safe_text`, surrounding spaces dropped."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return safe_text(_CONTROL.sub(" ", str(value))).strip()


def contact(bureau: Mapping[str, Any]) -> dict[str, str]:
    """Where objections go (rules/bureau.yaml `objections`): address, email, phone."""
    objections = bureau.get("objections", {}) or {}
    return {k: clean_text(objections.get(k)) for k in ("address", "email", "phone")}


def json_bytes(value: Any) -> bytes:
    """JSON as published: UTF-8, sorted keys, two-space indent, LF at the end; every string through `safe_text`."""
    return (json.dumps(safe_json(value), ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------- grades (第十六、十七条)


def grades_of(bands: Sequence[Band]) -> list[str]:
    """The grade letters in band order (the lowest risk first)."""
    return [b.grade for b in bands]


def direct_grade_of(bands: Sequence[Band]) -> str:
    """第十七条 直接评定: the highest-risk grade, the last band in band order."""
    return bands[-1].grade


def _points(tenths: int) -> str:
    whole, tenth = divmod(tenths, 10)
    return str(whole) if tenth == 0 else f"{whole}.{tenth}"


def band_rows(bands: Sequence[Band]) -> list[dict[str, str]]:
    """第十六条 wording for each band, built from the bands' inclusive lower bounds (tenths)."""
    rows = []
    for i, band in enumerate(bands):
        if i == 0:
            rule = f"得分在{_points(band.min)}分及以上"
        elif band.min == 0:
            rule = f"得分在{_points(bands[i - 1].min)}分以下"
        else:
            rule = f"得分在{_points(band.min)}分（含）—{_points(bands[i - 1].min)}分（不含）"
        rows.append(
            {"grade": band.grade, "label": band.label, "name": f"{band.grade}级（{band.label}）", "rule": rule}
        )
    return rows


def grade_display(institution_id: str, status: str, grade: str, clause: str, grades: set[str]) -> tuple[str, str, str]:
    """(grade key, grade text, note) of one result: 不予评定, "B级" or "D级（第十七条第（七）项）"."""
    if status == "not_rated":
        return NOT_RATED, NOT_RATED, NOT_RATED_NOTE
    if status == "rated" and grade in grades:
        return grade, (f"{grade}级（{clause_label(clause)}）" if clause else f"{grade}级"), ""
    raise ValueError(f"{institution_id}: status {status!r} with grade {grade!r} cannot be published")


def institution_rows(results: pd.DataFrame, grades: set[str]) -> list[dict[str, str]]:
    """Only the published columns are read (institution id, name, county, grade): no personal data."""
    rows = []
    for record in results.to_dict("records"):
        institution_id = clean_text(record.get("institution_id"))
        clause = clean_text(record.get("clause"))
        grade_key, grade_text, note = grade_display(
            institution_id, clean_text(record.get("status")), clean_text(record.get("grade")), clause, grades
        )
        rows.append(
            {
                "institution_id": institution_id,
                "name": clean_text(record.get("name")),
                "county": clean_text(record.get("county")),
                "grade": grade_key,
                "grade_text": grade_text,
                "grade_class": f"grade-{grade_key}" if grade_key in grades else "grade-none",
                "clause": clause,
                "note": note,
            }
        )
    return rows


def group_by_county(
    rows: list[dict[str, Any]], bureau: Mapping[str, Any], columns: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """R-01: rows in the configured county order (unknown counties last, under OTHER_COUNTY), then by id.

    Returns (counties, numbered rows, count rows, totals): each row gets `seq`; counts are per value of
    `columns` matched against each row's "grade", plus the county's total.
    """
    configured = [str(c) for c in bureau.get("counties", [])]
    order = {name: i for i, name in enumerate(configured)}
    rows = sorted(rows, key=lambda r: (order.get(r["county"], len(order)), r["county"], r["institution_id"]))

    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in configured}
    for r in rows:
        groups.setdefault(r["county"] if r["county"] in order else OTHER_COUNTY, []).append(r)

    published: list[dict[str, Any]] = []
    counties: list[dict[str, Any]] = []
    matrix: list[dict[str, Any]] = []
    for county, members in groups.items():
        for r in members:
            published.append({**r, "seq": len(published) + 1})
        counties.append({"name": county, "rows": published[len(published) - len(members) :]})
        counts = [sum(1 for r in members if r["grade"] == g) for g in columns]
        matrix.append({"county": county, "values": [*counts, len(members)]})
    totals = [sum(int(m["values"][i]) for m in matrix) for i in range(len(columns) + 1)]
    return counties, published, matrix, totals


def objection_paragraphs(bureau_name: str, last_day: date, review_working_days: int) -> list[str]:
    """How and until when to object (第十九条), in the words of every publicity notice."""
    return [
        f"参评社会监测机构、公众或者其他社会组织对信用风险等级评价结果有异议的，应在公示期内"
        f"（{cn_date(last_day)}24时前），以书面形式向{bureau_name}申请复核，并提供完整的佐证资料或证据。",
        "逾期未申请复核或未提供相应佐证材料的，视为无异议。",
        f"{bureau_name}在收到异议申请{review_working_days}个工作日内完成复核，并将复核意见书面告知异议人；"
        "复核需要现场核查、监测的，所需时间不计入复核期间（第十九条）。",
    ]


# ---------------------------------------------------------------- the rules of a document, until callers pass them

PROCEDURE_KEYS = {
    "publicity": "publicity_working_days",  # 第十八条 公示期
    "review": "objection_review_working_days",  # 第十九条 复核期限
    "publication": "publication_working_days",  # 第二十条 公布期限
}


def bands_or_rules(grade_bands: Sequence[Band] | None, *, index_version: str | None = None,
                   year: int | None = None) -> list[Band]:
    """The grade bands given; else those of the index system named (or in force for `year`) in rules/index/.

    The fallback reads rules/ and is there for callers that do not pass `rules.index.grades` yet.
    """
    if grade_bands is not None:
        return list(grade_bands)
    return list(_index_bands(index_version, year))


@lru_cache(maxsize=8)
def _index_bands(index_version: str | None, year: int | None) -> tuple[Band, ...]:
    from credit.indexsystem import load_index_system
    from credit.rules import version_in_force

    if index_version is None:
        if year is None:
            raise ValueError("grade bands: pass grade_bands (rules.index.grades), an index version or a year")
        index_version = version_in_force("index", date(year, 1, 1))
    return tuple(load_index_system(index_version).grades)


def days_or_rules(days: int | None, limit: str) -> int:
    """A time limit in working days as given; else rules/procedure.yaml's (`limit`: publicity, review, publication).

    The fallback reads rules/ and is there for callers that do not pass `rules.procedure` values yet.
    """
    if days is not None:
        return int(days)
    return _procedure_days()[limit]


@lru_cache(maxsize=1)
def _procedure_days() -> dict[str, int]:
    from credit.rules import Bureau

    procedure = Bureau.load().procedure
    return {limit: int(procedure[key]) for limit, key in PROCEDURE_KEYS.items()}


# ---------------------------------------------------------------- CSV and XLSX


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as published: UTF-8 with BOM, CRLF, header row; every cell through csv_cell (R-20)."""
    return b"".join(csv_chunks(columns, rows))


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, chunk_rows: int = 10_000) -> Iterator[bytes]:
    """`csv_bytes` in pieces of `chunk_rows` rows, to write a national-scale CSV without holding it all."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(columns)
    seen: dict[str, str] = {}  # text repeats (codes, names, words): csv_cell once per distinct text
    for i, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(v, seen) if isinstance(v, str) else csv_cell(v) for v in row])
        if i % chunk_rows == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _csv_text(value: str, seen: dict[str, str]) -> str:
    cell = seen.get(value)
    if cell is None:
        cell = seen[value] = csv_cell(value)
    return cell


def put_cell(ws: Any, row: int, column: int, value: Any) -> None:
    """R-20: text (through `safe_text`: XML-illegal characters make the file unreadable) is always a string
    cell; formula-like text also gets quotePrefix (shown as typed). A date is a date cell shown yyyy-mm-dd,
    so an officer can sort and filter by it (issue 12 item 8)."""
    if isinstance(value, str):
        value = safe_text(value)
    if value == "":
        return  # an empty cell, not an empty string
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if isinstance(value, str):
        cell.data_type = "s"
        if starts_like_formula(value):
            cell.quotePrefix = True


def stream_cell(ws: Any, value: Any, *, number_format: str = "") -> Any:
    """`put_cell`'s rule for a write-only sheet: what to append for `value` (None is an empty cell).

    Text through `safe_text`; formula-like text becomes a string cell with quotePrefix (R-20: appended as
    a plain value openpyxl would take it for a formula); a date is a date cell shown yyyy-mm-dd;
    `number_format` (column B's "@") is kept on an empty cell too. Other values are appended as they are.
    """
    if isinstance(value, str):
        value = safe_text(value) or None
    plain = not (number_format or isinstance(value, date) or (isinstance(value, str) and starts_like_formula(value)))
    if plain:
        return value
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, date) or number_format:
        cell.number_format = DATE_FORMAT if isinstance(value, date) else number_format
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = starts_like_formula(value)
    return cell


def write_list_sheet(
    ws: Any,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
    *,
    date_columns: Sequence[int] = (),
    mark: str = "",
) -> None:
    """A list sheet: bold header, frozen and filterable, column B (the credit code) as text (R-20).

    `date_columns` (1-based) hold ISO dates that become date cells. A `mark` (the draft's 草稿) takes row 1
    above the header, and is printed at the top of every page with the header row repeated under it.
    """
    ws.title = title
    top = 2 if mark else 1
    if mark:
        put_cell(ws, 1, 1, mark)
        ws.cell(row=1, column=1).font = Font(bold=True, size=14, color="C00000")
    for col, name in enumerate(columns, start=1):
        put_cell(ws, top, col, name)
        ws.cell(row=top, column=col).font = Font(bold=True)
    last = top
    for i, row in enumerate(rows, start=top + 1):
        last = i
        for col, value in enumerate(row, start=1):
            put_cell(ws, i, col, _as_cell_date(value) if col in date_columns else value)
            if col == 2:
                ws.cell(row=i, column=col).number_format = "@"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{top + 1}"
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{last}"
    set_print(ws, landscape=len(columns) > WIDE_COLUMNS, title_rows=f"1:{top}", mark=mark)


def write_list_sheet_streamed(
    wb: Workbook,
    title: str,
    columns: Sequence[str],
    widths: Sequence[int],
    *,
    row_count: int,
) -> Any:
    """The frame of `write_list_sheet` (no mark) on a write-only workbook: header, widths, frozen filterable
    header and print settings; the rows are added by `stream_rows_xml`. `row_count` sizes the filter range."""
    ws = wb.create_sheet(title)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{row_count + 1}"
    set_print(ws, landscape=len(columns) > WIDE_COLUMNS, title_rows="1:1", mark="")
    bold = Font(bold=True)
    header = [stream_cell(ws, name) for name in columns]
    header = [cell if isinstance(cell, Cell) else WriteOnlyCell(ws, cell) for cell in header]
    for cell in header:
        cell.font = bold
    ws.append(header)
    return ws


def stream_rows_xml(ws: Any, rows: Iterable[Sequence[Any]], *, date_columns: Sequence[int] = (),
                    chunk_rows: int = 5_000) -> Iterator[bytes]:
    """The `<row>` elements of a list sheet's data rows (from row 2), in UTF-8 pieces, as openpyxl's
    write-only writer would write the cells `write_list_sheet` makes: put_cell's rule (R-20 text cells
    with quotePrefix, dates as date cells, "" empty) and column B as text. Written as text, not cell
    objects: national scale's 3 million cells cost openpyxl's per-cell XML serialiser a minute. Give
    them to stable_workbook_bytes (`rows`), which streams them into the zip before `</sheetData>`;
    tests/unit/test_render_big.py holds them to openpyxl's own output.

    The styles are registered here, before the workbook is saved (the pieces are made after)."""
    styles = {key: _style_attr(ws, *key) for key in (("@", False), (DATE_FORMAT, False), ("", True), ("@", True))}
    styles[("", False)] = ""
    dates, epoch = set(date_columns), ws.parent.epoch

    def pieces() -> Iterator[bytes]:
        out: list[str] = []
        for r, row in enumerate(rows, start=2):
            out.append(f'<row r="{r}">')
            for col, value in enumerate(row, start=1):
                value = _as_cell_date(value) if col in dates else value
                out.append(_cell_xml(f"{get_column_letter(col)}{r}", value, "@" if col == 2 else "", styles, epoch))
            out.append("</row>")
            if r % chunk_rows == 0:
                yield "".join(out).encode("utf-8")
                out.clear()
        yield "".join(out).encode("utf-8")

    return pieces()


def _style_attr(ws: Any, number_format: str, quote: bool) -> str:
    cell = WriteOnlyCell(ws)
    if number_format:
        cell.number_format = number_format
    cell.quotePrefix = quote
    return f' s="{cell.style_id}"'


def _cell_xml(ref: str, value: Any, number_format: str, styles: Mapping[tuple[str, bool], str], epoch: Any) -> str:
    if isinstance(value, str):
        value = safe_text(value)
    if value is None or value == "":
        return f'<c r="{ref}"{styles[(number_format, False)]} t="n" />' if number_format else ""
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if value.strip() and value != value.strip() else ""
        return (f'<c r="{ref}"{styles[(number_format, starts_like_formula(value))]} t="inlineStr">'
                f"<is><t{space}>{text}</t></is></c>")
    if isinstance(value, date):
        style = styles[(number_format or DATE_FORMAT, False)]
        return f'<c r="{ref}"{style} t="n"><v>{safe_string(to_excel(value, epoch))}</v></c>'
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return f'<c r="{ref}"{styles[(number_format, False)]} t="n"><v>{safe_string(value)}</v></c>'
    raise TypeError(f"{ref}: no list-sheet cell for {type(value).__name__}")


def write_notes_sheet(ws: Any, title: str, lines: Sequence[str], *, heading_row: int, mark: str = "") -> None:
    """A notice as one wrapped line per row of column A, the heading row in large bold type."""
    ws.title = title
    ws.column_dimensions["A"].width = 100
    for i, line in enumerate(lines, start=1):
        put_cell(ws, i, 1, line)
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=heading_row, column=1).font = Font(bold=True, size=14)
    set_print(ws, landscape=False, title_rows="", mark=mark)


def set_print(ws: Any, *, landscape: bool, title_rows: str, mark: str) -> None:
    """Print settings an officer needs no dialog for: A4, fit to one page wide (as many pages tall as it takes),
    landscape for a wide list, the header rows on every page, and a draft's mark in every page header."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a class constant: a write-only sheet has it not
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows
    if mark:
        ws.oddHeader.center.text = mark
        ws.oddHeader.center.size = 14
        ws.oddHeader.center.font = "宋体,Bold"


def _as_cell_date(value: Any) -> Any:
    """ISO text of a date column as a date; an empty cell stays empty and other text stays as it is."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return date.fromisoformat(value)
    return value


def stable_workbook_bytes(wb: Workbook, *, title: str, creator: str, when: datetime,
                          rows: Mapping[str, Iterable[bytes]] | None = None) -> bytes:
    """The workbook's bytes, reproducible: document properties and zip timestamps are all `when`.

    `rows` maps a sheet's zip member (`xl/worksheets/sheet1.xml`) to pieces of row XML (stream_rows_xml),
    compressed into the zip as they come, before the sheet's `</sheetData>`."""
    wb.properties.title = title
    wb.properties.creator = creator
    wb.properties.created = when
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps `modified` with the clock here; _stable_zip puts it back
    wb.properties.modified = when
    core = tostring(wb.properties.to_tree())
    return _stable_zip(buffer.getvalue(), when, {"docProps/core.xml": core}, rows or {})


def _stable_zip(data: bytes, when: datetime, replace: Mapping[str, bytes],
                rows: Mapping[str, Iterable[bytes]]) -> bytes:
    """Rewrite a zip with every entry dated `when` (and `replace`d members, `rows` streamed into their
    sheets), so bytes are reproducible."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            if info.filename not in rows:
                dst.writestr(member, replace.get(info.filename, src.read(info.filename)))
                continue
            head, tail = src.read(info.filename).rsplit(b"</sheetData>", 1)
            with dst.open(member, "w") as sheet:  # a sheet over 2 GiB uncompressed would need force_zip64
                sheet.write(head)
                for piece in rows[info.filename]:
                    sheet.write(piece)
                sheet.write(b"</sheetData>" + tail)
    return out.getvalue()
