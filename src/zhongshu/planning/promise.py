"""Capable-to-promise on order entry: the earliest date each line, and so the order, could ship.

For each line, in the order given (earlier lines of the same order take stock and capacity
first):

1. **Available to promise** from what exists or is on its way: on hand − reserved today, plus
   open purchase orders (unreceived quantity, on their due date) and work in progress (task
   sheets, on their planned finish), less the open order lines not yet reserved and the
   components that sheets not yet started still need, each on its date. What may be promised on
   a day is the least cumulative balance from that day on (cumulative ATP with look-ahead), so a
   promise never takes what an order already booked will need later.
2. **Replenishment** when that is not enough, or comes later: a bought item arrives its purchase
   lead time (working days) from today; a made item starts when its components are there (each
   from its own ATP, or its lead time) and runs its routing's operations one after the other on
   the free hours of their lines (capacity by the factory calendar less the load production's
   last scheduling run planned), or takes its make lead time when it has no routing.

The earlier of the two is promised; the order's date is its latest line. Reads are set-based:
a fixed number of queries for the whole order, whatever its number of lines.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.utils.translation import gettext as _

from . import calendar, mrp

ZERO = Decimal("0")
HORIZON_DAYS = 3 * 366
MINUTES = Decimal(60)


@dataclass
class Reason:
    code: str
    text: str


@dataclass
class LinePromise:
    material: str
    name: str
    unit: str
    quantity: Decimal
    date: dt.date | None = None
    source: str = "none"  # stock | supply | purchase | production | none
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Promise:
    date: dt.date | None
    requested: dt.date | None
    lines: list[LinePromise]

    @property
    def on_time(self) -> bool | None:
        if self.date is None or self.requested is None:
            return None
        return self.date <= self.requested

    @property
    def days_late(self) -> int:
        if self.on_time is False:
            assert self.date is not None and self.requested is not None  # else on_time is None
            return (self.date - self.requested).days
        return 0


def _fmt(q: Decimal) -> str:
    return f"{q.normalize():f}" if q == q.to_integral_value() else f"{q:f}".rstrip("0")


class Atp:
    """Dated supply (+) and demand (−) of one material, with promises taken off as they are
    made."""

    def __init__(self, today: dt.date):
        self.today = today
        self.net: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
        self.refs: dict[dt.date, list[str]] = defaultdict(list)

    def earliest(self, qty: Decimal) -> dt.date | None:
        """The first day from which ``qty`` can be taken without leaving any later day short."""
        days = sorted(self.net)
        cum, running = [], ZERO
        for d in days:
            running += self.net[d]
            cum.append(running)
        # least balance from each day on, computed backwards
        low = [ZERO] * len(days)
        floor = None
        for i in range(len(days) - 1, -1, -1):
            floor = cum[i] if floor is None else min(floor, cum[i])
            low[i] = floor
        for i, d in enumerate(days):
            if (self.net[d] > 0 or d == self.today) and low[i] >= qty:
                return d
        return None

    def take(self, day: dt.date, qty: Decimal) -> None:
        self.net[day] -= qty

    def clone(self) -> "Atp":
        other = Atp(self.today)
        other.net = defaultdict(lambda: ZERO, self.net)
        other.refs = self.refs
        return other


@dataclass
class Op:
    name: str
    line_id: int
    setup_hours: Decimal
    run_hours: Decimal
    minutes: int = 0  # for the quantity being promised


class Capacity:
    """Free minutes per line and day: calendar minutes less the planned load, less what this
    promise has booked so far."""

    def __init__(self, cals, load: dict[tuple[int, dt.date], int], today: dt.date):
        self.cals, self.today = cals, today
        self.used: dict[tuple[int, dt.date], int] = dict(load)

    def clone(self) -> "Capacity":
        other = Capacity(self.cals, {}, self.today)
        other.used = dict(self.used)
        return other

    def run(self, line_id: int, start: dt.date, minutes: int) -> tuple[dt.date, dt.date] | None:
        """Book ``minutes`` from ``start`` on; (first day, last day) of the work, or None."""
        cal = self.cals.get(line_id)
        if cal is None:
            return None
        day, first, left = start, None, minutes
        end = self.today + dt.timedelta(days=HORIZON_DAYS)
        while day <= end:
            free = cal.minutes(day) - self.used.get((line_id, day), 0)
            if free > 0:
                take = min(free, left)
                self.used[(line_id, day)] = self.used.get((line_id, day), 0) + take
                left -= take
                first = first or day
                if left <= 0:
                    return first, day
            day += dt.timedelta(days=1)
        return None


@dataclass
class World:
    """What a promise reads, loaded once for the whole order."""

    today: dt.date
    materials: dict[int, tuple]  # id → (code, name, unit, lead time, active)
    bom: dict[int, list[tuple[int, Decimal]]]
    routing: dict[int, list[Op]]
    atp: dict[int, Atp]
    capacity: Capacity
    line_names: dict[int, str]
    days: calendar.WorkingDays


def _line_name(world: World, line_id: int) -> str:
    return world.line_names.get(line_id, str(line_id))


def _replenish(world: World, mid: int, qty: Decimal, reasons: list[Reason]):
    """(date, source) of making or buying ``qty`` afresh, booking components and capacity."""
    lead = world.materials[mid][3]
    today = world.today
    comps = world.bom.get(mid, [])
    ops = world.routing.get(mid, [])
    day: dt.date | None  # None while neither stock nor open supply covers a component
    if not comps and not ops:
        day = world.days.forward(today, lead)
        reasons.append(Reason("purchase_lead_time", _(
            "Not covered by stock or open supply: purchase lead time %(n)d working days."
        ) % {"n": lead}))  # fmt: skip
        return day, "purchase"
    ready, binding = today, []
    for comp, per in comps:
        need = qty * per
        ccode, _n, _u, clead, _a = world.materials[comp]
        atp = world.atp[comp]
        day = atp.earliest(need)
        how = _("from stock") if day == today else _("open supply")
        fresh = world.days.forward(today, clead)
        if day is None or fresh < day:
            day, how = fresh, _("lead time %(n)d working days") % {"n": clead}
        else:
            atp.take(day, need)
        if day > ready:
            ready, binding = day, [(ccode, day, how)]
        elif day == ready and day > today:
            binding.append((ccode, day, how))
    for ccode, day, how in binding:
        reasons.append(Reason("component", _("Component %(code)s ready %(date)s (%(how)s).") % {
            "code": ccode, "date": day.isoformat(), "how": how}))  # fmt: skip
    if not ops:
        day = world.days.forward(ready, lead)
        reasons.append(Reason("make_lead_time", _(
            "No routing: make lead time %(n)d working days."
        ) % {"n": lead}))  # fmt: skip
        return day, "production"
    start = ready
    for op in ops:
        placed = world.capacity.run(op.line_id, start, op.minutes)
        if placed is None:
            reasons.append(Reason("no_capacity", _(
                "Line %(line)s has no free capacity in the next three years."
            ) % {"line": _line_name(world, op.line_id)}))  # fmt: skip
            return None, "none"
        first, last = placed
        hours = (Decimal(op.minutes) / MINUTES).quantize(Decimal("0.1"))
        reasons.append(Reason("capacity", _(
            "%(op)s on %(line)s: %(hours)s h, %(start)s – %(end)s."
        ) % {"op": op.name or _("Operation"), "line": _line_name(world, op.line_id),
             "hours": hours, "start": first.isoformat(), "end": last.isoformat()}))  # fmt: skip
        start = last
    return start, "production"


def promise_line(world: World, mid: int, qty: Decimal) -> LinePromise:
    code, name, unit, _lead, active = world.materials[mid]
    result = LinePromise(code, name, unit, qty)
    if not active:
        result.reasons.append(Reason("inactive", _("The material is inactive.")))
        return result
    atp = world.atp[mid]
    on_hand_day = atp.earliest(qty)
    if on_hand_day == world.today:
        atp.take(on_hand_day, qty)
        result.date, result.source = on_hand_day, "stock"
        result.reasons.append(Reason("in_stock", _("Available in stock.")))
        return result
    # try replenishment on copies, so the supply route does not pay for it when it wins
    trial = World(**{**world.__dict__, "atp": {k: v.clone() for k, v in world.atp.items()},
                     "capacity": world.capacity.clone()})  # fmt: skip
    reasons: list[Reason] = []
    fresh, source = _replenish(trial, mid, qty, reasons)
    if on_hand_day is not None and (fresh is None or on_hand_day <= fresh):
        atp.take(on_hand_day, qty)
        refs = ", ".join(atp.refs.get(on_hand_day, []))
        result.date, result.source = on_hand_day, "supply"
        result.reasons.append(Reason("supply", _(
            "Covered by open supply arriving %(date)s %(refs)s."
        ) % {"date": on_hand_day.isoformat(), "refs": f"({refs})" if refs else ""}))  # fmt: skip
        return result
    world.atp.update(trial.atp)
    world.capacity.used = trial.capacity.used
    result.date, result.source, result.reasons = fresh, source, reasons
    return result


def _own_holds_back(atp, ids, exclude_order, today) -> None:
    """What the edited order holds (its stock lines' products and make lines' components, by
    the held level's material) is there for it."""
    from django.db.models import Sum

    from zhongshu.inventory.models import Reservation

    for mid, held in (
        Reservation.objects.filter(
            status="active", order_line__order_id=exclude_order, level__material_id__in=ids
        )
        .values("level__material_id")
        .annotate(q=Sum("quantity"))
        .values_list("level__material_id", "q")
    ):
        atp[mid].net[today] += held


def load_world(today: dt.date, material_ids: set[int], *, exclude_order=None) -> World:
    """Everything the promise needs for these materials and their components."""
    from zhongshu.catalog.models import Material
    from zhongshu.production.calendar import hours_to_minutes
    from zhongshu.production.models import BomLine, LineLoad, Operation, WorkCenter
    from zhongshu.production.services import line_calendars

    bom = mrp.load_bom(material_ids)
    comp_ids = {c for comps in bom.values() for c, _per in comps}
    ids = material_ids | comp_ids
    materials = {
        pk: (code, name, unit, lead, active)
        for pk, code, name, unit, lead, active in Material.objects.filter(pk__in=ids).values_list(
            "id", "code", "name", "unit", "lead_time_days", "is_active"
        )
    }
    routing: dict[int, list[Op]] = defaultdict(list)
    ops = list(
        Operation.objects.filter(routing__material_id__in=material_ids)
        .order_by("routing__material_id", "sequence")
        .values_list("routing__material_id", "name", "work_center_id", "setup_hours",
                     "run_hours_per_unit")
    )  # fmt: skip
    line_ids = {wc for _m, _n, wc, _s, _r in ops}
    atp = {mid: Atp(today) for mid in ids}
    for mid, available in mrp.load_available(ids).items():
        atp[mid].net[today] += available
    if exclude_order is not None:  # what the edited order holds is there for it
        _own_holds_back(atp, ids, exclude_order, today)
    for mid, day, qty, number in mrp.load_po_supply(today, ids):
        atp[mid].net[day] += qty
        atp[mid].refs[day].append(number)
    users = set(
        BomLine.objects.filter(component_id__in=comp_ids).values_list("product_id", flat=True)
    )
    wip = mrp.load_wip(today, ids | users)
    for mid, day, qty, number in wip.supply:
        if mid in atp:
            atp[mid].net[day] += qty
            atp[mid].refs[day].append(number)
    product_bom = mrp.load_bom(users) if users else {}
    # a sheet whose line holds its components took them out of what is available already
    holding = mrp.lines_holding_components(a[3] for a in wip.allocations) if wip.allocations else ()
    for product, day, qty, line in wip.allocations:
        if line in holding:
            continue
        for comp, per in product_bom.get(product, ()):
            if comp in atp:
                atp[comp].net[day] -= qty * per
    for _line, mid, day, need in mrp.load_order_demand(today, ids, exclude_order=exclude_order):
        atp[mid].net[day] -= need
    work_centers = list(WorkCenter.objects.filter(pk__in=line_ids))
    cals = line_calendars(work_centers, since=today)
    load = {
        (wc, day): hours_to_minutes(hours)
        for wc, day, hours in LineLoad.objects.filter(
            work_center_id__in=line_ids, day__gte=today
        ).values_list("work_center_id", "day", "planned_hours")
    }
    for mid, name, wc, setup, run in ops:
        routing[mid].append(Op(name, wc, setup, run))
    return World(
        today=today,
        materials=materials,
        bom=bom,
        routing=dict(routing),
        atp=atp,
        capacity=Capacity(cals, load, today),
        line_names={wc.pk: f"{wc.code} {wc.name}" for wc in work_centers},
        days=calendar.load(today, today + dt.timedelta(days=HORIZON_DAYS)),
    )


def promise(
    world: World, lines: list[tuple[int, Decimal]], requested: dt.date | None = None
) -> Promise:
    """Promise every line in turn; the order ships when its last line can."""
    from zhongshu.production.calendar import hours_to_minutes
    from zhongshu.production.estimates import operation_hours

    out = []
    for mid, qty in lines:
        for op in world.routing.get(mid, []):
            hours = operation_hours(
                setup_hours=op.setup_hours, run_hours_per_unit=op.run_hours, quantity=qty
            )
            op.minutes = hours_to_minutes(hours)
        out.append(promise_line(world, mid, qty))
    dates = [line.date for line in out]
    # None in dates is ruled out before max()
    date = None if not dates or None in dates else max(cast(list[dt.date], dates))
    return Promise(date, requested, out)
