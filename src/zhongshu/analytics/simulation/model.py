"""The simulated factory and one month of demand.

Time is counted in minutes from midnight (Asia/Shanghai) of ``Params.start``. Every random draw
(arrivals, products, quantities, asked dates, processing-time factors, breakdowns, shortages,
design changes, QC failures) is made here, once, from the seed: both arms get the same
``Demand`` and differ only in how the orders are handled.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from zhongshu.production.calendar import LineCalendar, day_start_minute

DAY = 24 * 60

# code, name, hours per shift, shifts per day
LINES = [
    ("TURN", "车削线", 8, 2),
    ("CNC", "CNC 加工线", 8, 2),
    ("MILL", "铣削线", 8, 2),
    ("GRIND", "磨削线", 8, 1),
    ("ASSY", "装配包装线", 8, 1),
]
FACTORY_SEED = 2026  # the factory (products, routings, customers) is the same in every run
N_PRODUCTS = 60
N_CUSTOMERS = 40
ORDERS_AT_BASE_LOAD = 500  # orders a month at the factory's own load
WORKDAYS_PER_MONTH = 250 / 12  # the CN calendar's working days in an average month
BASE_LOAD = 0.85  # the factory's load: planned hours / capacity hours on its busiest line


@dataclass(frozen=True)
class Params:
    load: float = BASE_LOAD
    seed: int = 1
    start: dt.date = dt.date(2026, 4, 1)  # Qingming (4–6 Apr) and May Day with its 调休
    days: int = 30  # orders arrive over this many days
    tail_days: int = 45  # the floor keeps working this long after the last arrival
    orders: int | None = None  # default: ORDERS_AT_BASE_LOAD scaled by load
    asked_days: float = 12.0  # median lead time customers ask for (calendar days)
    rush_share: float = 0.12
    shortage_share: float = 0.30  # orders whose purchased part is not on hand
    design_change_share: float = 0.05
    qc_fail_share: float = 0.06
    cancel_share: float = 0.015
    time_cv: float = 0.30  # processing time variability (lognormal, mean 1)
    mtbf_hours: float = 80.0  # mean working hours between breakdowns of a line
    repair_hours: float = 2.5  # mean repair time
    # the order desk before Zhongshu (calibrated, printed by the benchmark)
    intake_hours: float = 48.0  # order confirmed by the customer → reaches planning
    approval_hours_before: float = 8.0  # rush approval by WeChat
    news_delay_hours: float = 24.0  # a design change reaches the floor through WeChat
    # with Zhongshu (the product's measured speeds)
    approval_hours_after: float = 0.6
    entry_hours_after: float = 1.5  # order desk enters and submits, planner confirms

    @property
    def horizon(self) -> int:
        return (self.days + self.tail_days) * DAY

    def n_orders(self) -> int:
        """Orders arrive on working days at the factory's daily rate: a window holding the
        Spring Festival gets fewer orders, not the same month's orders in fewer days."""
        if self.orders:
            return self.orders
        worked = working_days(self.start, self.days)
        return round(ORDERS_AT_BASE_LOAD * self.load / BASE_LOAD * worked / WORKDAYS_PER_MONTH)


@dataclass(frozen=True)
class Op:
    line: str
    name: str
    setup_hours: float
    run_hours: float  # per unit


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    ops: tuple[Op, ...]
    part_lead_days: int  # purchased part (casting, bearing …) lead time
    price: float


@dataclass
class OrderSpec:
    idx: int
    customer: int
    product: int
    qty: int
    arrival: int  # minute
    asked: dt.date
    priority: str  # normal / urgent / critical
    shortage: bool
    part_lead_days: int
    cancel_at: int | None
    change_at: int | None
    qc_fail: bool
    factors: list[float]  # actual / estimated time per operation
    breakdowns: list[int]  # repair minutes falling into each operation
    rework_factor: float

    @property
    def rush(self) -> bool:
        return self.priority != "normal"


