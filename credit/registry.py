"""第六条 (R-05): registry changes filed late or not at all, for the county branch to act on."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from credit.calendar import WorkCalendar
from credit.frames import days, iso, texts

COLUMNS = ["institution_id", "name", "county", "item", "changed_on", "deadline", "filed_on", "days_late", "status"]


def late_filings(changes: pd.DataFrame, registry: pd.DataFrame, calendar: WorkCalendar, as_of: date) -> pd.DataFrame:
    """Every change whose one-month deadline has passed by as_of and that was filed after it, or never."""
    changes = changes[changes["changed_on"].notna().to_numpy()]
    changed = days(changes["changed_on"])
    deadline = np.array([np.datetime64(calendar.one_month_deadline(d.item()), "D") for d in changed],
                        dtype="datetime64[D]")
    filed = days(changes["filed_on"])
    due = deadline < np.datetime64(as_of, "D")
    late = ~np.isnat(filed) & (filed > deadline)
    never = np.isnat(filed) & due
    hit = late | never
    names = registry.drop_duplicates("institution_id").set_index("institution_id")
    ids = texts(changes["institution_id"])[hit]
    until = np.where(late[hit], filed[hit], np.datetime64(as_of, "D"))
    out = pd.DataFrame({
        "institution_id": ids,
        "name": [names["name"].get(i, "") for i in ids],
        "county": [names["county"].get(i, "") for i in ids],
        "item": texts(changes["item"])[hit],
        "changed_on": iso(changed[hit]),
        "deadline": iso(deadline[hit]),
        "filed_on": np.where(late[hit], iso(filed[hit]), ""),
        "days_late": (until - deadline[hit]).astype(np.int64),
        "status": np.where(late[hit], "filed_late", "never_filed"),
    }, columns=COLUMNS)
    return out.sort_values(["county", "institution_id", "changed_on", "item"], ignore_index=True)
