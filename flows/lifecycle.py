"""Flows of the procedure after scoring: publicity (第十八条) and the daily advance (第十九、二十条).

Each step is a task run with retries on errors that can heal and a timeout (tasks/retries.py io_task); the
runs log what they did through the run logger and publish artifacts with stable keys: `publicize-<year>`,
`advance-<year>` per open cycle (`advance` when none is open). The advance tells the operators, in its log,
its artifact and the alert channel (tasks/notify.py), of statutory deadlines due or overdue and, from
`calendar_warning_from`, of next year's calendar missing.
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from credit.calendar import require_calendar
from credit.lifecycle import STATE_NAMES, publicity_window
from credit.rules import Rules, load_rules, require_filled_bureau, rules_for_year
from flows.notices import notify_institutions
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import open_store
from tasks.integrity import require_intact_audit
from tasks.lifecycle import (
    ADVANCE_TASKS,
    AdvanceInput,
    AdvanceReport,
    PublicizeInput,
    StepReport,
    cycle_status_task,
    open_years_task,
    publicize_task,
)
from tasks.notify import (
    CALENDAR_WARNING_FROM,
    Notice,
    calendar_notice,
    deadline_notice,
    mail_text,
    send_alert,
)
from tasks.outputs import replace_folder, sha256_file
from tasks.reporting import artifact_key, log_errors_once, markdown_table, publish_artifacts, run_logger
from tasks.retries import MINUTE, io_task
from tasks.site import build_site_task, site_intact
from tasks.status import StatusInput, kind_label, who
from tasks.verify import VerifyInput, require_untampered

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLICITY_FILES = ("publicity.html", "publicity.csv", "publicity.xlsx")  # the notice's entries of its folder

# The steps again, with retries on errors that heal and a timeout each (tasks/lifecycle.py's use cases).
publicize_step = io_task(publicize_task.name, timeout_seconds=10 * MINUTE)(publicize_task.fn)
open_years_step = io_task(open_years_task.name, timeout_seconds=2 * MINUTE)(open_years_task.fn)
status_step = io_task(cycle_status_task.name, timeout_seconds=5 * MINUTE)(cycle_status_task.fn)
advance_steps = tuple(io_task(step.name, timeout_seconds=10 * MINUTE)(step.fn) for step in ADVANCE_TASKS)


@flow(name="publicize", log_prints=False, validate_parameters=True, timeout_seconds=30 * MINUTE)
def publicize_flow(year: int, on: date, out: str | None = None, db_url: str | None = None,
                   by: str | None = None) -> dict:
    """Start the publicity of the year's scored results on `on` and write the notice (第十八条)."""
    log_errors_once()
    log = run_logger()
    settings = get_settings()
    rules = rules_for_year(year, rules_dir=settings.rules_dir)
    require_filled_bureau(rules.bureau, rules_dir=settings.rules_dir, allow_example=settings.allow_example_bureau)
    require_publicity_calendar(rules, year, on)  # before anything changes: deployment runs skip the CLI's check
    store = open_store(db_url, run=f"publicize {year}")
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), "publicity (第十八条)")
    folder = Path(out) if out else settings.var_dir / "published" / str(year)
    # The notice is swapped into its folder once the changes are committed; a failed run leaves the previous one.
    with replace_folder(folder, owned=PUBLICITY_FILES) as staging, store.unit_of_work() as uow:
        report = publicize_step(uow, rules, PublicizeInput(year, on, staging, actor))
    written = [str(folder.resolve() / Path(path).relative_to(staging)) for path in report.written]
    record_publicity(store, folder, year, actor)
    notify_institutions(store, rules, year, on)  # issue 13: each institution's notice, mailed; never blocks
    first, last = report.window.first_day.isoformat(), report.window.last_day.isoformat()
    log.info("%s年度公示：%s 个评价结果进入公示期 %s 至 %s；公示文件写入 %s", year, report.moved, first, last,
             folder.resolve())
    publish_artifacts(artifact_key("publicize", year), publicize_markdown(year, report.moved, first, last, written),
                      description=f"{year}年度评价结果公示（第十八条）")
    return {"first_day": first, "last_day": last, "out": str(folder)}


