"""Issue 11 item 1 and issue 12 item 6: GX Data Docs run no markup from data and open with the network blocked.

Every enum-like column of every table carries a script and an `onerror` image; every page that GX writes is
opened in headless Chromium from the file system, with every request that is not file:// aborted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.drop_io import Drop, RawTable, read_drop
from tasks.validation import validate_drop
from tests.support.paths import EXAMPLE_DROP

SCRIPT = "<script>document.title='X'</script>"
IMAGE = "<img src=x onerror=\"document.title='Y'\">"
# The columns a suite checks against a closed set of values (the contract's enums, the bureau's counties,
# the index system's indicators and clauses).
HOSTILE_COLUMNS = {
    "institutions": ("county", "status"),
    "personnel": ("role",),
    "changes": ("item",),
    "activities": ("kind", "client_role", "county"),
    "credit_events": ("source", "indicator", "verified", "clause"),
    "objections": ("filer_kind", "has_evidence"),
}
COUNTIES = ["城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"]
AUTO = {"JB-01", "JB-02", "JB-03", "JB-04", "YW-01", "YW-02", "YW-03", "YW-04", "JY-01"}
EVENT = {
    "JB-05", "YW-05", "YW-06", "YW-07", "JY-02", "JY-03", "JY-04",
    "CX-01", "CX-02", "CX-03", "CX-04", "CX-05", "BN-01", "BN-02", "BN-03",
}  # fmt: skip


def hostile_drop() -> Drop:
    """The worked example with row 1 of each enum column set to a script, row 2 to an image (both in a 1-row table)."""
    drop = read_drop(EXAMPLE_DROP)
    tables = dict(drop.tables)
    for name, columns in HOSTILE_COLUMNS.items():
        raw = tables[name]
        frame = raw.frame.copy()
        for column in columns:
            at = frame.columns.get_loc(column)
            frame.iloc[0, at] = SCRIPT
            frame.iloc[min(1, len(frame) - 1), at] = IMAGE if len(frame) > 1 else SCRIPT + IMAGE
        tables[name] = RawTable(name=raw.name, source=raw.source, frame=frame)
    return Drop(tables=tables, snapshot=drop.snapshot, origin=drop.origin)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "data-docs"
    validated = validate_drop(hostile_drop(), event_indicators=EVENT, auto_indicators=AUTO, counties=COUNTIES,
                              docs_dir=out)
    assert set(validated.quarantine["table"]) >= set(HOSTILE_COLUMNS)
    return out


def pages(docs: Path) -> list[Path]:
    found = sorted(docs.rglob("*.html"))
    assert docs / "index.html" in found
    return found


def open_offline(browser, path: Path) -> tuple[str, list[str]]:
    """The page's title after it settled, and every request it tried that left the file system."""
    page = browser.new_page()
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # let any handler that data could have added run; not an assertion on time
    title = page.title()
    body = page.inner_text("body")
    page.close()
    assert body.strip(), f"{path.name}: renders nothing"
    return title, outside


def test_no_script_from_data_runs_and_no_request_leaves_the_file_system(browser, docs: Path, artifacts: Path) -> None:
    validation_pages = [p for p in pages(docs) if "validations" in p.parts]
    assert {p.parts[-4] for p in validation_pages} >= set(HOSTILE_COLUMNS)
    for path in pages(docs):
        title, outside = open_offline(browser, path)
        assert title not in {"X", "Y"}, f"{path.relative_to(docs)}: a script from data ran"
        assert outside == [], f"{path.relative_to(docs)} requested {outside}"
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page.goto(next(p for p in validation_pages if "institutions" in p.parts).as_uri())
    assert SCRIPT in page.inner_text("body")  # shown as the text it is, once escaped, not twice
    assert page.evaluate("typeof jQuery") == "function"  # the vendored scripts loaded
    page.screenshot(path=str(artifacts / "data-docs-institutions.png"), full_page=True)
    page.close()


def test_the_hostile_values_are_escaped_in_the_files(docs: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages(docs) if "validations" in p.parts)
    assert "<script>document.title" not in text
    assert "<img src=x" not in text


def test_data_docs_hide_the_internal_columns(docs: Path) -> None:
    for path in pages(docs):
        text = path.read_text(encoding="utf-8")
        assert "client_id__check_ok" not in text and "key__first" not in text, path.relative_to(docs)


def test_each_page_names_the_input_columns_of_its_own_suite(docs: Path) -> None:
    """`key__first` checks activity_id in activities and objection_id in objections: each page says its own."""
    page = next(p for p in pages(docs) if "validations" in p.parts and "activities" in p.parts)
    text = page.read_text(encoding="utf-8")
    assert "activity_id" in text and "objection_id" not in text
