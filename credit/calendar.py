"""Chinese statutory working days: chinesecalendar plus the override file (SPEC "Deadlines, counted")."""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import numpy as np
import yaml

DEFAULT_OVERRIDES = Path(__file__).resolve().parents[1] / "rules/calendar/overrides.yaml"
LIBRARY = f"chinesecalendar {chinese_calendar.__version__}"
# Next year's notice often moves the last days of December (e.g. 2018-12-29 became a make-up day).
PROVISIONAL_FROM = (12, 25)
_ONE_DAY = timedelta(days=1)
_EPOCH = date(1970, 1, 1).toordinal()  # day number 0 of datetime64[D]
_BLOCK_KEYS = {"notice", "holidays", "workdays"}


class UnknownYearError(ValueError):
    """A computation needs a day of a year with no official calendar (SPEC "Unknown years")."""

    def __init__(self, year: int, file: Path | str, needed_for: str = "") -> None:
        self.year = year
        self.file = str(file)
        self.needed_for = needed_for
        why = f"（{needed_for} 需要 {year} 年的工作日）" if needed_for else ""
        super().__init__(
            f"没有 {year} 年的官方工作日安排{why}：chinesecalendar 与日历补充文件均未收录该年度。"
            f"请编辑 {self.file}：在 `years:` 下添加 `{year}:` 一节，照录国务院办公厅关于节假日安排的通知"
            f"（notice、holidays、workdays），见 rules/calendar/README.md"
        )


