"""GX Data Docs that run nothing from data and open offline (issue 11 item 1, issue 12 item 6).

GX 1.x writes some data values (the unexpected values and their counts) into its pages unescaped, so a
`county` of `<script>…</script>` ran in the officer's browser. The pages are therefore built from a copy of
each validation result whose strings are HTML-escaped (`escaped_result`); the result the quarantine is
computed from is untouched. GX's pages also load bootstrap, jquery, font-awesome and the like from CDNs:
`make_offline` copies the vendored files (reports/vendor/gx-docs, with their licences) beside the pages and
points every URL at them, drops the chart scripts no page here uses, and names the suites' internal check
columns (`client_id__check_ok`, `key__first`) by the input column they check.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent.parent / "reports" / "vendor" / "gx-docs"
VENDOR_IN_DOCS = "static/vendor"
DOCS_ROWS = 1000  # failing rows listed per expectation in Data Docs (its table shows 10 per value)
_ROW_LISTS = ("unexpected_list", "unexpected_index_list")
_CDN = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "js/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "css/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "js/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "css/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "css/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "js/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "js/popper.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "js/jquery-3.7.1.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "css/fontawesome-all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "css/bootstrap-prefers-dark.css",
}  # fmt: skip
_CHART_SCRIPT = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\s*')
_GX_ASSET = re.compile(r"https://great-expectations-web-assets\.s3\.[^\"')]*")
_LINK_TAGS = re.compile(r'<(?:script|link)\b[^>]*(?:src|href)="https?://[^"]*"[^>]*>(?:\s*</script>)?')


def escaped(value: Any) -> Any:
    """`value` with every string in it (keys of dicts too) HTML-escaped: what GX may print unescaped."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {escaped(k): escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [escaped(v) for v in value]
    return value


def escaped_result(result: Any) -> Any:
    """A copy of a suite validation result for Data Docs only: every value it reports is HTML-escaped.

    The complete lists of failing rows are cut to DOCS_ROWS: GX stores and renders them in Python, which takes
    minutes for a million failing rows; the quarantine and validation/report.html name every row.
    """
    docs = copy.copy(result)
    items = []
    for item in result.results:
        item_copy = copy.copy(item)
        item_copy.result = escaped(_capped(item.result or {}))
        items.append(item_copy)
    docs.results = items
    return docs


def _capped(result: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v[:DOCS_ROWS] if k in _ROW_LISTS and isinstance(v, list) else v for k, v in result.items()}


def internal_columns(suite_json: Mapping[str, Any]) -> dict[str, str]:
    """The suite's check columns (derived, with `__`) → the input column each check reports on."""
    found: dict[str, str] = {}
    for spec in suite_json["expectations"]:
        column = (spec.get("kwargs") or {}).get("column")
        if isinstance(column, str) and "__" in column:
            found.setdefault(column, spec["meta"]["column"] or column.split("__")[0])
    return found


def make_offline(docs_dir: Path, renames: Mapping[str, Mapping[str, str]]) -> None:
    """Vendored assets beside the pages, every page's CDN URL pointed at them, internal columns renamed.

    `renames` holds each suite's own names (`key__first` checks activity_id in one suite, objection_id in
    another); a page that belongs to no suite (the index) gets them all.
    """
    shutil.copytree(VENDOR, docs_dir / VENDOR_IN_DOCS, dirs_exist_ok=True)
    everything = {k: v for names in renames.values() for k, v in names.items()}
    for page in docs_dir.rglob("*.html"):
        parts = page.relative_to(docs_dir).parts
        up = "../" * (len(parts) - 1)
        text = offline_text(page.read_text(encoding="utf-8"), up)
        text = renamed(text, renames.get(_suite_of(parts), everything))
        page.write_text(text, encoding="utf-8")
    for sheet in (docs_dir / "static").rglob("*.css"):
        sheet.write_text(_GX_ASSET.sub("../images/logo-long.png", sheet.read_text(encoding="utf-8")),
                         encoding="utf-8")


def renamed(text: str, names: Mapping[str, str]) -> str:
    """`text` with each internal column name (a whole word) replaced by the input column it checks."""
    if not names:
        return text
    pattern = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in sorted(names, key=len, reverse=True)))
    return pattern.sub(lambda m: names[m.group(0)], text)


def _suite_of(parts: tuple[str, ...]) -> str:
    """The suite a page shows: validations/<suite>/<run>/<time>/<batch>.html or expectations/<suite>.html."""
    if parts[0] == "validations" and len(parts) > 2:
        return parts[1]
    if parts[0] == "expectations" and len(parts) == 2:
        return Path(parts[1]).stem
    return ""


def offline_text(text: str, up: str) -> str:
    """One page with its CDN URLs relative to the docs folder (`up` leads there); any other remote asset dropped."""
    text = _CHART_SCRIPT.sub("", text)
    for url, local in _CDN.items():
        text = text.replace(url, f"{up}{VENDOR_IN_DOCS}/{local}")
    text = _GX_ASSET.sub(f"{up}static/images/logo-long.png", text)
    return _LINK_TAGS.sub("", text)  # an asset GX adds in a later version must not reach out either

