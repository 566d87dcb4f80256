"""CSV intake of inspections, their findings and complaints (R-06, R-07, R-09), all or nothing.

Files (UTF-8, with or without BOM; `;` separates list items; empty cell = none):
- inspections: inspection_id, institution_id, inspected_on, method, matters, inspectors[, summary]
  [, institution_name] (the name defaults to the store's registry; a notice needs one)
- findings: inspection_id, situation, measure, facts, issued_on[, rectify_by, interview_at, interview_place]
  [, outcome, verified_on, decided_on, note] — `situation` is the 第十条 item 1–6; `outcome` empty or
  `pending` leaves the finding to be verified later.
- complaints: complaint_id, institution_id, channel, received_on, summary[, complainant]
  [, outcome, verified_on, decided_on, note]

One transaction per import: any bad row refuses the whole file with every error found, each naming
the file, row (header = row 1) and column, so nothing is half-imported. An inspection or complaint
whose id is already recorded with the same facts is skipped (a file imported twice changes nothing;
an inspection's findings come with it); the same id with other facts is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from credit.rules import Rules
from store.lifecycle import Actor
from tasks.supervision import (
    ComplaintInput,
    FindingInput,
    HasSupervision,
    InspectionInput,
    OutcomeInput,
    SupervisionError,
    add_complaint,
    add_finding,
    add_inspection,
    settle,
)
from tasks.text_csv import read_text_csv

INSPECTION_COLUMNS = ("inspection_id", "institution_id", "inspected_on", "method", "matters", "inspectors")
FINDING_COLUMNS = ("inspection_id", "situation", "measure", "facts", "issued_on")
COMPLAINT_COLUMNS = ("complaint_id", "institution_id", "channel", "received_on", "summary")
OUTCOME_COLUMNS = ("outcome", "verified_on", "decided_on", "note")
MAX_ERRORS = 20


@dataclass(frozen=True)
class InspectionImport:
    """An inspections CSV, optionally a findings CSV, and the folder of the measure documents."""

    inspections: Path
    findings: Path | None
    out_dir: Path


@dataclass(frozen=True)
class InspectionImportReport:
    inspections: int  # recorded now
    unchanged: int  # already recorded with the same facts
    findings: int
    documents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ComplaintImport:
    file: Path


@dataclass(frozen=True)
class ComplaintImportReport:
    complaints: int
    unchanged: int


@dataclass
class Row:
    """One CSV row: its cells and where it is, for messages that name the file, row and column."""

    file: str
    number: int
    cells: dict[str, str]
    id_column: str = ""  # the column `--id` comes from (inspection_id, complaint_id)

    def where(self, column: str) -> str:
        return f"{self.file} 第{self.number}行，{column}"

    def text(self, column: str) -> str | None:
        return self.cells.get(column) or None

    def day(self, column: str, required: bool = True) -> date | None:
        value = self.text(column)
        if value is None:
            if required:
                raise SupervisionError(f"{self.where(column)}：为空")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise SupervisionError(f"{self.where(column)}：{value!r} 不是 YYYY-MM-DD 格式的日期") from None

    def required_day(self, column: str) -> date:
        """The date in `column`, which must be given."""
        value = self.day(column)
        assert value is not None  # day() raises on an empty required cell
        return value

    def items(self, column: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in (self.text(column) or "").split(";") if part.strip())


def read_rows(path: Path, required: tuple[str, ...]) -> list[Row]:
    """The rows of a UTF-8 CSV as stripped text, refusing a file without the required columns."""
    path = Path(path)
    frame = read_text_csv(path, required, SupervisionError)
    records = frame.apply(lambda column: column.str.strip()).to_dict("records")
    return [Row(path.name, number, record, required[0]) for number, record in enumerate(records, start=2)]


def import_inspections(uow: HasSupervision, rules: Rules, given: InspectionImport,
                       actor: Actor) -> InspectionImportReport:
    """Record the inspections of a CSV and the findings of another, all or nothing; render every finding's document.

    Any bad row raises with every error found; the caller's unit of work then rolls back, and the documents
    this import wrote are removed.
    """
    rows = read_rows(given.inspections, INSPECTION_COLUMNS)
    finding_rows = read_rows(given.findings, FINDING_COLUMNS) if given.findings is not None else []
    recorded: set[str] = set()
    skipped: set[str] = set()
    documents: list[str | None] = []
    try:
        errors = _each(rows, lambda r: _inspection(uow, rules, r, actor, recorded, skipped))
        errors += _each(finding_rows, lambda r: documents.append(
            _finding(uow, rules, r, given.out_dir, actor, skipped)))
        _raise(errors)
        uow.flush()  # what the database refuses is refused here, while the documents can still be taken back
    except Exception:
        for path in filter(None, documents):  # the import is refused whole: its documents go too
            Path(path).unlink(missing_ok=True)
        raise
    written = [d for d in documents if d]
    return InspectionImportReport(inspections=len(recorded), unchanged=len(skipped), findings=len(written),
                                  documents=written)


def _inspection(uow, rules: Rules, row: Row, actor: Actor, recorded: set, skipped: set) -> None:
    given = InspectionInput(
        institution_id=row.text("institution_id") or "", inspected_on=row.required_day("inspected_on"),
        method=row.text("method") or "", matters=row.items("matters"), inspectors=row.items("inspectors"),
        summary=row.text("summary"), inspection_id=_required(row, "inspection_id"),
        institution_name=row.text("institution_name"))
    stored = uow.supervision.inspection(given.inspection_id)
    if given.inspection_id in recorded | skipped:
        raise SupervisionError(f"{row.where('inspection_id')}：{given.inspection_id} 在文件中重复出现")
    if stored is not None:
        _same_or_raise(row, "inspection_id", _inspection_facts(stored), _inspection_facts(given))
        skipped.add(given.inspection_id)
        return
    _at(row, lambda: add_inspection(uow, rules, given, actor))
    recorded.add(given.inspection_id)


def _inspection_facts(value) -> tuple:
    return (value.institution_id, value.inspected_on, value.method, tuple(value.matters), tuple(value.inspectors))


def _finding(uow, rules: Rules, row: Row, out_dir: Path, actor: Actor, skipped: set) -> str | None:
    inspection_id = _required(row, "inspection_id")
    if inspection_id in skipped:
        return None  # its findings were recorded with it
    situation = _required(row, "situation")
    if not situation.isdigit():
        raise SupervisionError(f"{row.where('situation')}：{situation!r} 不是第十条情形的项号 1–6")
    given = FindingInput(
        inspection_id=inspection_id, situation=int(situation), measure=row.text("measure") or "",
        facts=row.text("facts") or "", issued_on=row.required_day("issued_on"),
        rectify_by=row.day("rectify_by", False),
        interview_at=row.text("interview_at"), interview_place=row.text("interview_place"))
    report = _at(row, lambda: add_finding(uow, rules, given, out_dir, actor))
    _outcome(uow, rules, row, "inspection_finding", report.finding_id, actor)
    return report.document_path


def import_complaints(uow: HasSupervision, rules: Rules, given: ComplaintImport,
                      actor: Actor) -> ComplaintImportReport:
    """Record the complaints of a CSV, with their verification outcome when the file gives one; all or nothing."""
    rows = read_rows(given.file, COMPLAINT_COLUMNS)
    recorded: set[str] = set()
    skipped: set[str] = set()
    _raise(_each(rows, lambda r: _complaint(uow, rules, r, actor, recorded, skipped)))
    return ComplaintImportReport(complaints=len(recorded), unchanged=len(skipped))


def _complaint(uow, rules: Rules, row: Row, actor: Actor, recorded: set, skipped: set) -> None:
    given = ComplaintInput(
        institution_id=row.text("institution_id") or "", channel=row.text("channel") or "",
        received_on=row.required_day("received_on"), summary=row.text("summary") or "",
        complainant=row.text("complainant"), complaint_id=_required(row, "complaint_id"))
    complaint_id = given.complaint_id or ""
    if complaint_id in recorded | skipped:
        raise SupervisionError(f"{row.where('complaint_id')}：{complaint_id} 在文件中重复出现")
    stored = uow.supervision.complaint(complaint_id)
    if stored is not None:
        facts = (stored.institution_id, stored.channel, stored.received_on, stored.summary)
        _same_or_raise(row, "complaint_id", facts,
                       (given.institution_id, given.channel, given.received_on, given.summary))
        skipped.add(complaint_id)
        return
    _at(row, lambda: add_complaint(uow, rules, given, actor))
    _outcome(uow, rules, row, "complaint", complaint_id, actor)
    recorded.add(complaint_id)


def _outcome(uow, rules: Rules, row: Row, entity: str, record_id: str, actor: Actor) -> None:
    outcome = row.text("outcome")
    if outcome in (None, "pending"):
        return
    given = OutcomeInput(record_id, row.required_day("verified_on"), outcome, row.text("note"),
                         row.day("decided_on", False))
    _at(row, lambda: settle(uow, rules, entity, given, actor))


def _required(row: Row, column: str) -> str:
    value = row.text(column)
    if value is None:
        raise SupervisionError(f"{row.where(column)}：为空")
    return value


def _same_or_raise(row: Row, column: str, stored: tuple, given: tuple) -> None:
    if stored != given:
        raise SupervisionError(f"{row.where(column)}：{row.cells[column]} 已登记，但已登记的内容与本行不同")


# The options of the record functions and the CSV columns they come from.
OPTION_COLUMNS = {
    "--institution": "institution_id", "--method": "method", "--matter": "matters", "--inspector": "inspectors",
    "--situation": "situation", "--measure": "measure", "--facts": "facts", "--issued": "issued_on",
    "--rectify-by": "rectify_by", "--channel": "channel", "--summary": "summary", "--on": "verified_on",
    "--decided": "decided_on", "--outcome": "outcome",
}


def _at(row: Row, action):
    """Run `action`; its error is said again naming this row and, instead of its option, the column the
    option came from ("--method 'x'：…" becomes "<file> 第n行，method 'x'：…")."""
    try:
        return action()
    except SupervisionError as exc:
        message = str(exc)
        if message.startswith(row.file):
            raise
        flag = message.partition("：")[0].split(" ")[0]
        column = row.id_column if flag == "--id" else OPTION_COLUMNS.get(flag)
        if column is None:
            raise SupervisionError(f"{row.file} 第{row.number}行：{message}") from None
        raise SupervisionError(f"{row.where(column)}{message[len(flag):]}") from None


def _each(rows: list[Row], action) -> list[str]:
    """Run `action` on every row; the errors of all rows, so one import reports them all."""
    errors = []
    for row in rows:
        try:
            action(row)
        except SupervisionError as exc:
            errors.append(str(exc))
    return errors


def _raise(errors: list[str]) -> None:
    if errors:
        shown = errors[:MAX_ERRORS]
        more = f"\n……另有 {len(errors) - MAX_ERRORS} 处错误" if len(errors) > MAX_ERRORS else ""
        raise SupervisionError(f"{len(errors)} 处错误，未导入任何记录，请改正后重新导入：\n" + "\n".join(shown) + more)