@dataclass
class Factory:
    lines: list[tuple[str, str, int, int]]
    products: list[Product]
    customers: list[str]
    calendars: dict[str, LineCalendar] = field(default_factory=dict)

    def capacity_minutes(self, line: str, start: dt.date, days: int) -> int:
        cal = self.calendars[line]
        return sum(cal.minutes(start + dt.timedelta(days=d)) for d in range(days))


def build_factory(scale: float = 1.0) -> Factory:
    """60 products with 3–5 operations over 5 lines; ``scale`` multiplies every time."""
    rng = random.Random(FACTORY_SEED)
    codes = [code for code, *_ in LINES]
    products = []
    for i in range(N_PRODUCTS):
        n_ops = rng.choice([3, 3, 4, 4, 5])
        route = [rng.choice(["TURN", "TURN", "CNC"])]
        route += rng.sample(["CNC", "MILL", "GRIND", "MILL"], n_ops - 2)
        route.append("ASSY")
        ops = tuple(
            Op(line, f"工序{k + 1}", round(rng.uniform(0.2, 0.8) * scale, 3),
               max(0.001, round(rng.uniform(0.004, 0.02) * scale, 3)))
            for k, line in enumerate(route)
        )  # fmt: skip
        products.append(
            Product(f"SIM-P{i + 1:02d}", f"零件{i + 1:02d}", ops, rng.randint(3, 10),
                    round(rng.uniform(20, 400), 2))
        )  # fmt: skip
    customers = [f"SIM-C{i + 1:02d}" for i in range(N_CUSTOMERS)]
    cals = {code: LineCalendar(hours * shifts * 60) for code, _n, hours, shifts in LINES}
    assert set(codes) == set(cals)
    return Factory(LINES, products, customers, cals)


