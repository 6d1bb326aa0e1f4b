"""The factory's working calendar: which days are worked, and how many hours each line has.

Chinese public holidays and the make-up working days (调休) come from the ``holidays`` package
(country "CN"). For years the State Council has announced it lists the holidays, the days off
moved around them and the weekend days worked instead; for later years it projects the statutory
holidays, so a date next year or the year after always has an answer (never an error).

Order of precedence for one line on one day: the line's own exception, then a factory-wide
exception, then the national calendar (make-up working day → working; public holiday or day off →
closed; Saturday and Sunday → closed; else working). No ORM here: the scheduler uses this as is.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

MINUTES_PER_HOUR = 60


@lru_cache(maxsize=64)
def _national(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, make-up working days) of one year."""
    cn = holidays.CN(years=year)
    days_off = frozenset(d for d in cn if d.year == year)
    workdays = frozenset(d for d in cn.weekend_workdays if d.year == year)
    return days_off, workdays


def national_holiday_name(day: dt.date) -> str:
    return holidays.CN(years=day.year).get(day) or ""


def is_national_working_day(day: dt.date) -> bool:
    days_off, workdays = _national(day.year)
    if day in workdays:
        return True
    if day in days_off:
        return False
    return day.weekday() < 5


def is_makeup_workday(day: dt.date) -> bool:
    return day in _national(day.year)[1]


@dataclass(frozen=True)
class Exception_:
    working: bool
    minutes: int | None = None  # None: the line's normal hours


@dataclass
class LineCalendar:
    """Capacity of one line in minutes per day."""

    minutes_per_day: int
    own: dict[dt.date, Exception_] = field(default_factory=dict)
    factory: dict[dt.date, Exception_] = field(default_factory=dict)

    def minutes(self, day: dt.date) -> int:
        exc = self.own.get(day) or self.factory.get(day)
        if exc is not None:
            if not exc.working:
                return 0
            return self.minutes_per_day if exc.minutes is None else exc.minutes
        return self.minutes_per_day if is_national_working_day(day) else 0


def hours_to_minutes(hours) -> int:
    """Hours (Decimal/float) to whole minutes, rounding up: 0.01 h still takes a minute."""
    minutes = float(hours) * MINUTES_PER_HOUR
    whole = int(minutes)
    return whole + (1 if minutes - whole > 1e-9 else 0)


def day_start_minute(capacity_minutes: int) -> int:
    """Minute of the day the first shift starts: 08:00, earlier for lines that run longer than
    16 hours so the working window stays inside the day (three shifts start at 00:00)."""
    return max(0, min(8 * 60, 24 * 60 - capacity_minutes))
