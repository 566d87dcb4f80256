"""Deadlines of the procedure after scoring, counted in statutory working days (R-15–R-17)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from credit.calendar import WorkCalendar
from credit.indexsystem import RULES_DIR
from credit.lifecycle import (
    LATE,
    NO_EVIDENCE,
    Procedure,
    Suspension,
    Window,
    admissibility,
    determination_date,
    publicity_window,
    publish_by,
    review_deadline,
)

CALENDAR = WorkCalendar.load()
PROCEDURE = Procedure.from_rules(yaml.safe_load((RULES_DIR / "procedure.yaml").read_text(encoding="utf-8")))


def test_R15_a_window_published_before_spring_festival_ends_on_the_make_up_saturday():
    # 2026-02-02 + 15: Feb 3–6, 9–13, Sat 14 (调休上班) = 10; Feb 15–23 off; Feb 24–27 = 14; Sat 28 (调休) = 15.
    assert publicity_window(CALENDAR, date(2026, 2, 2), PROCEDURE) == Window(date(2026, 2, 2), date(2026, 2, 28))


def test_R15_the_publication_day_itself_is_never_counted():
    # 2025-09-26 (Fri) + 7 = 2025-10-13 (SPEC "Deadlines, counted").
    assert CALENDAR.add_working_days(date(2025, 9, 26), 7) == date(2025, 10, 13)


@pytest.mark.parametrize(
    ("received", "evidence", "expected"),
    [
        (date(2026, 2, 28), True, (True, None)),  # on the last day: in time
        (date(2026, 3, 1), True, (False, LATE)),
        (date(2026, 2, 10), False, (False, NO_EVIDENCE)),
        (date(2026, 3, 2), False, (False, LATE)),  # late is named first
    ],
)
def test_R16_late_or_without_evidence_is_deemed_no_objection(received, evidence, expected):
    window = Window(date(2026, 2, 2), date(2026, 2, 28))
    assert admissibility(received, evidence, window) == expected


def test_R16_review_deadline_is_15_working_days_from_receipt():
    # 2026-02-10 + 15: Feb 11–13, Sat 14 = 4; Feb 24–27, Sat 28 = 9; Mar 2–6 = 14; Mar 9 = 15.
    assert review_deadline(CALENDAR, date(2026, 2, 10), [], PROCEDURE) == date(2026, 3, 9)


def test_R16_on_site_verification_days_do_not_count():
    # SPEC: 2025-09-30 + 15 with 2025-10-13..2025-10-15 excluded → 2025-10-31.
    spans = [Suspension(date(2025, 10, 13), date(2025, 10, 15))]
    assert review_deadline(CALENDAR, date(2025, 9, 30), spans, PROCEDURE) == date(2025, 10, 31)


def test_R16_an_open_suspension_stops_the_clock():
    spans = [Suspension(date(2026, 2, 12), None)]
    assert review_deadline(CALENDAR, date(2026, 2, 10), spans, PROCEDURE) is None


def test_determination_is_the_later_of_the_day_after_the_window_and_the_last_decision():
    window = Window(date(2026, 2, 2), date(2026, 2, 28))
    assert determination_date(window, []) == date(2026, 3, 1)
    assert determination_date(window, [date(2026, 2, 20)]) == date(2026, 3, 1)
    assert determination_date(window, [date(2026, 3, 5), date(2026, 3, 3)]) == date(2026, 3, 5)


def test_R17_publication_within_7_working_days_after_determination():
    # Determined Sunday 2026-03-01: Mar 2–6 = 5, Mar 9 = 6, Mar 10 = 7.
    assert publish_by(CALENDAR, date(2026, 3, 1), PROCEDURE) == date(2026, 3, 10)