class CalendarFileError(ValueError):
    """The override file is unreadable or a year block in it is wrong."""

    def __init__(self, file: Path | str, year: int | None, problem: str) -> None:
        self.file = str(file)
        self.year = year
        where = f"{self.file}, year {year}" if year is not None else self.file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class YearBlock:
    """One year from the override file, as published in its State Council notice."""

    year: int
    notice: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        """Weekends off except make-up days; listed holidays off."""
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: an override block replaces a year entirely; other years come from chinesecalendar."""

    override_path: Path = DEFAULT_OVERRIDES
    overrides: Mapping[int, YearBlock] = field(default_factory=dict, hash=False)
    _masks: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, override_path: Path | str | None = None) -> WorkCalendar:
        """Read and check the override file (default rules/calendar/overrides.yaml)."""
        path = Path(override_path) if override_path is not None else DEFAULT_OVERRIDES
        return cls(override_path=path, overrides=read_overrides(path))

    def is_working_day(self, d: date) -> bool:
        """True when d is a working day under the State Council notice for its year."""
        return bool(self._mask(d.year)[d.timetuple().tm_yday - 1])

    def add_working_days(self, start: date, n: int, exclude: Iterable[tuple[date, date]] = ()) -> date:
        """The N-th working day after start, start never counted; n = 0 returns start (SPEC "Deadlines")."""
        _check_n(n)
        spans = _check_spans(exclude)
        d, left = start, n
        while left:
            d += _ONE_DAY
            if self.is_working_day(d) and not any(a <= d <= b for a, b in spans):
                left -= 1
        return d

    def add_working_days_many(self, starts: np.ndarray, n: int) -> np.ndarray:
        """Vectorised add_working_days without exclusions: datetime64[D] in and out, NaT kept."""
        _check_n(n)
        days = np.asarray(starts).astype("datetime64[D]")
        valid = ~np.isnat(days)
        if n == 0 or not valid.any():
            return days.copy()
        numbers = days.view("i8")
        lo = int(numbers.min(where=valid, initial=np.iinfo("i8").max))
        hi = int(numbers.max(where=valid, initial=np.iinfo("i8").min))
        ends = self._ends_by_start(lo, hi, n)
        picked = ends[np.where(valid, numbers - lo, 0)]
        return np.where(valid, picked, numbers).view("datetime64[D]")

    def _ends_by_start(self, lo: int, hi: int, n: int) -> np.ndarray:
        """For each start day number lo..hi, the day number of its N-th working day after it."""
        first, last = _year_of(lo + 1), _year_of(hi)
        work = self._working_days(first, last)
        idx = np.searchsorted(work, np.arange(lo, hi + 1), side="right") + (n - 1)
        while idx[-1] >= len(work):
            last += 1
            work = self._working_days(first, last)
        return work[idx]

    def add_one_month(self, d: date) -> date:
        """Same day number next month, or that month's last day when it has no such day."""
        year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
        return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))

    def one_month_deadline(self, d: date) -> date:
        """R-05 "within one month" (第六条): add_one_month, then the next working day."""
        return self.next_working_day(self.add_one_month(d))

    def next_working_day(self, d: date) -> date:
        """d itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative (the count in (b, a]) when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        if a == b:
            return 0
        work = self._working_days((a + _ONE_DAY).year, b.year)
        lo, hi = np.searchsorted(work, [_day_number(a), _day_number(b)], side="right")
        return int(hi - lo)

    def years(self) -> list[tuple[int, str]]:
        """Each loaded year and its source: the library, or the override block's notice."""
        sources = dict.fromkeys(_library_years(), LIBRARY)
        sources.update({y: block.notice for y, block in self.overrides.items()})
        return sorted(sources.items())

    def is_provisional(self, d: date) -> bool:
        """True from 25 December of the last loaded year on: the next notice may still change those days."""
        last = max(y for y, _ in self.years())
        return d >= date(last, *PROVISIONAL_FROM)

    def _mask(self, year: int) -> np.ndarray:
        """Working-day flags for each day of year, computed the first time a computation needs the year."""
        if year not in self._masks:
            self._masks[year] = _year_mask(year, self._verdict(year))
        return self._masks[year]

    def _verdict(self, year: int) -> Callable[[date], bool]:
        """The is-working-day rule for year; UnknownYearError when nobody knows the year."""
        if year in self.overrides:
            return self.overrides[year].is_working_day
        if year in _library_years():
            library: Callable[[date], bool] = chinese_calendar.is_workday
            return library
        raise UnknownYearError(year, self.override_path)

    def _working_days(self, first: int, last: int) -> np.ndarray:
        """Sorted day numbers (days since 1970-01-01) of the working days of years first..last."""
        parts = [_day_number(date(y, 1, 1)) + np.flatnonzero(self._mask(y)) for y in range(first, last + 1)]
        return np.concatenate(parts).astype("i8") if parts else np.empty(0, dtype="i8")


def knows_year(calendar: WorkCalendar, year: int) -> bool:
    """True when chinesecalendar or the override file has the official calendar of `year`."""
    return year in dict(calendar.years())


def require_calendar(calendar: WorkCalendar, start: date, spans: Iterable[int], *, needed_for: str) -> date:
    """The last day that `spans` of working days, counted one after another from `start`, can reach.

    Checked before a run changes anything (issue 10 item 4): each span is counted with add_working_days,
    exactly as the deadline it bounds, so every day those deadlines can need is known when this returns.
    Otherwise UnknownYearError names the year, the override file and `needed_for`.
    """
    day = start
    try:
        for n in spans:
            day = calendar.add_working_days(day, n)
    except UnknownYearError as exc:
        raise UnknownYearError(exc.year, exc.file, needed_for=needed_for) from None
    return day