class Clock:
    """Working windows of each line: minute ↔ date, and the next working minute."""

    def __init__(self, factory: Factory, start: dt.date, days: int):
        self.start = start
        self.windows: dict[str, list[tuple[int, int]]] = {}
        for code, cal in factory.calendars.items():
            wins = []
            for d in range(days):
                cap = cal.minutes(start + dt.timedelta(days=d))
                if cap:
                    begin = d * DAY + day_start_minute(cap)
                    wins.append((begin, begin + cap))
            self.windows[code] = wins

    def date(self, minute: float) -> dt.date:
        return self.start + dt.timedelta(days=int(minute // DAY))

    def datetime(self, minute: float, tz) -> dt.datetime:
        base = dt.datetime.combine(self.start, dt.time(), tzinfo=tz)
        return base + dt.timedelta(minutes=minute)

    def minute_of(self, day: dt.date) -> int:
        return (day - self.start).days * DAY

    def current(self, line: str, minute: float) -> tuple[float, float] | None:
        """(now or the next window start, that window's end); None past the horizon."""
        for begin, end in self.windows[line]:
            if minute < end:
                return max(begin, minute), end
        return None


def working_days(start: dt.date, days: int) -> int:
    from zhongshu.production.calendar import is_national_working_day

    return sum(is_national_working_day(start + dt.timedelta(days=d)) for d in range(days))


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` on the CN calendar (weekends, holidays and their
    调休 Saturdays as the product's calendar has them)."""
    from zhongshu.production.calendar import is_national_working_day

    while n > 0:
        day += dt.timedelta(days=1)
        n -= is_national_working_day(day)
    return day


def asked_date(start: dt.date, arrival: float, lead_days: float) -> dt.date:
    """The date a customer asks for ``lead_days`` after an order placed at minute ``arrival``.
    Customers count the factory's working days: nobody asks for delivery in the Spring Festival
    week, they ask for the same working time after it. ``lead_days`` is in calendar days of an
    ordinary week (5 working days in 7)."""
    placed = start + dt.timedelta(days=int(arrival // DAY))
    worked = (arrival % DAY) / DAY + lead_days * 5 / 7
    return add_working_days(placed, int(worked))


def _office_minute(rng: random.Random, start: dt.date, days: int) -> int:
    """A random minute inside office hours (08:00–18:00) of a weekday that is worked."""
    from zhongshu.production.calendar import is_national_working_day

    while True:
        d = rng.randrange(days)
        if is_national_working_day(start + dt.timedelta(days=d)):
            return d * DAY + 8 * 60 + rng.randrange(10 * 60)


@dataclass
class Demand:
    params: Params
    factory: Factory
    orders: list[OrderSpec]


def _lognormal(rng: random.Random, cv: float) -> float:
    sigma = math.sqrt(math.log(1 + cv * cv))
    return rng.lognormvariate(-sigma * sigma / 2, sigma)


def make_demand(params: Params, factory: Factory) -> Demand:
    rng = random.Random(params.seed * 7919 + 17)
    n = params.n_orders()
    cust_w = [1 / (k + 1) ** 0.8 for k in range(len(factory.customers))]
    prod_w = [1 / (k + 1) ** 0.6 for k in range(len(factory.products))]
    mtbf, repair = params.mtbf_hours * 60, params.repair_hours * 60
    orders = []
    arrivals = sorted(_office_minute(rng, params.start, params.days) for _ in range(n))
    for idx, arrival in enumerate(arrivals):
        p = rng.choices(range(len(factory.products)), prod_w)[0]
        product = factory.products[p]
        qty = max(1, round(rng.lognormvariate(math.log(40), 0.6)))
        rush = rng.random() < params.rush_share
        priority = ("critical" if rng.random() < 0.25 else "urgent") if rush else "normal"
        lead = rng.uniform(2, 5) if rush else params.asked_days * rng.uniform(0.6, 1.4)
        asked = asked_date(params.start, arrival, lead)
        factors, breakdowns = [], []
        for op in product.ops:
            est = (op.setup_hours + qty * op.run_hours) * 60
            factors.append(_lognormal(rng, params.time_cv))
            k, t = 0, rng.expovariate(1 / mtbf)
            while t < est:
                k += 1
                t += rng.expovariate(1 / mtbf)
            breakdowns.append(round(sum(rng.expovariate(1 / repair) for _ in range(k))))
        orders.append(
            OrderSpec(
                idx=idx, customer=rng.choices(range(len(factory.customers)), cust_w)[0],
                product=p, qty=qty, arrival=arrival, asked=asked, priority=priority,
                shortage=rng.random() < params.shortage_share,
                part_lead_days=product.part_lead_days + rng.randint(-1, 2),
                cancel_at=arrival + rng.randint(1, 6) * DAY
                if rng.random() < params.cancel_share else None,
                change_at=arrival + round(rng.uniform(1, 8) * DAY)
                if rng.random() < params.design_change_share else None,
                qc_fail=rng.random() < params.qc_fail_share,
                factors=factors, breakdowns=breakdowns, rework_factor=rng.uniform(0.3, 0.8),
            )
        )  # fmt: skip
    return Demand(params, factory, orders)


def work_hours(factory: Factory, orders: list[OrderSpec]) -> dict[str, float]:
    """Estimated hours each line must work for these orders."""
    out = dict.fromkeys(factory.calendars, 0.0)
    for o in orders:
        for op in factory.products[o.product].ops:
            out[op.line] += op.setup_hours + o.qty * op.run_hours
    return out


def calibrate_scale(params: Params) -> float:
    """The time scale at which the factory's own month (``BASE_LOAD``, ``ORDERS_AT_BASE_LOAD``
    orders) loads its busiest line to ``BASE_LOAD`` of capacity, averaged over a few draws."""
    factory = build_factory(1.0)
    ratios = []
    for seed in range(101, 106):
        base = Params(load=BASE_LOAD, seed=seed, start=params.start, days=params.days)
        demand = make_demand(base, factory)
        hours = work_hours(factory, demand.orders)
        ratios.append(
            max(
                hours[line] * 60 / factory.capacity_minutes(line, params.start, params.days)
                for line in hours
            )
        )
    return BASE_LOAD / (sum(ratios) / len(ratios))
