"""What the daily advance tells the operators (issue 10 items 3, 4): deadlines due or overdue, next year's calendar.

- `deadline_notice(due, overdue)`: a statutory deadline that someone must meet — an objection's review
  (第十九条), the publication and sharing of the determined results (第二十条) — falls due today or on the
  next working day (`working_days_left` ≤ 1), or has passed and is still not met.
- `calendar_notice(calendar, as_of, warning_from)`: from `warning_from` ("MM-DD", default 1 November, when
  the State Council's holiday notice usually comes out), next year's calendar is not known yet; the text
  says how to add it (rules/calendar/README.md).
- `send_alert(subject, body)`: the notification block `credit server setup` saves (cli/server.py
  MAIL_BLOCK, a `credit-alert-mail` block, cli/alert_mail.py), loaded by name. No block, no server, or a
  mail that could not go: one warning in the run's log, never a failed advance.

The texts are pure (Chinese, for the people who read them); only `send_alert` touches Prefect.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from credit.calendar import WorkCalendar, knows_year
from tasks.reporting import run_logger
from tasks.status import grouped, institutions, kind_label, overdue_line

ALERT_BLOCK = "credit-alert-mail/credit-alert-mail"  # block type slug / name, as cli/server.py saves it
STATUTORY = ("review", "publication", "sharing")  # 第十九条 review, 第二十条 publication and sharing
DUE_WITHIN = 1  # working days left: today (0) or the next working day (1)
CALENDAR_WARNING_FROM = "11-01"


@dataclass(frozen=True)
class Notice:
    """One thing to tell: a subject line and the lines that say it."""

    subject: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join((self.subject, *self.lines))


def statutory(items: Iterable[dict]) -> list[dict]:
    """The deadlines of 第十九、二十条 among the cycle status's items."""
    return [item for item in items if item.get("kind") in STATUTORY]


def due_soon(due: Iterable[dict]) -> list[dict]:
    """Open statutory deadlines that fall today or on the next working day."""
    return [item for item in statutory(due) if item.get("working_days_left", DUE_WITHIN + 1) <= DUE_WITHIN]


def still_overdue(overdue: Iterable[dict]) -> list[dict]:
    """Statutory deadlines passed and not met yet (one met late is history: the status shows it)."""
    return [item for item in statutory(overdue) if not item.get("done_on")]


def due_line(item: dict, rows: Sequence[dict] | None = None) -> str:
    """A deadline due soon in a sentence: what, whose, the date and the working days left."""
    year = f"{item['year']}年度 " if item.get("year") else ""
    left = item["working_days_left"]
    when = "今天到期" if left <= 0 else f"剩余{left}个工作日，下一个工作日到期"
    return f"{year}{institutions(list(rows or [item]))}：{kind_label(item)} {item['date']}，{when}"


def deadline_notice(due: Iterable[dict], overdue: Iterable[dict]) -> Notice | None:
    """第十九、二十条: the deadlines due today or the next working day, and those passed and not met; None if none."""
    soon, late = due_soon(due), still_overdue(overdue)
    if not soon and not late:
        return None
    lines = [due_line(first, rows) for first, rows in grouped(soon, ("year", "date"))]
    lines += [overdue_line(first, rows) for first, rows in grouped(late, ("year", "date", "days_late"))]
    parts = [f"{len(late)}项已逾期" if late else "", f"{len(soon)}项即将到期" if soon else ""]
    return Notice(f"法定期限提醒：{'，'.join(p for p in parts if p)}", tuple(lines))


def warning_start(year: int, warning_from: str = CALENDAR_WARNING_FROM) -> date:
    """The day of `year` from which a missing calendar of the next year is told ("MM-DD")."""
    try:
        month, day = (int(part) for part in warning_from.split("-"))
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"calendar_warning_from {warning_from!r}: 应为 MM-DD，例如 11-01") from None


def calendar_notice(calendar: WorkCalendar, as_of: date, warning_from: str = CALENDAR_WARNING_FROM) -> Notice | None:
    """From `warning_from` on, next year's working-day calendar is missing: how to add it; None otherwise."""
    following = as_of.year + 1
    if as_of < warning_start(as_of.year, warning_from) or knows_year(calendar, following):
        return None
    return Notice(f"{following}年工作日历尚未载入", (
        f"chinesecalendar 与 rules/calendar/overrides.yaml 均没有{following}年的工作日历：{following}年的公示、"
        "异议复核与公布期限无法计算，相关运行将停止。",
        f"国务院办公厅《关于{following}年部分节假日安排的通知》发布后，按 rules/calendar/README.md 在 "
        f"rules/calendar/overrides.yaml 中加入{following}年（引用通知文号），再用 `credit workdays years` "
        f"核对已载入的年份，用 `credit workdays add {following}-02-05 3` 按通知核对工作日计算。",
    ))


def mail_text(notices: Sequence[Notice], as_of: date) -> tuple[str, str]:
    """The alert's subject and body for the advance of `as_of`."""
    subject = f"晋城信用评价 每日推进 {as_of.isoformat()}：" + "；".join(n.subject for n in notices)
    body = "\n\n".join(n.text for n in notices)
    return subject, f"{body}\n\n（每日推进 advance，运行日期 {as_of.isoformat()}）\n"


def send_alert(subject: str, body: str, block: str = ALERT_BLOCK) -> str:
    """Send through the saved notification block; never raises. Says where the alert went (or why it did not)."""
    log = run_logger(__name__)
    try:
        from prefect.blocks.core import Block

        notifier = Block.load(block)
    except Exception as error:  # no server, no block saved: the run's log is the channel
        log.warning("未发送提醒：未找到通知块 %s（运行 credit server setup --smtp-url … --to … 以设置）：%s", block,
                    type(error).__name__)
        return f"仅记录于运行日志（无通知块 {block}）"
    try:
        send(notifier, subject, body)
    except Exception as error:
        log.warning("提醒发送失败（通知块 %s）：%r", block, error)
        return f"仅记录于运行日志（通知块 {block} 发送失败）"
    log.info("提醒已发送（通知块 %s）：%s", block, subject)
    return f"已经通知块 {block} 发送"


def send(notifier, subject: str, body: str) -> None:
    """`notifier.notify(body, subject)` from sync code, raising when the block could not send."""
    import asyncio
    import inspect
    from concurrent.futures import ThreadPoolExecutor

    async def notify() -> None:
        sent = notifier.notify(body, subject=subject)
        if inspect.isawaitable(sent):
            await sent

    # A loop of its own in a thread of its own: the caller's thread (a flow run, a test) keeps its loop state.
    with notifier.raise_on_failure(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, notify()).result()
