"""Issue 11 Acceptance: a hostile drop through evaluate → publicize → advance → site build, on both databases.

Every free-text column of the first rows carries one of a script, a formula, U+202E, U+FFFE/U+FFFF or a
40,000-character value (in turn), and the last row of each table carries them in every other column too. No
script runs in any page (Chromium), no live formula is left in any CSV or XLSX, every XLSX reopens, and every
table counts read = accepted + quarantined.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.annual_evaluation import annual_evaluation
from flows.lifecycle import advance_flow, publicize_flow
from flows.site_build import site_build
from reports.safe import starts_like_formula
from tests.browser.conftest import browser  # noqa: F401 - the module-scoped Chromium
from tests.support.paths import EXAMPLE_DROP

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-lifecycle")]

SCRIPT = "<script>document.title='X'</script><img src=x onerror=\"document.title='Y'\">"
PAYLOADS = (SCRIPT, '=HYPERLINK("http://x","y")', "abc\u202efdp.exe", "名\ufffe称\uffff", "长" * 40_000)
FREE_TEXT = {
    "institutions": ("name", "address", "legal_nature"),
    "activities": ("institution_name", "client_name", "parameters", "report_no"),
    "credit_events": ("document_no", "summary"),
    "equipment": ("name",),
    "objections": ("filer_name", "claim"),
    "personnel": ("name",),
    "qualifications": ("method_standard",),
}
KEYS = {"institution_id", "activity_id", "event_id", "objection_id", "person_id", "equipment_id", "client_id",
        "subject_id", "signatory_id"}


HOSTILE_ROWS = 10  # every payload twice per table; more rows only make the run slower


def hostile(value: str, i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)] + value


def write_hostile_drop(folder: Path) -> Path:
    folder.mkdir()
    for source in sorted(EXAMPLE_DROP.glob("*.csv")):
        with source.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        free = FREE_TEXT.get(source.stem, ())
        for i, row in enumerate(rows[:HOSTILE_ROWS]):
            for column in free:
                row[column] = hostile(row[column], i)
        for i, column in enumerate(c for c in rows[-1] if c not in KEYS and c not in free):
            rows[-1][column] = hostile(rows[-1][column], i)
        with (folder / source.name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture
def outputs(db_url, tmp_path, var_dir) -> Path:
    drop = write_hostile_drop(tmp_path / "drop")
    annual_evaluation(drop=str(drop), year=2025, out=str(tmp_path / "out" / "eval"), as_of=date(2026, 1, 20),
                      db_url=db_url, by="test")
    publicize_flow(year=2025, on=date(2026, 2, 2), out=str(tmp_path / "out" / "pub"), db_url=db_url, by="test")
    advance_flow(as_of=date(2026, 3, 2), outbox=str(tmp_path / "out" / "outbox"), publish_dir=str(tmp_path / "out" / "web"),
                 db_url=db_url, by="test", site=str(tmp_path / "out" / "site"))
    site_build(out=str(tmp_path / "out" / "site-later"), as_of=date(2026, 3, 16), db_url=db_url)
    return tmp_path / "out"


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_hostile_drop_leaves_nothing_live_in_any_output(browser, outputs: Path) -> None:  # noqa: F811
    counts = list(csv.DictReader(io.StringIO((outputs / "eval" / "validation" / "counts.csv").read_text("utf-8-sig"))))
    assert counts and all(int(c["read"]) == int(c["accepted"]) + int(c["quarantined"]) for c in counts)
    csvs, books = sorted(outputs.rglob("*.csv")), sorted(outputs.rglob("*.xlsx"))
    assert {p.name for p in csvs} >= {"results.csv", "findings.csv", "quarantine.csv", "warnings.csv"}
    assert {p.name for p in books} >= {"publicity.xlsx", "final_results.xlsx"}
    for path in csvs:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
            live = [cell for cell in row if starts_like_formula(cell) and not is_number(cell)]
            assert live == [], f"{path.relative_to(outputs)}: {live[0][:60]!r}"
    for path in books:
        for ws in load_workbook(path).worksheets:  # reopens: no XML-illegal character in it
            for cell in (c for row in ws.iter_rows() for c in row if isinstance(c.value, str)):
                assert cell.data_type == "s", f"{path.name} {cell.coordinate}: a formula"
                assert not starts_like_formula(cell.value) or cell.quotePrefix, f"{path.name} {cell.coordinate}"
    pages = sorted(outputs.rglob("*.html"))
    shown = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;script&gt;document.title" in shown and "abcfdp.exe" in shown  # the payloads reached the pages
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.title() not in {"X", "Y"}, f"{path.relative_to(outputs)}: a script from data ran"
    page.close()
