"""The result notices of a cycle (issue 13): written for every result whose publicity began, then delivered.

`notices_flow` is the `credit notices` command's flow. `notify_institutions` is the one call the
publicity (flows/lifecycle.py), an upheld objection (cli/objections.py) and a 第十七条 event
(flows/serious_event.py) make after their own changes are committed: it writes the new notices and mails
them, and whatever goes wrong there is logged and alerted, never raised: the publicity goes on.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from prefect import flow

from credit.rules import Rules, rules_for_year
from store.settings import get_settings
from store.uow import open_store
from tasks.deliver import DeliverInput, DeliveryReport, deliver_notices
from tasks.notices import NoticeInput, NoticeReport, issue_notices
from tasks.notify import send_alert
from tasks.reporting import run_logger
from tasks.retries import MINUTE


def write_and_deliver(store: Any, rules: Rules, year: int, on: date, institution: str | None = None,
                      resend: bool = False) -> tuple[NoticeReport, DeliveryReport]:
    """Write the missing notices of `year` (issued on `on`) in one writing unit of work, then deliver them."""
    settings = get_settings()
    given = NoticeInput(year, on, settings.var_dir / "notices", datetime.now(UTC), institution,
                        pdf=settings.notice_pdf)
    with store.unit_of_work() as uow:
        issued = issue_notices(uow, rules, given)
    delivered = deliver_notices(store, rules, settings, DeliverInput(year, institution, resend))
    log = run_logger(__name__)
    log.info("%s年度告知书：新写 %s 份；邮件送达 %s 份，失败 %s 份，待邮寄 %s 份", year, len(issued.issued),
             len(delivered.sent), len(delivered.failed), len(delivered.to_post))
    return issued, delivered


def summary(issued: NoticeReport, delivered: DeliveryReport) -> dict[str, Any]:
    """What a caller prints or returns: the notices written and each delivery outcome."""
    return {"issued": [list(i) for i in issued.issued], "pdf_error": issued.pdf_error,
            **{k: [list(x) for x in v] for k, v in asdict(delivered).items() if k in ("sent", "failed", "to_post")},
            "alert": delivered.alert}


def notify_institutions(store: Any, rules: Rules, year: int, on: date, institution: str | None = None) -> dict[str, Any]:
    """After a publicity or a changed result: notices written and mailed; a failure here is alerted, not raised."""
    try:
        return summary(*write_and_deliver(store, rules, year, on, institution))
    except Exception as error:  # the publicity is committed already: tell the operators, keep going
        text = f"{year}年度评价结果告知书未能全部生成或送达：{type(error).__name__}: {error}"
        run_logger(__name__).error("%s", text)
        return {"error": text, "alert": send_alert(f"晋城信用评价：{year}年度告知书出错", text + "\n")}


@flow(name="notices", log_prints=False, validate_parameters=True, timeout_seconds=30 * MINUTE)
def notices_flow(year: int, on: date, institution: str | None = None, resend: bool = False,
                 db_url: str | None = None) -> dict[str, Any]:
    """`credit notices`: write the notices still missing for `year`, deliver those not delivered (or all: resend)."""
    settings = get_settings()
    rules = rules_for_year(year, rules_dir=settings.rules_dir)
    store = open_store(db_url, run=f"notices {year}")
    return summary(*write_and_deliver(store, rules, year, on, institution, resend))