def record_publicity(store, folder: Path, year: int, actor: Actor) -> None:
    """The notice's digests, once it is in place (issue 11 item 7): `credit verify` checks the published notice."""
    files = {name: sha256_file(folder / name) for name in PUBLICITY_FILES if (folder / name).is_file()}
    with store.unit_of_work() as uow:
        uow.digests.record("list", folder, files, actor.at, year=year, whole=False)


def require_publicity_calendar(rules: Rules, year: int, on: date) -> date:
    """Issue 10 item 4: the calendar knows the window from `on` and the review and publication after it."""
    publicity_window(rules.calendar, on, rules.procedure)
    procedure = rules.procedure
    return require_calendar(rules.calendar, on, (procedure.publicity, procedure.review, procedure.publication),
                            needed_for=f"{year}年度评价结果自 {on.isoformat()} 起的公示（公示期、异议复核与公布期限）")


@flow(name="advance", log_prints=False, validate_parameters=True, timeout_seconds=30 * MINUTE)
def advance_flow(as_of: date | None = None, outbox: str | None = None, publish_dir: str | None = None,
                 db_url: str | None = None, by: str | None = None, site: str | None = None,
                 calendar_warning_from: str = CALENDAR_WARNING_FROM) -> dict:
    """The daily step: close windows → determine → publish → share → rebuild the site; idempotent for a day.

    Tells the operators of statutory deadlines due today, on the next working day or overdue, and, from
    `calendar_warning_from` ("MM-DD"), that next year's calendar is missing.
    """
    log_errors_once()
    log = run_logger()
    as_of = as_of or datetime.now(SHANGHAI).date()  # the edge: nothing below reads the clock
    settings = get_settings()
    var = settings.var_dir
    today_rules = load_rules(as_of, rules_dir=settings.rules_dir)  # the rules of the run date (site, calendar)
    require_filled_bureau(today_rules.bureau, rules_dir=settings.rules_dir,
                          allow_example=settings.allow_example_bureau)  # before anything is opened or written
    calendar_warning = calendar_notice(today_rules.calendar, as_of, calendar_warning_from)
    store = open_store(db_url, run=f"advance {as_of.isoformat()}")
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"advance as of {as_of.isoformat()}")
    report = AdvanceReport(as_of)
    years = open_years_step(store)
    refuse_tampered(store, today_rules)
    cycles: dict[int, list[StepReport]] = {}
    for year in years:
        rules = rules_for_year(year, rules_dir=settings.rules_dir)
        require_calendar(rules.calendar, as_of, (rules.procedure.publication,),
                         needed_for=f"{year}年度 {as_of.isoformat()} 的每日推进（所确定结果的公布期限）")
        given = AdvanceInput(year, as_of, actor, published=Path(publish_dir) if publish_dir else var / "published",
                             outbox=Path(outbox) if outbox else var / "outbox", kept=var / "shares")
        with store.unit_of_work() as uow:  # one writer for the cycle's steps: nothing lands between them
            require_intact_audit(uow)  # issue 11 item 8: under the lock, so no row lands between check and build
            cycles[year] = [step(uow, rules, given) for step in advance_steps]
            if site is not None and any(step.written for step in cycles[year]):
                uow.digests.forget("site", site)  # out of date from this commit on, until it is rebuilt
        for step in cycles[year]:
            report.add(step)
            log_step(log, step)
        report.add_status(status_step(store, rules, StatusInput(year, as_of)))
    if not report.moved:
        log.info("advance %s：没有需要推进的评价结果（未完成的评价周期：%s）", as_of,
                 "、".join(f"{y}年度" for y in years) or "无")
    if site is not None and (report.written or not site_intact(store, Path(site))):  # issue 11 item 9
        build_site_task(Path(site), as_of=as_of, rules=today_rules, store=store)  # rules of the build date
        report.written.append(str(site))
        log.info("网站已重建：%s", Path(site).resolve())
    notices = [n for n in (deadline_notice(report.due, report.overdue), calendar_warning) if n is not None]
    for notice in notices:
        log.warning("%s", notice.text)
    sent = alert(notices, as_of)
    for year in years or [None]:
        publish_artifacts(artifact_key("advance", *([year] if year else [])),
                          advance_markdown(as_of, year, cycles.get(year, []) if year else [], report, notices, sent),
                          description=f"每日推进 {as_of.isoformat()}" + (f"：{year}年度" if year else ""))
    return {"as_of": as_of.isoformat(), "moved": report.moved, "written": report.written, "due": report.due,
            "overdue": report.overdue, "notices": [n.text for n in notices]}


