"""Issue 10 item 4: a run checks, before it changes anything, that the calendar covers its deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from credit.calendar import UnknownYearError, WorkCalendar, knows_year, require_calendar
from credit.rules import rules_for_year
from tasks.render import require_calendar_ahead

CALENDAR = WorkCalendar.load()


def test_the_deadlines_are_counted_one_after_another_as_the_procedure_counts_them():
    start = date(2026, 1, 20)
    expected = CALENDAR.add_working_days(CALENDAR.add_working_days(CALENDAR.add_working_days(start, 1), 15), 22)
    assert require_calendar(CALENDAR, start, (1, 15, 15, 7), needed_for="x") == expected


def test_a_span_reaching_a_year_without_calendar_names_the_year_the_file_and_what_needed_it():
    assert knows_year(CALENDAR, 2026) and not knows_year(CALENDAR, 2027)
    with pytest.raises(UnknownYearError) as caught:
        require_calendar(CALENDAR, date(2026, 12, 10), (1, 15, 15, 7), needed_for="the 2026 evaluation")
    assert caught.value.year == 2027
    assert "the 2026 evaluation 需要 2027 年的工作日" in str(caught.value)
    assert "rules/calendar/overrides.yaml" in str(caught.value)


def test_the_evaluation_checks_its_draft_deadlines():
    assert require_calendar_ahead(rules_for_year(2025), date(2026, 1, 20)) < date(2026, 4, 1)
    with pytest.raises(UnknownYearError, match="2026年度评价（基准日 2027-01-05）"):
        require_calendar_ahead(rules_for_year(2026), date(2027, 1, 5))
