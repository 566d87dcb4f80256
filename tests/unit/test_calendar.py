"""Working days under the State Council notices (SPEC "Deadlines, counted"; credit/calendar.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import holidays
import numpy as np
import pytest

from credit.calendar import DEFAULT_OVERRIDES, LIBRARY, CalendarFileError, UnknownYearError, WorkCalendar

D = date.fromisoformat

FAKE_2031 = """
years:
  2031:
    notice: 国办发明电〔2030〕99号 《国务院办公厅关于2031年部分节假日安排的通知》（测试用）
    holidays: [2031-01-01, 2031-01-02]
    workdays: [2031-01-04]
"""


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- counting N working days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "exclude", "end"),
    [
        ("2024-02-08", 7, [], "2024-02-23"),
        ("2025-09-26", 7, [], "2025-10-13"),
        ("2025-09-30", 15, [("2025-10-13", "2025-10-15")], "2025-10-31"),
    ],
)
def test_deadline_examples_from_spec_end_on_the_nth_working_day_after_the_start(cal, start, n, exclude, end):
    spans = [(D(a), D(b)) for a, b in exclude]
    assert cal.add_working_days(D(start), n, exclude=spans) == D(end)


def test_the_start_day_is_never_counted_even_when_it_is_a_working_day(cal):
    assert cal.is_working_day(D("2025-06-23"))
    assert cal.add_working_days(D("2025-06-23"), 1) == D("2025-06-24")


def test_a_period_starting_in_a_holiday_counts_from_the_first_working_day_after_it(cal):
    assert cal.add_working_days(D("2025-10-01"), 1) == D("2025-10-09")


def test_weekend_make_up_days_count_as_working_days(cal):
    assert D("2025-09-28").weekday() == 6
    assert cal.is_working_day(D("2025-09-28"))
    assert cal.add_working_days(D("2025-09-26"), 1) == D("2025-09-28")


def test_weekday_holidays_are_not_working_days(cal):
    assert D("2025-10-08").weekday() == 2
    assert not cal.is_working_day(D("2025-10-08"))


def test_zero_working_days_returns_the_start_unchanged_even_on_a_holiday(cal):
    assert cal.add_working_days(D("2025-10-01"), 0) == D("2025-10-01")


@pytest.mark.parametrize("n", [-1, 1.5, True])
def test_a_period_must_be_a_whole_non_negative_number_of_working_days(cal, n):
    with pytest.raises(ValueError, match="n must be"):
        cal.add_working_days(D("2025-06-23"), n)


# --- excluded time (第十九条 on-site verification) ------------------------------------------------


def test_excluded_interval_is_closed_so_both_of_its_ends_do_not_count(cal):
    one_day_each_end = [(D("2025-06-24"), D("2025-06-24")), (D("2025-06-26"), D("2025-06-26"))]
    assert cal.add_working_days(D("2025-06-23"), 2, exclude=one_day_each_end) == D("2025-06-27")


def test_excluded_interval_of_rest_days_only_changes_nothing(cal):
    national_day = [(D("2025-10-01"), D("2025-10-08"))]
    assert cal.add_working_days(D("2025-09-30"), 15, exclude=national_day) == cal.add_working_days(
        D("2025-09-30"), 15
    )


def test_excluded_interval_before_the_start_changes_nothing(cal):
    assert cal.add_working_days(D("2025-09-30"), 15, exclude=[(D("2025-09-01"), D("2025-09-30"))]) == D(
        "2025-10-28"
    )


def test_overlapping_excluded_intervals_exclude_each_working_day_once(cal):
    spans = [(D("2025-10-13"), D("2025-10-14")), (D("2025-10-14"), D("2025-10-15"))]
    assert cal.add_working_days(D("2025-09-30"), 15, exclude=spans) == D("2025-10-31")


def test_excluded_interval_that_ends_before_it_starts_is_refused(cal):
    with pytest.raises(ValueError, match="2025-10-15..2025-10-13"):
        cal.add_working_days(D("2025-09-30"), 15, exclude=[(D("2025-10-15"), D("2025-10-13"))])


# --- R-05 "within one month" (第六条) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        ("2025-01-31", "2025-02-28"),  # February has no 31st: its last day, a Friday
        ("2024-01-31", "2024-02-29"),  # leap year
        ("2025-05-22", "2025-06-23"),  # 2025-06-22 is a Sunday: next working day
        ("2025-09-01", "2025-10-09"),  # 2025-10-01 is National Day: after the holiday
        ("2025-12-31", "2026-02-02"),  # over the year end; 2026-01-31 is a Saturday
        ("2025-06-09", "2025-07-09"),  # a working day stays
    ],
)
def test_R05_one_month_deadline_is_same_day_next_month_moved_to_a_working_day(cal, start, deadline):
    assert cal.one_month_deadline(D(start)) == D(deadline)


@pytest.mark.parametrize(
    ("start", "plus_one_month"),
    [("2025-01-31", "2025-02-28"), ("2025-03-31", "2025-04-30"), ("2025-12-15", "2026-01-15")],
)
def test_R05_month_arithmetic_uses_the_last_day_when_the_next_month_is_shorter(cal, start, plus_one_month):
    assert cal.add_one_month(D(start)) == D(plus_one_month)


def test_R05_open_question_a_month_end_start_keeps_its_day_number_not_the_month_end(cal):
    # Decided: SPEC says "same day number of the next month"; 28 Feb + 1 month is 28 Mar, not 31 Mar.
    assert cal.add_one_month(D("2025-02-28")) == D("2025-03-28")
    assert cal.add_one_month(D("2025-04-30")) == D("2025-05-30")


def test_next_working_day_is_the_day_itself_when_it_is_a_working_day(cal):
    assert cal.next_working_day(D("2025-06-23")) == D("2025-06-23")
    assert cal.next_working_day(D("2025-10-01")) == D("2025-10-09")


# --- counting between two days -----------------------------------------------------------------


def test_working_days_between_counts_the_half_open_interval_after_a_up_to_b(cal):
    assert cal.working_days_between(D("2025-06-20"), D("2025-06-23")) == 1  # Fri -> Mon
    assert cal.working_days_between(D("2025-06-23"), D("2025-06-23")) == 0
    assert cal.working_days_between(D("2025-09-30"), D("2025-10-08")) == 0


def test_working_days_between_inverts_add_working_days_across_years(cal):
    start = D("2024-12-20")
    for n in (1, 7, 15, 40, 300):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_open_question_working_days_between_is_negative_when_b_is_before_a(cal):
    # Decided: antisymmetric, so callers can tell "overdue by k working days" from "k left".
    assert cal.working_days_between(D("2025-06-23"), D("2025-06-20")) == -1


# --- unknown years: refuse, never guess --------------------------------------------------------


def test_the_shipped_override_file_has_no_active_year_so_2027_is_unknown(cal):
    assert cal.override_path == DEFAULT_OVERRIDES
    assert dict(cal.years())[2026] == LIBRARY
    assert 2027 not in dict(cal.years())


@pytest.mark.parametrize(
    "compute",
    [
        lambda c: c.is_working_day(D("2027-01-04")),
        lambda c: c.add_working_days(D("2026-12-20"), 15),
        lambda c: c.one_month_deadline(D("2026-12-15")),
        lambda c: c.working_days_between(D("2026-12-01"), D("2027-01-10")),
        lambda c: c.add_working_days_many(np.array(["2026-06-01", "2026-12-28"], dtype="datetime64[D]"), 5),
    ],
)
def test_a_day_in_2027_raises_naming_the_year_and_the_file_to_edit(cal, compute):
    with pytest.raises(UnknownYearError) as info:
        compute(cal)
    assert info.value.year == 2027
    assert info.value.file == str(DEFAULT_OVERRIDES)
    message = str(info.value)
    assert (
        "2027" in message and str(DEFAULT_OVERRIDES) in message and "在 `years:` 下添加 `2027:` 一节" in message
    )


def test_a_year_before_the_library_data_is_unknown_too(cal):
    with pytest.raises(UnknownYearError, match="2003"):
        cal.is_working_day(D("2003-05-01"))


def test_a_period_ending_on_31_december_does_not_need_the_next_year(cal):
    assert cal.add_working_days(D("2026-12-30"), 1) == D("2026-12-31")
    assert cal.working_days_between(D("2026-12-30"), D("2026-12-31")) == 1


def test_the_holidays_package_would_guess_2027_where_the_calendar_refuses(cal):
    guess = holidays.China(years=2027)
    assert isinstance(guess.is_working_day(D("2027-01-04")), bool)
    with pytest.raises(UnknownYearError):
        cal.is_working_day(D("2027-01-04"))


# --- the override file -------------------------------------------------------------------------


def test_an_override_block_adds_a_year_the_library_does_not_know(tmp_path):
    path = write(tmp_path, FAKE_2031)
    cal = WorkCalendar.load(path)
    assert not cal.is_working_day(D("2031-01-02"))  # Thursday, listed holiday
    assert cal.is_working_day(D("2031-01-04"))  # Saturday, listed make-up day
    assert not cal.is_working_day(D("2031-01-05"))  # Sunday
    assert cal.is_working_day(D("2031-01-06"))  # Monday
    assert cal.add_working_days(D("2031-01-01"), 2) == D("2031-01-04")
    assert (
        2031,
        "国办发明电〔2030〕99号 《国务院办公厅关于2031年部分节假日安排的通知》（测试用）",
    ) in cal.years()


def test_an_override_block_replaces_a_known_year_entirely(tmp_path):
    path = write(tmp_path, "years:\n  2025:\n    notice: 测试通知\n    holidays: []\n    workdays: []\n")
    cal = WorkCalendar.load(path)
    assert cal.is_working_day(D("2025-10-01"))  # no holidays listed: a plain Wednesday
    assert not cal.is_working_day(D("2025-09-28"))  # no make-up day listed: a plain Sunday
    assert dict(cal.years())[2025] == "测试通知"
    assert chinese_calendar.is_holiday(D("2025-10-01"))


def test_an_override_never_patches_the_library(tmp_path):
    WorkCalendar.load(write(tmp_path, FAKE_2031)).is_working_day(D("2031-01-06"))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D("2031-01-06"))


def test_a_gap_year_between_library_and_override_is_still_unknown(tmp_path):
    cal = WorkCalendar.load(write(tmp_path, FAKE_2031))
    with pytest.raises(UnknownYearError, match="2030"):
        cal.add_working_days(D("2030-12-30"), 3)


def test_an_empty_override_file_means_no_overrides(tmp_path):
    assert WorkCalendar.load(write(tmp_path, "# nothing yet\n")).overrides == {}
    assert WorkCalendar.load(write(tmp_path, "years:\n")).overrides == {}


def block(**lines: str) -> str:
    body = {"notice": "测试通知", "holidays": "[2031-01-01]", "workdays": "[2031-01-04]", **lines}
    return "years:\n  2031:\n" + "".join(f"    {k}: {v}\n" for k, v in body.items() if v is not None)


@pytest.mark.parametrize(
    ("text", "year", "problem"),
    [
        (block(workdays="[2031-01-06]"), 2031, "2031-01-06 is not a Saturday or Sunday"),
        (block(holidays="[2031-01-01, 2031-01-04]"), 2031, "2031-01-04 listed both"),
        (block(holidays="[2030-12-31]"), 2031, "2030-12-31, outside 2031"),
        (block(workdays="[2032-01-03]"), 2031, "2032-01-03, outside 2031"),
        (block(notice=None), 2031, "`notice:` must cite"),
        (block(notice="''"), 2031, "`notice:` must cite"),
        (block(workday="[2031-01-04]"), 2031, "unknown key(s) ['workday']"),
        (block(holidays="2031-01-01"), 2031, "`holidays:` must be a list"),
        (block(holidays="[2031-02-30]"), 2031, "'2031-02-30', not an ISO date"),
        ("years:\n  2031: []\n", 2031, "the block must have keys"),
        ("years:\n  twenty: {}\n", None, "'twenty' under `years:` is not a year"),
        ("years: [2031]\n", None, "`years:` must map each year"),
        ("2031:\n  notice: x\n", None, "single top-level key `years:`"),
        ("years: {2031: [\n", None, "cannot read"),
    ],
)
def test_override_file_mistakes_are_refused_on_load_naming_file_and_year(tmp_path, text, year, problem):
    path = write(tmp_path, text)
    with pytest.raises(CalendarFileError) as info:
        WorkCalendar.load(path)
    assert info.value.file == str(path) and info.value.year == year
    assert problem in str(info.value) and str(path) in str(info.value)
    if year is not None:
        assert f"year {year}" in str(info.value)


def test_a_missing_override_file_is_refused_naming_it(tmp_path):
    with pytest.raises(CalendarFileError, match="missing.yaml"):
        WorkCalendar.load(tmp_path / "missing.yaml")


def test_quoted_iso_dates_are_accepted_in_the_override_file(tmp_path):
    cal = WorkCalendar.load(write(tmp_path, block(holidays="['2031-01-02']")))
    assert not cal.is_working_day(D("2031-01-02"))


def test_years_nobody_asks_about_are_not_checked(monkeypatch):
    asked: set[int] = set()
    real = chinese_calendar.is_workday

    def spy(d: date) -> bool:
        asked.add(d.year)
        return real(d)

    monkeypatch.setattr(chinese_calendar, "is_workday", spy)
    cal = WorkCalendar.load()
    assert asked == set()
    cal.add_working_days(D("2024-02-08"), 7)
    assert asked == {2024}


# --- provisional days --------------------------------------------------------------------------


def test_days_from_25_december_of_the_last_loaded_year_are_provisional(cal):
    assert not cal.is_provisional(D("2026-12-24"))
    assert cal.is_provisional(D("2026-12-25"))
    assert cal.is_provisional(D("2027-03-01"))
    assert not cal.is_provisional(D("2025-12-31"))


def test_an_override_year_moves_the_provisional_boundary(tmp_path):
    cal = WorkCalendar.load(write(tmp_path, FAKE_2031))
    assert not cal.is_provisional(D("2026-12-28"))
    assert cal.is_provisional(D("2031-12-25"))


def test_years_lists_each_library_year_with_its_source(cal):
    years = cal.years()
    assert years[0] == (2004, LIBRARY) and years[-1] == (2026, LIBRARY)
    assert [y for y, _ in years] == list(range(2004, 2027))
    assert LIBRARY == "chinesecalendar 1.11.0"


# --- the vectorised version --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 15, 40])
def test_add_working_days_many_equals_add_working_days_elementwise_on_random_dates(cal, n):
    rng = np.random.default_rng(n)
    starts = np.datetime64("2019-01-01") + rng.integers(0, 365 * 7 + 300, 3000).astype("timedelta64[D]")
    ends = cal.add_working_days_many(starts, n)
    assert ends.dtype == np.dtype("datetime64[D]")
    assert [e.item() for e in ends] == [cal.add_working_days(s.item(), n) for s in starts]


def test_add_working_days_many_keeps_nat_and_shape(cal):
    starts = np.array([["2024-02-08", "NaT"], ["NaT", "2025-09-26"]], dtype="datetime64[D]")
    ends = cal.add_working_days_many(starts, 7)
    assert ends.shape == (2, 2)
    assert np.isnat(ends).tolist() == [[False, True], [True, False]]
    assert ends[0, 0] == np.datetime64("2024-02-23") and ends[1, 1] == np.datetime64("2025-10-13")


def test_add_working_days_many_of_only_nat_is_only_nat(cal):
    ends = cal.add_working_days_many(np.array(["NaT", "NaT"], dtype="datetime64[D]"), 7)
    assert np.isnat(ends).all() and ends.dtype == np.dtype("datetime64[D]")


def test_add_working_days_many_with_zero_days_returns_the_starts(cal):
    starts = np.array(["2025-10-01", "NaT"], dtype="datetime64[D]")
    np.testing.assert_array_equal(cal.add_working_days_many(starts, 0), starts)


def test_add_working_days_many_accepts_second_resolution_dates(cal):
    starts = np.array(["2024-02-08T00:00:00", "NaT"], dtype="datetime64[s]")
    ends = cal.add_working_days_many(starts, 7)
    assert ends[0] == np.datetime64("2024-02-23") and np.isnat(ends[1])


def test_add_working_days_many_on_a_large_array_keeps_every_nat_and_agrees_with_the_scalar_count(cal):
    # The timing (5 million dates well under a second) is measured by bench/calendar.py, not here.
    rng = np.random.default_rng(0)
    starts = np.datetime64("2019-01-01") + rng.integers(0, 365 * 7, 200_000).astype("timedelta64[D]")
    starts[::1000] = np.datetime64("NaT")
    ends = cal.add_working_days_many(starts, 15)
    assert ends.shape == starts.shape and np.isnat(ends).sum() == 200
    sample = rng.choice(np.flatnonzero(~np.isnat(starts)), 500, replace=False)
    assert [ends[i].item() for i in sample] == [cal.add_working_days(starts[i].item(), 15) for i in sample]


# --- second opinion ----------------------------------------------------------------------------


def test_the_holidays_package_agrees_with_chinesecalendar_on_every_day_of_2019_to_2026(cal):
    # Years around the range too: a notice can move days of the year before (调休 across 1 January).
    second = holidays.China(years=range(2018, 2028))
    disagree = [
        d
        for d in days_of(D("2019-01-01"), D("2026-12-31"))
        if second.is_working_day(d) != cal.is_working_day(d)
    ]
    assert disagree == []
