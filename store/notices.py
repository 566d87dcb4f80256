"""Every query of the result notices and their deliveries (issue 13), inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from store.models import Cycle, NoticeDelivery, ResultNotice

SENT, FAILED, POST = "sent", "failed", "post"


@dataclass(frozen=True)
class NoticeRow:
    """A notice as the use cases see it, with its last delivery (None: never tried)."""

    id: int
    year: int
    institution_id: str
    result_version: int
    document_no: str
    issued_on: date
    html_path: str
    pdf_path: str | None
    delivered: bool  # some attempt was sent: never mailed again unless resent on purpose
    last_status: str | None


class NoticeRepository:
    """Notices keyed by cycle, institution and result version; deliveries appended, never changed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def notice(self, year: int, institution_id: str, result_version: int) -> NoticeRow | None:
        query = self._query(year).where(ResultNotice.institution_id == institution_id,
                                        ResultNotice.result_version == result_version)
        found = self.session.scalars(query).first()
        return None if found is None else self._row(found, year)

    def notices(self, year: int, institution_id: str | None = None, latest_only: bool = True) -> list[NoticeRow]:
        """The year's notices (the newest version of each institution when `latest_only`)."""
        query = self._query(year)
        if institution_id is not None:
            query = query.where(ResultNotice.institution_id == institution_id)
        rows = list(self.session.scalars(query.order_by(ResultNotice.institution_id, ResultNotice.result_version)))
        if latest_only:
            rows = list({row.institution_id: row for row in rows}.values())
        return [self._row(row, year) for row in rows]

    def last_sequence(self, document_year: int) -> int:
        """The last 文号 sequence used in a year of issue (0 when none)."""
        query = select(func.max(ResultNotice.document_sequence)).where(ResultNotice.document_year == document_year)
        return self.session.scalar(query) or 0

    def add_notice(self, year: int, institution_id: str, result_version: int, document_no: str, sequence: int,
                   issued_on: date, html_path: str, pdf_path: str | None, at: datetime) -> NoticeRow:
        cycle_id = self.session.scalar(select(Cycle.id).where(Cycle.year == year))
        if cycle_id is None:
            raise LookupError(f"{year} 年度尚无已保存的评价结果：请先运行 `credit evaluate --year {year}`")
        row = ResultNotice(cycle_id=cycle_id, institution_id=institution_id, result_version=result_version,
                           document_no=document_no, document_year=issued_on.year, document_sequence=sequence,
                           issued_on=issued_on, html_path=html_path, pdf_path=pdf_path, created_at=at)
        self.session.add(row)
        self.session.flush()
        return self._row(row, year)

    def record_delivery(self, notice_id: int, status: str, address: str | None, attempts: int, result: str,
                        at: datetime) -> None:
        self.session.add(NoticeDelivery(notice_id=notice_id, status=status, address=address, attempts=attempts,
                                        smtp_result=result, at=at))
        self.session.flush()

    def deliveries(self, notice_id: int) -> list[NoticeDelivery]:
        query = select(NoticeDelivery).where(NoticeDelivery.notice_id == notice_id).order_by(NoticeDelivery.id)
        return list(self.session.scalars(query))

    def _query(self, year: int) -> Select[ResultNotice]:
        return select(ResultNotice).join(Cycle, Cycle.id == ResultNotice.cycle_id).where(Cycle.year == year)

    def _row(self, notice: ResultNotice, year: int) -> NoticeRow:
        statuses = [d.status for d in self.deliveries(notice.id)]
        return NoticeRow(notice.id, year, notice.institution_id, notice.result_version, notice.document_no,
                         notice.issued_on, notice.html_path, notice.pdf_path, SENT in statuses,
                         statuses[-1] if statuses else None)
