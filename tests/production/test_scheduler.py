"""The scheduler on small cases worked out by hand, and its invariants on random ones.

Lines: TURN runs two shifts (16 h, 08:00–24:00), ASSY one shift (8 h, 08:00–16:00). National
calendar 2026 (``holidays`` CN): 09-25 Mid-Autumn, 10-01…10-07 National Day, make-up working days
Sunday 09-20 and Saturday 10-10.
"""

import datetime as dt
import itertools
from collections import defaultdict
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from zhongshu.production.calendar import (
    Exception_,
    LineCalendar,
    is_makeup_workday,
    is_national_working_day,
)
from zhongshu.production.scheduler import TaskIn, schedule

TZ = ZoneInfo("Asia/Shanghai")
TURN, ASSY = 1, 2
H = 60


def at(y, m, d, hour=8, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=TZ)


def lines(overrides=None):
    cals = {TURN: LineCalendar(16 * H), ASSY: LineCalendar(8 * H)}
    cals.update(overrides or {})
    return cals


def task(id, line, hours, *, order=1, sheet=None, seq=10, **kw):
    return TaskIn(
        id=id, order_id=order, sheet_id=sheet or order, sequence=seq, line_id=line,
        minutes=int(hours * H), **kw,
    )  # fmt: skip


def test_national_calendar_2026_knows_holidays_and_makeup_days():
    assert not is_national_working_day(dt.date(2026, 10, 1))
    assert not is_national_working_day(dt.date(2026, 10, 7))
    assert not is_national_working_day(dt.date(2026, 9, 25))
    assert is_national_working_day(dt.date(2026, 9, 20))  # a Sunday worked (调休)
    assert is_national_working_day(dt.date(2026, 10, 10))  # a Saturday worked (调休)
    assert is_makeup_workday(dt.date(2026, 10, 10))
    assert not is_national_working_day(dt.date(2026, 10, 11))  # an ordinary Sunday
    assert is_national_working_day(dt.date(2026, 10, 8))


def test_operation_waits_for_its_predecessor_across_the_mid_autumn_holiday():
    # given a 20 h turning operation then 4 h assembly, from Thursday 2026-09-24 08:00
    tasks = [task(1, TURN, 20, seq=10), task(2, ASSY, 4, seq=20)]
    # when scheduled
    r = schedule(tasks, lines(), now=at(2026, 9, 24))
    # then turning takes all of Thursday (16 h), skips the holiday and the weekend, and ends
    # Monday 12:00; assembly starts right then and ends at the end of its shift
    assert (r.start[1], r.finish[1]) == (at(2026, 9, 24), at(2026, 9, 28, 12))
    assert (r.start[2], r.finish[2]) == (at(2026, 9, 28, 12), at(2026, 9, 28, 16))
    assert r.load[(TURN, dt.date(2026, 9, 24))] == 16 * H
    assert r.load[(TURN, dt.date(2026, 9, 28))] == 4 * H
    assert (TURN, dt.date(2026, 9, 25)) not in r.load
    assert r.order_finish[1] == at(2026, 9, 28, 16)


def test_a_makeup_saturday_is_worked():
    # given 20 h of turning from Friday 2026-10-09 08:00
    r = schedule([task(1, TURN, 20)], lines(), now=at(2026, 10, 9))
    # then the remaining 4 h are done on Saturday 10-10, a make-up working day
    assert r.finish[1] == at(2026, 10, 10, 12)


def test_national_day_week_is_skipped():
    # given 12 h of assembly from Wednesday 2026-09-30 08:00
    r = schedule([task(1, ASSY, 12)], lines(), now=at(2026, 9, 30))
    # then 8 h on 09-30, nothing 10-01…10-07, 4 h on Thursday 10-08
    assert r.finish[1] == at(2026, 10, 8, 12)
    assert sorted(r.load) == [(ASSY, dt.date(2026, 9, 30)), (ASSY, dt.date(2026, 10, 8))]


def test_critical_before_urgent_before_normal_then_due_date():
    # given four one-day assembly tasks on Monday 2026-11-02
    tasks = [
        task(1, ASSY, 8, order=1, priority="normal", due=dt.date(2026, 11, 30)),
        task(2, ASSY, 8, order=2, priority="critical", due=dt.date(2026, 12, 20)),
        task(3, ASSY, 8, order=3, priority="urgent", due=dt.date(2026, 11, 10)),
        task(4, ASSY, 8, order=4, priority="normal", due=dt.date(2026, 11, 6)),
    ]
    r = schedule(tasks, lines(), now=at(2026, 11, 2))
    # then critical Monday, urgent Tuesday, the earlier-due normal Wednesday, the other Thursday
    assert [r.start[i].date().day for i in (2, 3, 4, 1)] == [2, 3, 4, 5]


def test_a_task_in_progress_keeps_the_line_before_a_critical_order():
    tasks = [
        task(1, ASSY, 4, order=1, priority="critical"),
        task(2, ASSY, 4, order=2, priority="normal", in_progress=True),
    ]
    r = schedule(tasks, lines(), now=at(2026, 11, 2, 9))
    assert (r.start[2], r.finish[2]) == (at(2026, 11, 2, 9), at(2026, 11, 2, 13))
    assert (r.start[1], r.finish[1]) == (at(2026, 11, 2, 13), at(2026, 11, 3, 9))


