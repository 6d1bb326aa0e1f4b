"""The demo's history, from the simulation: six months of the order desk as it was (``before``)
and three months after go-live (``fast_after``), on the same shop floor, ending today.

Both periods are the fast shop-floor model (no service calls), scaled so that the demo's order
volume loads the factory as the real month does. The result is plain records — when each order
arrived, what was asked, when it reached the floor, started, finished, passed QC, shipped or was
cancelled — which the demo seeds replay through the product's services and date accordingly.
Everything after "now" is cut off: an order the model ships tomorrow is still open today.
"""

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .before import Before
from .fast_after import FastAfter
from .floor import Arm, SimOrder, run
from .model import BASE_LOAD, DAY, ORDERS_AT_BASE_LOAD, Params, build_factory, calibrate_scale
from .model import make_demand as _make_demand

TZ = ZoneInfo("Asia/Shanghai")
BEFORE_DAYS = 182
AFTER_DAYS = 91
# the median lead time customers ask for (calendar days of an ordinary week, counted by the
# customers in working days of the CN calendar) at which the "before" arm, run for the demo's
# six months without a break, is late on the factory's 37 % at its own load: 35.9–38.6 % for
# demos made on 20 Mar, 15 Jun, 1 Sep and 7 Dec (150 orders a month; tests/simulation/
# test_demo_seasons.py). Higher than the 4.52 days the benchmark's single month calibrates to
# (benchmarks/factory_month.py), which starts from an empty floor.
CALIBRATED_ASKED_DAYS = 5.1


@dataclass(frozen=True)
class PlannedOrder:
    period: str  # "before" or "after"
    customer: int
    product: int
    qty: int
    priority: str
    created: dt.datetime
    due: dt.date
    promised: dt.date | None
    times: dict[str, dt.datetime]  # confirm, start, finish, qc_fail, ship, cancel — up to now
    approval_minutes: float | None  # rush orders: request → decision

    @property
    def late(self) -> bool | None:
        """Late as the effect report counts it, if due by ``now``; None when not yet due."""
        ship = self.times.get("ship")
        return ship is None or ship.date() > self.due


def _records(
    arm: Arm, period: str, params: Params, scale: float, now: dt.datetime, keep: float
) -> list:
    factory = build_factory(scale)
    demand = _make_demand(params, factory)
    floor = run(demand, arm)
    base = dt.datetime.combine(params.start, dt.time(), tzinfo=TZ)
    pick = random.Random(params.seed)

    def at(minute: float | None) -> dt.datetime | None:
        if minute is None:
            return None
        moment = base + dt.timedelta(minutes=minute)
        return moment if moment <= now else None

    out = []
    for o in floor.orders:
        if pick.random() >= keep:
            continue  # the demo shows a sample of the factory's orders
        created = at(o.spec.arrival)
        if created is None:
            continue
        out.append(_planned(o, period, created, at, params))
    return out


def _planned(o: SimOrder, period: str, created: dt.datetime, at, params: Params) -> PlannedOrder:
    tasks = [t for t in o.tasks if not t.rework]
    failed = [m for m, what in o.log if what == "qc_failed"]
    raw = {
        "confirm": o.released,
        "start": tasks[0].started if tasks else None,
        "finish": tasks[-1].finished if tasks and o.qc_passed is not None else None,
        "qc_fail": failed[0] if failed else None,
        "qc_pass": o.qc_passed,
        "ship": o.shipped,
        "cancel": o.cancelled,
    }
    times = {k: v for k, v in ((k, at(m)) for k, m in raw.items()) if v is not None}
    if "finish" not in times and tasks and all(t.finished is not None for t in tasks):
        last = at(max(t.finished for t in o.tasks if t.finished is not None))
        if last is not None:
            times["finish"] = last
    approval = None
    if o.spec.rush:
        hours = params.approval_hours_before if period == "before" else params.approval_hours_after
        approval = hours * 60
    return PlannedOrder(
        period=period, customer=o.spec.customer, product=o.spec.product, qty=o.spec.qty,
        priority=o.spec.priority, created=created, due=o.spec.asked, promised=o.promised,
        times=times, approval_minutes=approval,
    )  # fmt: skip


def demo_history(
    today: dt.date, *, orders_per_month: int = 40, seed: int = 2026, now: dt.datetime | None = None
) -> list[PlannedOrder]:
    """Planned orders for the demo: ``BEFORE_DAYS`` of the old desk, then ``AFTER_DAYS`` with
    Zhongshu up to ``today``, at the factory's own load, oldest first."""
    now = now or dt.datetime.combine(today, dt.time(8), tzinfo=TZ)
    go_live = today - dt.timedelta(days=AFTER_DAYS)
    start = go_live - dt.timedelta(days=BEFORE_DAYS)
    # the factory's own month sets the time scale, whatever the day the demo is made
    scale = calibrate_scale(Params(load=BASE_LOAD, seed=seed))
    keep = orders_per_month / ORDERS_AT_BASE_LOAD
    out: list[PlannedOrder] = []
    for period, arm_class, begin, days in (
        ("before", Before, start, BEFORE_DAYS),
        ("after", FastAfter, go_live, AFTER_DAYS),
    ):
        params = Params(
            load=BASE_LOAD, seed=seed, start=begin, days=days, tail_days=45,
            asked_days=CALIBRATED_ASKED_DAYS,
        )  # fmt: skip
        out += _records(arm_class(params), period, params, scale, now, keep)
    return sorted(out, key=lambda p: p.created)


def late_rate(planned: list[PlannedOrder], period: str, today: dt.date) -> float:
    """The share of the period's orders due before today (not cancelled) shipped late or not at
    all — the effect report's definition."""
    due = [
        p for p in planned
        if p.period == period and "cancel" not in p.times and p.due < today
    ]  # fmt: skip
    return sum(bool(p.late) for p in due) / (len(due) or 1)


__all__ = ["DAY", "PlannedOrder", "demo_history", "late_rate"]
