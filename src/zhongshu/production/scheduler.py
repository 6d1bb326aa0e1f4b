"""Forward finite-capacity scheduling of the open production tasks (SPEC §5).

A pure function over plain data: no ORM, no clock, no settings — ``services.reschedule`` loads the
tasks and calendars, calls :func:`schedule` and writes the answer back.

The algorithm (a serial, list-based forward scheduler):

1. Tasks already in progress go first: they are on the machine now. Then every other task, ordered
   by order priority (critical, urgent, normal), due date, order id, task sheet and operation
   sequence — so the tasks of one sheet are placed one after the other.
2. A task may start no earlier than ``now``, the finish of the operation before it on the same
   sheet, and the start of its pinned date (if pinned).
3. Each line has a capacity per day in minutes (shifts × hours per shift on working days, 0 on
   public holidays and weekends, the full day on make-up working days 调休, exceptions on top)
   and a working window from 08:00 (earlier for lines running more than 16 h). A task takes
   whatever capacity is left on its line from its earliest day on, day by day, until its work is
   done; a task longer than what is left on a day continues on the next working day. A day's
   capacity is never exceeded.
4. Capacity is booked in the order above, so a critical order is never pushed out by a normal one,
   but a normal task can still use a gap an earlier task left.

Times are whole minutes from midnight of ``now``'s day. A task that cannot be placed within
``MAX_DAYS`` (a line with no capacity at all) is returned as unscheduled, and so are the later
operations of its sheet.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .calendar import LineCalendar, day_start_minute

DAY = 24 * 60
MAX_DAYS = 3 * 366 + 62
CHUNK = 64
PRIORITY_RANK = {"critical": 0, "urgent": 1, "normal": 2}


@dataclass(frozen=True, slots=True)
class TaskIn:
    id: int
    order_id: int
    sheet_id: int
    sequence: int
    line_id: int
    minutes: int  # work still to do
    priority: str = "normal"
    due: dt.date = dt.date.max
    in_progress: bool = False
    pinned_date: dt.date | None = None


@dataclass
class Result:
    start: dict[int, dt.datetime] = field(default_factory=dict)
    finish: dict[int, dt.datetime] = field(default_factory=dict)
    unscheduled: list[int] = field(default_factory=list)
    # (line id, day) → minutes of work booked on that line that day
    load: dict[tuple[int, dt.date], int] = field(default_factory=dict)
    # order id → latest planned finish of its tasks (None when one of them is unscheduled)
    order_finish: dict[int, dt.datetime | None] = field(default_factory=dict)


class _Line:
    """Capacity of one line, grown day by day as the schedule reaches further out."""

    __slots__ = ("booked", "cal", "cap", "day0", "parent", "start", "used")

    def __init__(self, cal: LineCalendar, day0: dt.date):
        self.cal = cal
        self.day0 = day0
        self.cap: list[int] = []
        self.start: list[int] = []
        self.used: list[int] = []
        self.booked: list[int] = []
        # parent[d] == d: day d still has capacity; else a later day to look at (union–find)
        self.parent: list[int] = []

    def _grow(self, upto: int) -> bool:
        if upto >= MAX_DAYS:
            return False
        end = min(MAX_DAYS, upto + CHUNK)
        for i in range(len(self.cap), end):
            minutes = max(0, min(DAY, self.cal.minutes(self.day0 + dt.timedelta(days=i))))
            self.cap.append(minutes)
            self.start.append(day_start_minute(minutes))
            self.used.append(0)
            self.booked.append(0)
            self.parent.append(i if minutes > 0 else i + 1)
        return True

    def free_day(self, d: int) -> int | None:
        """The first day ≥ d with capacity left, or None beyond the horizon."""
        parent = self.parent
        root = d
        while True:
            if root >= len(parent) and not self._grow(root):
                return None
            nxt = parent[root]
            if nxt == root:
                break
            root = nxt
        while d != root:
            nxt = parent[d]
            parent[d] = root
            d = nxt
        return root

    def place(self, earliest: int, need: int) -> tuple[int, int] | None:
        """Book ``need`` minutes from ``earliest`` on; (start, finish) in minutes, or None."""
        d = max(earliest // DAY, 0)
        if need <= 0:
            return earliest, earliest
        begin = -1
        end = earliest
        while need > 0:
            free = self.free_day(d)
            if free is None:
                return None
            d = free
            window = d * DAY + self.start[d]
            s = max(window + self.used[d], earliest)
            close = window + self.cap[d]
            if s >= close:  # the earliest moment is after this day's shifts
                d += 1
                continue
            take = min(need, close - s)
            if begin < 0:
                begin = s
            self.used[d] = s + take - window
            self.booked[d] += take
            need -= take
            end = s + take
            if self.used[d] >= self.cap[d]:
                self.parent[d] = d + 1
            d += 1
        return begin, end


def sort_key(t: TaskIn):
    return (
        0 if t.in_progress else 1,
        PRIORITY_RANK.get(t.priority, 3),
        t.due,
        t.order_id,
        t.sheet_id,
        t.sequence,
    )


def schedule(
    tasks: Iterable[TaskIn],
    lines: dict[int, LineCalendar],
    *,
    now: dt.datetime,
) -> Result:
    """Plan every task; see the module docstring. ``now`` must be timezone-aware (or naive
    throughout); returned datetimes carry its tzinfo."""
    day0 = now.date()
    midnight = dt.datetime.combine(day0, dt.time(0), tzinfo=now.tzinfo)
    now_min = int((now - midnight).total_seconds() // 60)
    caps = {line_id: _Line(cal, day0) for line_id, cal in lines.items()}
    result = Result()
    prev_finish: dict[int, int] = {}  # sheet → finish (minutes) of the last placed operation
    blocked: set[int] = set()  # sheets with an unscheduled operation
    order_finish: dict[int, int] = {}
    order_blocked: set[int] = set()
    to_dt: dict[int, dt.datetime] = {}

    def when(minute: int) -> dt.datetime:
        value = to_dt.get(minute)
        if value is None:
            value = to_dt[minute] = midnight + dt.timedelta(minutes=minute)
        return value

    for t in sorted(tasks, key=sort_key):
        line = caps.get(t.line_id)
        if t.sheet_id in blocked or line is None:
            placed = None
        else:
            earliest = max(now_min, prev_finish.get(t.sheet_id, 0))
            if t.pinned_date is not None and t.pinned_date > day0:
                earliest = max(earliest, (t.pinned_date - day0).days * DAY)
            placed = line.place(earliest, t.minutes)
        if placed is None:
            blocked.add(t.sheet_id)
            order_blocked.add(t.order_id)
            result.unscheduled.append(t.id)
            continue
        start, finish = placed
        prev_finish[t.sheet_id] = finish
        result.start[t.id] = when(start)
        result.finish[t.id] = when(finish)
        if finish > order_finish.get(t.order_id, -1):
            order_finish[t.order_id] = finish

    for order_id, finish in order_finish.items():
        result.order_finish[order_id] = None if order_id in order_blocked else when(finish)
    for order_id in order_blocked:
        result.order_finish[order_id] = None
    for line_id, line in caps.items():
        for i, minutes in enumerate(line.booked):
            if minutes:
                result.load[(line_id, day0 + dt.timedelta(days=i))] = minutes
    return result