def test_pinned_task_starts_no_earlier_than_its_date_and_others_use_the_gap():
    tasks = [
        task(1, ASSY, 8, order=1, priority="critical", pinned_date=dt.date(2026, 11, 4)),
        task(2, ASSY, 8, order=2, priority="normal"),
    ]
    r = schedule(tasks, lines(), now=at(2026, 11, 2))
    assert r.start[1] == at(2026, 11, 4)
    assert r.start[2] == at(2026, 11, 2)


def test_line_exception_closes_a_day_and_factory_exception_opens_a_holiday():
    closed = LineCalendar(8 * H, own={dt.date(2026, 11, 2): Exception_(False)})
    r = schedule([task(1, ASSY, 4)], lines({ASSY: closed}), now=at(2026, 11, 2))
    assert r.start[1] == at(2026, 11, 3)
    opened = LineCalendar(8 * H, factory={dt.date(2026, 10, 1): Exception_(True, 4 * H)})
    r = schedule([task(1, ASSY, 6)], lines({ASSY: opened}), now=at(2026, 10, 1))
    assert r.load[(ASSY, dt.date(2026, 10, 1))] == 4 * H
    assert r.finish[1] == at(2026, 10, 8, 10)


def test_2027_and_beyond_never_crash():
    # given work around National Day 2027 and long enough to run into 2028
    r = schedule(
        [task(1, ASSY, 40), task(2, TURN, 16 * 300, order=2)], lines(), now=at(2027, 9, 30)
    )
    assert not is_national_working_day(dt.date(2027, 10, 1))
    assert r.start[1] == at(2027, 9, 30)
    assert r.finish[1].date() > dt.date(2027, 10, 7)
    assert r.finish[2].year == 2028
    assert not r.unscheduled


def test_a_line_without_capacity_leaves_its_tasks_and_their_successors_unscheduled():
    tasks = [task(1, TURN, 2, seq=10), task(2, ASSY, 2, seq=20), task(3, ASSY, 1, order=2)]
    r = schedule(tasks, lines({TURN: LineCalendar(0)}), now=at(2026, 11, 2))
    assert sorted(r.unscheduled) == [1, 2]
    assert r.order_finish[1] is None
    assert r.finish[3] == at(2026, 11, 2, 9)


def test_starts_no_earlier_than_now_and_after_the_shift_moves_to_the_next_day():
    r = schedule([task(1, ASSY, 2)], lines(), now=at(2026, 11, 2, 15))
    assert (r.start[1], r.finish[1]) == (at(2026, 11, 2, 15), at(2026, 11, 3, 9))
    r = schedule([task(1, ASSY, 2)], lines(), now=at(2026, 11, 2, 17))
    assert r.start[1] == at(2026, 11, 3)


# --- properties ------------------------------------------------------------------------------------

task_specs = st.lists(
    st.tuples(
        st.integers(1, 6),  # order
        st.lists(st.tuples(st.sampled_from([TURN, ASSY]), st.integers(0, 30 * H)), min_size=1,
                 max_size=4),  # operations
        st.sampled_from(["normal", "urgent", "critical"]),
        st.integers(0, 40),  # due in days
        st.one_of(st.none(), st.integers(0, 30)),  # pin in days
    ),
    min_size=1,
    max_size=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(task_specs, st.integers(0, 400), st.integers(0, 23))
def test_schedule_invariants(specs, start_day, start_hour):
    now = dt.datetime(2026, 1, 1, start_hour, tzinfo=TZ) + dt.timedelta(days=start_day)
    tasks, next_id = [], 1
    for sheet, (order, ops, prio, due, pin) in enumerate(specs, start=1):
        for seq, (line, minutes) in enumerate(ops, start=1):
            tasks.append(
                TaskIn(
                    id=next_id, order_id=order, sheet_id=sheet, sequence=seq * 10, line_id=line,
                    minutes=minutes, priority=prio, due=now.date() + dt.timedelta(days=due),
                    pinned_date=None if pin is None else now.date() + dt.timedelta(days=pin),
                )
            )  # fmt: skip
            next_id += 1
    cals = lines()
    r = schedule(tasks, cals, now=now)
    # every task is scheduled, starts no earlier than now and takes non-negative time
    assert not r.unscheduled
    assert set(r.start) == {t.id for t in tasks}
    for t in tasks:
        assert now <= r.start[t.id] <= r.finish[t.id]
        if t.pinned_date is not None:
            assert r.start[t.id].date() >= t.pinned_date
    # no operation starts before the previous one of its sheet has finished
    by_sheet = defaultdict(list)
    for t in tasks:
        by_sheet[t.sheet_id].append(t)
    for sheet_tasks in by_sheet.values():
        sheet_tasks.sort(key=lambda t: t.sequence)
        for prev, nxt in itertools.pairwise(sheet_tasks):
            assert r.start[nxt.id] >= r.finish[prev.id]
    # no line is loaded beyond its capacity on any day, and all the work is booked
    for (line, day), minutes in r.load.items():
        assert 0 < minutes <= cals[line].minutes(day)
    assert sum(r.load.values()) == sum(t.minutes for t in tasks)
    # the order finishes with its last task
    for order in {t.order_id for t in tasks}:
        assert r.order_finish[order] == max(r.finish[t.id] for t in tasks if t.order_id == order)
