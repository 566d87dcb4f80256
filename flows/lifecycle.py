"""Flows of the procedure after scoring: publicity (第十八条) and the daily advance (第十九、二十条)."""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from credit.lifecycle import publicity_window
from credit.rules import load_rules, rules_for_year
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import open_store
from tasks.lifecycle import (
    ADVANCE_TASKS,
    AdvanceInput,
    AdvanceReport,
    PublicizeInput,
    cycle_status_task,
    open_years_task,
    publicize_task,
)
from tasks.site import build_site_task
from tasks.status import StatusInput

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="publicize", validate_parameters=True)
def publicize_flow(year: int, on: date, out: str | None = None, db_url: str | None = None,
                   by: str | None = None) -> dict:
    """Start the publicity of the year's scored results on `on` and write the notice."""
    settings = get_settings()
    rules = rules_for_year(year, rules_dir=settings.rules_dir)
    publicity_window(rules.calendar, on, rules.procedure)  # refuse an unknown calendar year before anything
    store = open_store(db_url, run=f"publicize {year}")
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), "publicity (第十八条)")
    folder = Path(out) if out else settings.var_dir / "published" / str(year)
    with store.unit_of_work() as uow:
        report = publicize_task(uow, rules, PublicizeInput(year, on, folder, actor))
    return {"first_day": report.window.first_day.isoformat(), "last_day": report.window.last_day.isoformat(),
            "out": str(folder)}


@flow(name="advance", validate_parameters=True)
def advance_flow(as_of: date | None = None, outbox: str | None = None, publish_dir: str | None = None,
                 db_url: str | None = None, by: str | None = None, site: str | None = None) -> dict:
    """The daily step: close windows → determine → publish → share → rebuild the site; idempotent for a day."""
    as_of = as_of or datetime.now(SHANGHAI).date()  # the edge: nothing below reads the clock
    settings = get_settings()
    var = settings.var_dir
    store = open_store(db_url, run=f"advance {as_of.isoformat()}")
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"advance as of {as_of.isoformat()}")
    report = AdvanceReport(as_of)
    for year in open_years_task(store):
        rules = rules_for_year(year, rules_dir=settings.rules_dir)
        given = AdvanceInput(year, as_of, actor, published=Path(publish_dir) if publish_dir else var / "published",
                             outbox=Path(outbox) if outbox else var / "outbox", kept=var / "shares")
        with store.unit_of_work() as uow:  # one writer for the cycle's steps: nothing lands between them
            for step in ADVANCE_TASKS:
                report.add(step(uow, rules, given))
        report.add_status(cycle_status_task(store, rules, StatusInput(year, as_of)))
    if site is not None and report.written:
        build_site_task(Path(site), as_of=as_of, rules=load_rules(as_of, rules_dir=settings.rules_dir),
                        store=store)  # rules of the build date
        report.written.append(str(site))
    return {"as_of": as_of.isoformat(), "moved": report.moved, "written": report.written, "due": report.due,
            "overdue": report.overdue}
