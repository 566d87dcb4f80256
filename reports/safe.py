"""Safe output (R-20): spreadsheet cells that never run as formulas, files that stay in their folder.

HTML escaping is not here: the Jinja2 environment in reports/render.py autoescapes every value.
"""

from __future__ import annotations

from pathlib import Path

# a spreadsheet reads a cell starting with one of these as a formula (or as the start of one:
# tab and CR/LF are used to smuggle a formula past a naive check).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def starts_like_formula(value: str) -> bool:
    """True when a spreadsheet could take `value` for a formula (R-20)."""
    return value.startswith(FORMULA_TRIGGERS)


def csv_cell(value: object) -> str:
    """R-20: the text of a CSV cell, with an apostrophe in front when it could start a formula.

    CSV has no cell types, so the apostrophe (the OWASP recommendation) is what makes Excel, WPS and
    LibreOffice show the cell as text; the apostrophe is then visible, which is the price of safety.
    """
    text = "" if value is None else str(value)
    return "'" + text if starts_like_formula(text) else text


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
