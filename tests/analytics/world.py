"""Random order books for the dashboard tests, and the dashboard recomputed by brute force.

The orders are written straight into the tables (timestamps anywhere in the last months, every
status, due dates on and around every bucket edge) — the dashboard only reads them, and the status
machine has its own tests. ``brute_force`` recomputes every KPI in plain Python over the orders
the user may see, written from the definitions in docs/dashboard.md without the selectors' code.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_user
from zhongshu.inventory.models import StockLevel, Warehouse
from zhongshu.orders.models import Order, OrderLine

STATUSES = ["draft", "pending_review", "confirmed", "scheduling", "in_production",
            "awaiting_qc", "shipped", "completed", "cancelled"]  # fmt: skip
OPEN = set(STATUSES[:6])
DUE_OFFSETS = [-40, -17, -16, -15, -9, -8, -7, -5, -4, -3, -2, -1, 0, 0, 1, 2, 5, 30]
_numbers = iter(range(1, 10**9))


def build_master(rng: random.Random):
    east = RegionFactory(name="华东")
    north = RegionFactory(name="华北")
    south = RegionFactory(name="华南")
    customers = [CustomerFactory(region=rng.choice([east, north, south])) for _ in range(9)]
    users = {
        "admin": make_user("admin"),
        "sales": make_user("sales", regions=("华东", "华南")),
        "qc": make_user("qc"),
        "supervisor": make_user("supervisor"),
    }
    return customers, users


def _created(rng, now: dt.datetime, tz) -> dt.datetime:
    local = timezone.localtime(now, tz)
    this_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_start = (this_start - dt.timedelta(days=1)).replace(day=1)
    edges = [this_start, this_start - dt.timedelta(microseconds=1), last_start,
             last_start - dt.timedelta(seconds=1), now - dt.timedelta(seconds=1)]  # fmt: skip
    try:
        cut = local.replace(year=last_start.year, month=last_start.month)
        edges += [cut, cut - dt.timedelta(seconds=1)]
    except ValueError:
        pass
    if rng.random() < 0.25:
        return rng.choice(edges)
    return now - dt.timedelta(seconds=rng.randint(1, 80 * 86400))


def build_orders(rng: random.Random, n: int, customers, owner, now: dt.datetime):
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now, tz).date()
    orders = []
    for _ in range(n):
        status = rng.choice(STATUSES)
        created = _created(rng, now, tz)
        due = today + dt.timedelta(days=rng.choice(DUE_OFFSETS) + rng.choice([0, 0, 0, -20, 20]))
        shipped_at = None
        if status in ("shipped", "completed"):
            # around local midnights, and anywhere in the last 60 days
            if rng.random() < 0.3:
                day = today - dt.timedelta(days=rng.randint(0, 60))
                midnight = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
                shipped_at = midnight + dt.timedelta(seconds=rng.choice([-1, 0, 1]))
                due = day + dt.timedelta(days=rng.choice([-1, 0, 1]))
            else:
                shipped_at = now - dt.timedelta(seconds=rng.randint(0, 60 * 86400))
            shipped_at = min(shipped_at, now)
        orders.append(
            Order(
                number=f"T-{next(_numbers):08d}",
                customer=rng.choice(customers),
                sales_owner=owner,
                created_by=owner,
                due_date=due,
                status=status,
                total_amount=Decimal(rng.randint(0, 10**7)) / 100,
                shipped_at=shipped_at,
            )
        )
    Order.objects.bulk_create(orders)
    created = [_created(rng, now, tz) for _ in orders]
    for order, at in zip(orders, created, strict=True):
        order.created_at = at
    Order.objects.bulk_update(orders, ["created_at"])  # auto_now_add only applies on insert
    return orders


def build_stock(rng: random.Random, orders, n_materials: int = 8):
    wh1 = Warehouse.objects.create(code="W1", name="成品库", is_default=True)
    wh2 = Warehouse.objects.create(code="W2", name="备件库")
    materials = [
        MaterialFactory(safety_stock=Decimal(rng.choice([0, 0, 5, 20, 50])))
        for _ in range(n_materials)
    ]
    for m in materials:
        for wh in (wh1, wh2):
            if rng.random() < 0.7:
                on_hand = Decimal(rng.randint(0, 80))
                StockLevel.objects.create(
                    material=m, warehouse=wh, on_hand=on_hand,
                    reserved=Decimal(rng.randint(0, int(on_hand))),
                )  # fmt: skip
    lines = []
    for order in orders:
        for no in range(1, rng.randint(0, 3) + 1):
            qty = Decimal(rng.randint(1, 40))
            lines.append(
                OrderLine(
                    order=order, line_no=no, material=rng.choice(materials), quantity=qty,
                    unit_price=Decimal("1.00"), amount=qty,
                    fulfilment=rng.choice(["stock", "stock", "make"]),
                    shipped_quantity=Decimal(rng.randint(0, int(qty))) if rng.random() < .2 else 0,
                )
            )  # fmt: skip
    OrderLine.objects.bulk_create(lines)
    return materials


# --- the dashboard by brute force ---------------------------------------------------------------


def visible(user, orders):
    """Who sees which orders, restated from SPEC §2 (not from permissions.py)."""
    roles = set(user.groups.values_list("name", flat=True))
    if roles & {"admin", "manager", "planner", "warehouse", "finance", "purchasing"}:
        return list(orders)
    regions = set(user.profile.regions.values_list("id", flat=True)) if "sales" in roles else set()
    stages = set()
    if "qc" in roles:
        stages |= {"in_production", "awaiting_qc", "shipped", "completed"}
    if "supervisor" in roles:
        stages |= {"confirmed", "scheduling", "in_production", "awaiting_qc"}
    return [o for o in orders if o.customer.region_id in regions or o.status in stages]


def brute_force(user, now: dt.datetime) -> dict:
    tz = timezone.get_current_timezone()
    local_now = timezone.localtime(now, tz)
    today = local_now.date()
    everything = list(Order.objects.select_related("customer").order_by("id"))
    mine = visible(user, everything)
    open_ = [o for o in mine if o.status in OPEN]

    def late_days(o):
        return (today - o.due_date).days

    buckets = {"1-3": 0, "4-7": 0, "8-15": 0, ">15": 0}
    stages = defaultdict(int)
    for o in open_:
        d = late_days(o)
        if d <= 0:
            continue
        key = "1-3" if d <= 3 else "4-7" if d <= 7 else "8-15" if d <= 15 else ">15"
        buckets[key] += 1
        stages[o.status] += 1

    shipped = [(timezone.localtime(o.shipped_at, tz).date(), o.due_date) for o in mine
               if o.shipped_at is not None]  # fmt: skip

    def window(first, last):
        inside = [(d, due) for d, due in shipped if first <= d <= last]
        on_time = sum(1 for d, due in inside if d <= due)
        return len(inside), on_time

    trend = [window(today - dt.timedelta(days=7 * k + 6), today - dt.timedelta(days=7 * k))
             for k in range(7, -1, -1)]  # fmt: skip

    this_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_start = (this_start - dt.timedelta(days=1)).replace(day=1)
    try:
        cut = local_now.replace(year=last_start.year, month=last_start.month)
    except ValueError:  # no such day last month (31st, 29 Feb …): all of last month
        cut = this_start
    counted = [o for o in mine if o.status != "cancelled" and o.created_at < now]
    this = [o for o in counted if o.created_at >= this_start]
    last = [o for o in counted if last_start <= o.created_at < cut]
    last_full = [o for o in counted if last_start <= o.created_at < this_start]

    # stock
    levels = list(StockLevel.objects.select_related("material"))
    totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for lv in levels:
        totals[lv.material_id][0] += lv.on_hand
        totals[lv.material_id][1] += lv.reserved
    below = [lv for lv in levels if lv.on_hand - lv.reserved < lv.material.safety_stock]
    visible_ids = {o.id for o in mine}
    required = defaultdict(Decimal)
    concerns_me = set()
    for line in OrderLine.objects.select_related("order"):
        if line.order.status in ("draft", "pending_review") and line.fulfilment == "stock":
            required[line.material_id] += line.quantity - line.shipped_quantity
            if line.order_id in visible_ids:
                concerns_me.add(line.material_id)
    short = sorted(m for m in concerns_me if totals[m][1] + required[m] > totals[m][0])
    return {
        "awaiting_review": sum(1 for o in mine if o.status == "pending_review"),
        "awaiting_scheduling": sum(1 for o in mine if o.status == "confirmed"),
        "due_today": sum(1 for o in open_ if o.due_date == today),
        "overdue_total": sum(buckets.values()),
        "buckets": buckets,
        "stages": dict(stages),
        "on_time_30": window(today - dt.timedelta(days=29), today),
        "trend": trend,
        "this_month": (len(this), sum((o.total_amount for o in this), Decimal(0))),
        "last_month": (len(last), sum((o.total_amount for o in last), Decimal(0))),
        "last_full": (len(last_full), sum((o.total_amount for o in last_full), Decimal(0))),
        "below_levels": len(below),
        "short": short,
    }


def from_dashboard(data: dict) -> dict:
    """The dashboard's answer in the shape ``brute_force`` returns."""
    from zhongshu.catalog.models import Material

    ot = data["on_time_rate"]
    mo = data["month_orders"]
    sa = data["stock_alerts"]
    return {
        "awaiting_review": data["pending_today"]["awaiting_review"],
        "awaiting_scheduling": data["pending_today"]["awaiting_scheduling"],
        "due_today": data["pending_today"]["due_today"],
        "overdue_total": data["overdue"]["total"],
        "buckets": {b["bucket"]: b["count"] for b in data["overdue"]["by_days"]},
        "stages": {s["status"]: s["count"] for s in data["overdue"]["by_stage"] if s["count"]},
        "on_time_30": (ot["shipped"], ot["on_time"]),
        "trend": [(w["shipped"], w["on_time"]) for w in ot["trend"]],
        "this_month": (mo["this_month"]["count"], mo["this_month"]["amount"]),
        "last_month": (mo["last_month"]["count"], mo["last_month"]["amount"]),
        "last_full": (mo["last_month"]["full_count"], mo["last_month"]["full_amount"]),
        "below_levels": sa["below_safety_levels"] if sa else None,
        "short": sorted(
            Material.objects.filter(code__in=[s["material"] for s in sa["short"]]).values_list(
                "id", flat=True
            )
        )
        if sa
        else None,
    }