class _DatesAsText(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported with its year and key."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_overrides(path: Path) -> dict[int, YearBlock]:
    """Parse and check the override file: one block per year, each citing its notice."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarFileError(path, None, f"cannot read the calendar override file ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) != {"years"}:
        raise CalendarFileError(path, None, "expected a single top-level key `years:`")
    blocks = data["years"] or {}
    if not isinstance(blocks, dict):
        raise CalendarFileError(path, None, "`years:` must map each year to its block")
    return {
        year: _read_block(path, year, raw)
        for year, raw in ((_year_key(path, k), v) for k, v in blocks.items())
    }


def _year_key(path: Path, key: Any) -> int:
    """The block's year as an int (YAML reads `2027:` as one)."""
    if isinstance(key, int) and not isinstance(key, bool) and 1900 < key < 2200:
        return key
    if isinstance(key, str) and key.isdigit():
        return _year_key(path, int(key))
    raise CalendarFileError(path, None, f"{key!r} under `years:` is not a year")


def _read_block(path: Path, year: int, raw: Any) -> YearBlock:
    """One checked year block: notice cited, dates in the year, make-up days on weekends, none both."""
    if not isinstance(raw, dict):
        raise CalendarFileError(path, year, "the block must have keys notice, holidays, workdays")
    if unknown := set(raw) - _BLOCK_KEYS:
        raise CalendarFileError(
            path, year, f"unknown key(s) {sorted(map(str, unknown))}; allowed: notice, holidays, workdays"
        )
    notice = raw.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        raise CalendarFileError(path, year, "`notice:` must cite the State Council notice (文号 and title)")
    off = _read_dates(path, year, "holidays", raw.get("holidays"))
    on = _read_dates(path, year, "workdays", raw.get("workdays"))
    if weekdays := sorted(d for d in on if d.weekday() < 5):
        raise CalendarFileError(
            path,
            year,
            f"`workdays:` lists weekend make-up days (调休上班) only; {_iso(weekdays)} is not a Saturday or Sunday",
        )
    if both := sorted(off & on):
        raise CalendarFileError(path, year, f"{_iso(both)} listed both in `holidays:` and in `workdays:`")
    return YearBlock(year=year, notice=notice.strip(), holidays=off, workdays=on)


def _read_dates(path: Path, year: int, key: str, raw: Any) -> frozenset[date]:
    """A list of ISO dates, every one inside the block's year."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise CalendarFileError(path, year, f"`{key}:` must be a list of dates like [{year}-01-01]")
    days = frozenset(_as_date(path, year, key, item) for item in raw)
    if outside := sorted(d for d in days if d.year != year):
        raise CalendarFileError(
            path, year, f"`{key}:` has {_iso(outside)}, outside {year}; put it in that year's block"
        )
    return days


def _as_date(path: Path, year: int, key: str, item: Any) -> date:
    """An ISO date YYYY-MM-DD."""
    try:
        return date.fromisoformat(str(item))
    except ValueError:
        raise CalendarFileError(path, year, f"`{key}:` has {item!r}, not an ISO date YYYY-MM-DD") from None


def _library_years() -> range:
    """The years chinesecalendar covers (the bounds its own date check uses; read, never patched)."""
    return range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def _year_mask(year: int, is_working: Callable[[date], bool]) -> np.ndarray:
    """Flags for 1 January..31 December of year under the verdict is_working."""
    first = date(year, 1, 1)
    count = 366 if _gregorian.isleap(year) else 365
    return np.fromiter((is_working(first + timedelta(days=i)) for i in range(count)), dtype=bool, count=count)


def _day_number(d: date) -> int:
    """Days since 1970-01-01, the integer behind datetime64[D]."""
    return d.toordinal() - _EPOCH


def _year_of(day_number: int) -> int:
    """The year of a datetime64[D] day number."""
    return date.fromordinal(int(day_number) + _EPOCH).year


def _check_n(n: int) -> None:
    """Periods are counted forwards: n must be a non-negative whole number."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"n must be a whole number of working days ≥ 0, got {n!r}")


def _check_spans(exclude: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Closed date ranges, each from its first to its last day."""
    spans = [(a, b) for a, b in exclude]
    for a, b in spans:
        if b < a:
            raise ValueError(f"excluded interval {a.isoformat()}..{b.isoformat()} ends before it starts")
    return spans


def _iso(days: list[date]) -> str:
    """Dates as a readable ISO list."""
    return ", ".join(d.isoformat() for d in days)
