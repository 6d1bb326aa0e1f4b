"""What the month looked like, per arm. Late means shipped after the date the customer asked for
(or still open after it at the end of the run); cancelled orders are left out."""

import statistics

from .floor import Floor
from .model import DAY

FIELDS = [
    ("late_rate", "late %", 100),
    ("late_rush", "late % rush", 100),
    ("late_normal", "late % normal", 100),
    ("mean_lateness", "mean days late (late orders)", 1),
    ("p90_lateness", "p90 days late (all orders)", 1),
    ("lead_time", "order→ship days", 1),
    ("promise_accuracy", "shipped by promise %", 100),
    ("promise_gap", "mean |ship − promise| days", 1),
    ("wip", "WIP orders", 1),
    ("warning_days", "days warned before due (late orders)", 1),
    ("late_part_bound", "late % bound by a purchased part", 100),
    ("cause_part_after", "late: part came on/after the asked day, % of orders", 100),
    ("cause_part_work", "late: part in time, too late to make it, %", 100),
    ("cause_rush", "late: rush, material on hand, %", 100),
    ("cause_queue", "late: normal, material on hand, %", 100),
    ("late_vs_promise", "late against the promised date %", 100),
    ("open_at_end", "open at end", 1),
]


def late_cause(o, asked_minute: float) -> str:
    """Why a late order was late, by what held it: ``part_after`` (its purchased part came only on
    or after the asked day), ``part_work`` (the part came before it, too late to make the order in
    time), ``rush`` (a rush order with its material on hand), ``queue`` (a normal order with its
    material on hand: the floor's queues, breakdowns, rework)."""
    if o.spec.shortage and o.part_at is not None:
        return "part_after" if o.part_at >= asked_minute else "part_work"
    return "rush" if o.spec.rush else "queue"


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def summarize(floor: Floor) -> dict[str, float]:
    params, clock = floor.demand.params, floor.clock
    end = params.horizon
    end_date = clock.date(end - 1)
    window = params.days * DAY
    live = [o for o in floor.orders if o.cancelled is None]
    days_late, late, by_prio, gaps, warned = [], [], {True: [], False: []}, [], []
    part_bound = 0
    shipped_by_promise = 0
    causes = dict.fromkeys(("part_after", "part_work", "rush", "queue"), 0)
    for o in live:
        done = clock.date(o.shipped) if o.shipped is not None else end_date
        d = max(0, (done - o.spec.asked).days)
        days_late.append(d)
        is_late = d > 0
        by_prio[o.spec.rush].append(is_late)
        if is_late:
            late.append(d)
            asked_minute = clock.minute_of(o.spec.asked)
            known = o.known_late if o.known_late is not None else asked_minute
            warned.append(max(0.0, (asked_minute - known) / DAY))
            # the part came after the asked day (+ a day to make and ship): no plan could help
            part_bound += o.part_at is not None and o.part_at >= asked_minute
            causes[late_cause(o, asked_minute)] += 1
        if o.promised is not None:
            shipped_by_promise += o.shipped is not None and done <= o.promised
            if o.shipped is not None:
                gaps.append(abs((done - o.promised).days))
    wip = 0.0
    for o in floor.orders:
        if o.released is None:
            continue
        stop = min(x for x in (o.shipped, o.cancelled, end) if x is not None)
        wip += max(0.0, min(stop, window) - min(o.released, window))
    shipped = [o for o in live if o.shipped is not None]
    n = len(live) or 1
    return {
        "orders": len(floor.orders),
        "late_rate": len(late) / n,
        "late_rush": sum(by_prio[True]) / (len(by_prio[True]) or 1),
        "late_normal": sum(by_prio[False]) / (len(by_prio[False]) or 1),
        "mean_lateness": statistics.fmean(late) if late else 0.0,
        "p90_lateness": _p(days_late, 0.9),
        "lead_time": statistics.fmean((o.shipped - o.spec.arrival) / DAY for o in shipped)
        if shipped
        else 0.0,
        "promise_accuracy": shipped_by_promise / n,
        "promise_gap": statistics.fmean(gaps) if gaps else 0.0,
        "wip": wip / window,
        "warning_days": statistics.fmean(warned) if warned else 0.0,
        "late_part_bound": part_bound / n,
        **{f"cause_{k}": v / n for k, v in causes.items()},
        "late_vs_promise": 1 - shipped_by_promise / n,
        "open_at_end": sum(o.open for o in floor.orders),
    }


def utilisation(floor: Floor) -> dict[str, float]:
    """Share of each line's working minutes in the arrival window spent working."""
    out = {}
    for code, line in floor.lines.items():
        cap = sum(e - b for b, e in floor.clock.windows[code])
        out[code] = line.busy / cap if cap else 0.0
    return out
