"""Each evaluated institution's own 信用风险等级评价结果告知书 (issue 13; 第十四—十九条), written and counted.

`issue_notices(uow, rules, inputs)` writes one notice per current result whose publicity has begun
(第十八条) and that has no notice yet: HTML and PDF in `var/notices/<year>/<institution_id>/<version>.*`,
numbered in the bureau's pattern (rules/bureau.yaml `notices.number`), recorded in the store. It is
idempotent: a second call writes nothing, and a result changed by an upheld objection or a 第十七条
event (a new version) gets a new notice, for that institution only. Delivery is tasks/deliver.py's.
A PDF that cannot be printed (no Chromium) leaves the HTML, logged; the notice then goes by post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from credit.lifecycle import STARTED
from credit.rules import Rules
from reports.notices import NoticeFacts, notice_context, render_notice_html
from reports.safe import path_inside
from tasks.notice_status import FAILED, POST, SENT, notice_counts  # noqa: F401 - notice_counts used by callers
from tasks.pdf import PdfError, print_pdfs
from tasks.reporting import run_logger


@dataclass(frozen=True)
class NoticeInput:
    """Write the notices of `year` issued on `issued_on` under `folder` (var/notices); one institution if given."""

    year: int
    issued_on: date
    folder: Path
    at: datetime
    institution: str | None = None
    pdf: bool = True  # settings.notice_pdf: off, the notices are HTML only and go by post


@dataclass
class NoticeReport:
    """The notices written: (institution_id, version, 文号), their files, and a PDF problem if any."""

    year: int
    issued: list[tuple[str, int, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    pdf_error: str | None = None


def notice_number(rules: Rules, year: int, sequence: int) -> str:
    """晋环信告〔2026〕3号: rules/bureau.yaml's pattern, the year of issue, the sequence in that year."""
    return str(rules.bureau.settings["notices"]["number"]).format(year=year, sequence=sequence)


def notice_folder(root: Path, year: int, institution_id: str) -> Path:
    """var/notices/<year>/<institution_id>/, never outside `root` (R-20; ids are validated codes)."""
    folder = path_inside(path_inside(root, str(year)), institution_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def issue_notices(uow: Any, rules: Rules, given: NoticeInput) -> NoticeReport:
    """Write and record a notice for every current result in or past publicity that has none yet."""
    cycle = uow.lifecycle.cycle(given.year)
    rules = rules.with_index(cycle.index_version)
    report = NoticeReport(given.year)
    due = [r for r in uow.lifecycle.current(cycle) if r.state in STARTED and _wanted(uow, given, r)]
    if not due:
        return report
    rows = _rows(uow.lifecycle.results_frame(cycle))
    findings = uow.evaluations.findings_for(given.year)
    numbers = _Numbers(uow)
    pages = [_write_html(uow, rules, given, result, rows[result.institution_id], findings, numbers)
             for result in due]
    report.pdf_error = (_print([(page.html, page.pdf) for page in pages]) if given.pdf
                        else "告知书 PDF 已按设置关闭（notice_pdf / CREDIT_NOTICE_PDF），仅生成 HTML，将邮寄纸质件")
    for page in pages:
        printed = report.pdf_error is None
        uow.notices.add_notice(given.year, page.institution_id, page.version, page.number, page.sequence,
                               page.issued_on, str(page.html), str(page.pdf) if printed else None, given.at)
        report.issued.append((page.institution_id, page.version, page.number))
        report.written += [str(page.html), *([str(page.pdf)] if printed else [])]
    return report


def _wanted(uow: Any, given: NoticeInput, result: Any) -> bool:
    if given.institution is not None and result.institution_id != given.institution:
        return False
    return uow.notices.notice(given.year, result.institution_id, result.version) is None


def _rows(results: pd.DataFrame) -> dict[str, dict[str, Any]]:
    records = results.astype(object).where(results.notna(), "").to_dict("records")
    return {str(row["institution_id"]): row for row in records}


@dataclass(frozen=True)
class _Page:
    institution_id: str
    version: int
    number: str
    sequence: int
    issued_on: date
    html: Path
    pdf: Path


class _Numbers:
    """The next 文号 sequence of each year of issue, going on from the last one stored."""

    def __init__(self, uow: Any) -> None:
        self.uow, self.last = uow, dict[int, int]()

    def next(self, year: int) -> int:
        if year not in self.last:
            self.last[year] = self.uow.notices.last_sequence(year)
        self.last[year] += 1
        return self.last[year]


def _write_html(uow: Any, rules: Rules, given: NoticeInput, result: Any, row: Mapping[str, Any],
                findings: pd.DataFrame, numbers: _Numbers) -> _Page:
    """The notice's HTML in the institution's folder, with only that institution's findings.

    It is dated the first day of this version's publicity (第十八条), when the publicity has a date.
    """
    own = findings[findings["institution_id"] == result.institution_id]
    issued_on = result.publicity_on or given.issued_on
    sequence = numbers.next(issued_on.year)
    number = notice_number(rules, issued_on.year, sequence)
    facts = NoticeFacts(number, issued_on, given.year, result.version, result.publicity_on,
                        result.publicity_last_day, rules.procedure.publicity, rules.procedure.review,
                        changed=bool(uow.notices.notices(given.year, result.institution_id)))
    ctx = notice_context(row, own.astype(object).to_dict("records"), rules.index, rules.bureau.settings, facts)
    folder = notice_folder(given.folder, given.year, result.institution_id)
    html = path_inside(folder, f"{result.version}.html")
    html.write_text(render_notice_html(ctx), encoding="utf-8")
    return _Page(result.institution_id, result.version, number, sequence, issued_on, html,
                 path_inside(folder, f"{result.version}.pdf"))


def _print(pages: list[tuple[Path, Path]]) -> str | None:
    """Print the batch in one browser; a failure is logged and returned (the HTML stays, the post takes it)."""
    try:
        print_pdfs(pages)
    except (PdfError, OSError) as error:
        run_logger(__name__).warning("告知书 PDF 未生成，仅保留 HTML（将邮寄纸质件）：%s", error)
        return str(error)
    return None
