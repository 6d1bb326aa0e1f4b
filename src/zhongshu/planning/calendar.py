"""Working days for lead-time offsets: the factory calendar of production (national calendar with
调休 make-up days, plus factory-wide exceptions), not any single line's exceptions."""

import bisect
import datetime as dt

from zhongshu.production.calendar import is_national_working_day


class WorkingDays:
    """Offsets a date back by whole working days. Built once per MRP run for a window of dates;
    a lead time of N days means the order must be placed N working days before the need date."""

    def __init__(self, start: dt.date, end: dt.date, exceptions: dict[dt.date, bool] | None = None):
        exceptions = exceptions or {}
        self.start, self.end = start, end
        days, day = [], start
        while day <= end:
            working = exceptions.get(day)
            if working is None:
                working = is_national_working_day(day)
            if working:
                days.append(day)
            day += dt.timedelta(days=1)
        self.days = days
        self._cache: dict[tuple[dt.date, int], dt.date] = {}

    def back(self, day: dt.date, n: int) -> dt.date:
        """The working day ``n`` working days before ``day`` (``n == 0``: ``day`` itself, moved
        back to the last working day when it is not one)."""
        key = (day, n)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        i = bisect.bisect_right(self.days, day) - 1  # last working day on or before ``day``
        j = i - n
        # outside the window: fall back to calendar days (weekends skipped)
        outside = i < 0 or j < 0
        result = day - dt.timedelta(days=n + (n // 5) * 2) if outside else self.days[j]
        self._cache[key] = result
        return result

    def forward(self, day: dt.date, n: int) -> dt.date:
        """The working day ``n`` working days after ``day`` (``n == 0``: ``day`` itself, moved on
        to the next working day when it is not one)."""
        i = bisect.bisect_left(self.days, day)  # first working day on or after ``day``
        j = i + n
        if day < self.start or j >= len(self.days):
            return day + dt.timedelta(days=n + (n // 5) * 2)
        return self.days[j]

    def is_working(self, day: dt.date) -> bool:
        i = bisect.bisect_left(self.days, day)
        return i < len(self.days) and self.days[i] == day


def load(start: dt.date, end: dt.date) -> WorkingDays:
    """The factory calendar between ``start`` and ``end`` (factory-wide exceptions included)."""
    from zhongshu.production.models import CalendarException

    rows = CalendarException.objects.filter(
        work_center__isnull=True, date__gte=start, date__lte=end
    ).values_list("date", "working")
    return WorkingDays(start, end, dict(rows))