def refuse_tampered(store, rules: Rules) -> None:
    """Issue 11 item 7: the packages shared and the rows kept of them, which the next package is built on, are as
    written, or the advance stops (TamperedOutputError, exit code 1). The lists and the site are `credit verify`'s:
    the advance rewrites the lists when their content changes and rebuilds a site that does not verify, and a
    run that failed after writing the lists (its digests rolled back) must not lock every later advance out."""
    with store.unit_of_work(write=False) as uow:  # every year's: a shared cycle opens again on a 第十七条 event
        require_intact_audit(uow)  # the audit chain first: an advance builds on nothing that was rewritten
        require_untampered(uow, rules, VerifyInput(None, kinds=("package", "kept")), "每日推进")


def alert(notices: list[Notice], as_of: date) -> str | None:
    """Send the notices through the alert channel, if there are any; where they went."""
    if not notices:
        return None
    return send_alert(*mail_text(notices, as_of))


def log_step(log, step: StepReport) -> None:
    """One line per step that moved or wrote something: counts by new state, and the folders written."""
    if not step.moved and not step.written:
        return
    folders = sorted({str(Path(p).parent.resolve()) for p in step.written})
    log.info("%s年度 %s：%s%s", step.year, step.step, moved_text(step.moved) or "无状态变化",
             f"；写入 {'、'.join(folders)}" if folders else "")


def moved_text(moved: dict[str, int]) -> str:
    return "、".join(f"{STATE_NAMES.get(state, state)} {n} 项" for state, n in moved.items())


def deadline_rows(items: list[dict]) -> list[dict]:
    """Deadlines as the artifact shows them: what, whose, the deadline, working days left or late."""
    return [{"事项": kind_label(i), "机构": who(i), "期限": i["deadline"],
             "剩余工作日": i.get("working_days_left", ""), "实际完成日期": i.get("done_on") or "",
             "逾期工作日": i.get("days_late", "")} for i in items]


def advance_markdown(as_of: date, year: int | None, steps: list[StepReport], report: AdvanceReport,
                     notices: list[Notice], sent: str | None) -> str:
    """The `advance-<year>` artifact: what moved by step, what was written, what is due or overdue, the notices."""
    parts = [f"# 每日推进 {as_of.isoformat()}" + (f"：{year}年度" if year else "")]
    if year is None:
        parts.append("没有未完成的评价周期。")
    else:
        rows = [{"步骤": s.step, "状态变化": moved_text(s.moved) or "无", "写入文件": len(s.written)} for s in steps]
        moved = any(s.moved for s in steps)
        parts.append("## 推进\n\n" + ("" if moved else "没有需要推进的评价结果。\n\n") + markdown_table(rows))
        written = [p for s in steps for p in s.written]
        if written:
            parts.append("## 公布与共享的文件\n\n" + "\n".join(f"- `{p}`" for p in written))
        due = [i for i in report.due if i.get("year") == year]
        overdue = [i for i in report.overdue if i.get("year") == year]
        parts.append("## 未到期的期限\n\n" + (markdown_table(deadline_rows(due)) if due else "无"))
        parts.append("## 已逾期\n\n" + (markdown_table(deadline_rows(overdue)) if overdue else "无"))
    if notices:
        parts.append("## 提醒\n\n" + "\n\n".join(f"**{n.subject}**\n\n" + "\n".join(f"- {line}" for line in n.lines)
                                               for n in notices) + f"\n\n提醒渠道：{sent}")
    return "\n\n".join(parts) + "\n"


def publicize_markdown(year: int, moved: int, first: str, last: str, written: list[str]) -> str:
    """The `publicize-<year>` artifact: how many results entered the window, its days, the notice files."""
    files = "\n".join(f"- `{p}`" for p in written)
    return (f"# {year}年度评价结果公示（第十八条）\n\n{moved} 个评价结果进入公示期：{first} 至 {last}。\n\n"
            f"## 公示文件\n\n{files}\n")
