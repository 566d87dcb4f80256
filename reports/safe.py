"""Safe output (R-20): one text policy for every format, cells that never run as formulas, files in their folder.

The text policy (`safe_text`, issue 11 items 3 and 4): characters XML 1.0 cannot hold are removed (an XLSX
with U+FFFE does not open), and bidi controls are stripped (U+202E makes "A级→D级" read "D级→A级"). It is
applied to every text value written to HTML, CSV, XLSX and JSON. HTML escaping is not here: the Jinja2
environment in reports/common.py autoescapes every value (after `safe_text`, as its finalize).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # path_inside serves the read-only commands, which load no pandas (issue 14)
    import pandas as pd

# XML 1.0 Char is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; C1 controls
# (U+007F-U+009F) are legal but invisible and mean nothing in published text, so they go too.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Bidi embeddings, overrides and isolates, the LRM/RLM marks and the Arabic letter mark.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def safe_text(value: str) -> str:
    """`value` without XML-illegal characters, C1 controls and bidi controls: safe in every published format."""
    return _BIDI.sub("", _XML_ILLEGAL.sub("", value))


def safe_json(value: Any) -> Any:
    """`value` with every string in it (keys too) through `safe_text`: what JSON output writes."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_json(k): safe_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_json(v) for v in value]
    return value

# a spreadsheet reads a cell starting with one of these as a formula (or as the start of one:
# tab and CR/LF are used to smuggle a formula past a naive check).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def starts_like_formula(value: str) -> bool:
    """True when a spreadsheet could take `value` for a formula (R-20)."""
    return value.startswith(FORMULA_TRIGGERS)


def csv_cell(value: object) -> str:
    """R-20: the text of a CSV cell (through `safe_text`), with an apostrophe in front when it could start a formula.

    CSV has no cell types, so the apostrophe (the OWASP recommendation) is what makes Excel, WPS and
    LibreOffice show the cell as text; the apostrophe is then visible, which is the price of safety.
    """
    text = "" if value is None else safe_text(str(value))
    return "'" + text if starts_like_formula(text) else text


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """R-20 for a frame written with `to_csv`: every text cell through `csv_cell`, nulls and numbers kept.

    Numeric columns are left alone: a negative number is a number in every spreadsheet, never a formula.
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = _csv_column(series)
    return out


def _csv_column(series: pd.Series) -> pd.Series:
    """`csv_cell` over a text column, once per distinct value (national findings repeat most values);
    a column holding anything but text (and nulls) is done cell by cell, so 1, 1.0 and "1" stay apart."""
    import numpy as np
    import pandas as pd

    if pd.api.types.infer_dtype(series, skipna=True) not in {"string", "empty"}:
        return series.map(lambda v: v if not isinstance(v, str) else csv_cell(v)).astype(object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = np.array([csv_cell(v) for v in uniques] + [None], dtype=object)  # code -1 (null) → the last
    return pd.Series(cleaned[codes], index=series.index, dtype=object)


class UnsafePathError(ValueError):
    """R-20: a file name that would leave the output folder it was written for."""


def path_inside(out_dir: Path | str, name: str) -> Path:
    """R-20: `out_dir / name`, refusing names that are absolute, have parts or escape the folder.

    Output file names are chosen by the program; this guards against one ever being taken from data.
    """
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise UnsafePathError(f"not a plain file name: {name!r}")
    base = Path(out_dir).resolve()
    target = (base / name).resolve()
    if target.parent != base:
        raise UnsafePathError(f"{name!r} would be written outside {base}")
    return target
