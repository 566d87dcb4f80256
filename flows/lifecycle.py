"""Flows of the procedure after scoring: publicity (第十八条) and the daily advance (第十九、二十条)."""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from store.lifecycle import Actor
from store.settings import get_settings
from tasks.lifecycle import advance_task, publicize_task

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="publicize", validate_parameters=True)
def publicize_flow(year: int, on: date, out: str | None = None, db_url: str | None = None,
                   by: str | None = None) -> dict:
    """Start the publicity of the year's scored results on `on` and write the notice."""
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), "publicity (第十八条)")
    folder = Path(out) if out else get_settings().var_dir / "published" / str(year)
    window = publicize_task(db_url, year, on, folder, actor)
    return {"first_day": window.first_day.isoformat(), "last_day": window.last_day.isoformat(), "out": str(folder)}


@flow(name="advance", validate_parameters=True)
def advance_flow(as_of: date | None = None, outbox: str | None = None, publish_dir: str | None = None,
                 db_url: str | None = None, by: str | None = None, site: str | None = None) -> dict:
    """The daily step: closes windows, determines, publishes, shares; idempotent for a given day."""
    as_of = as_of or datetime.now(SHANGHAI).date()  # the edge: nothing below reads the clock
    var = get_settings().var_dir
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"advance as of {as_of.isoformat()}")
    report = advance_task(db_url, as_of, Path(publish_dir) if publish_dir else var / "published",
                          Path(outbox) if outbox else var / "outbox", actor, Path(site) if site else None)
    return {"as_of": as_of.isoformat(), "moved": report.moved, "written": report.written, "due": report.due,
            "overdue": report.overdue}
