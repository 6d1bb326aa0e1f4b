"""The six KPIs of the home dashboard (SPEC §9), exact definitions in docs/dashboard.md.

Every order figure starts from ``permissions.scope_orders`` — a sales user's dashboard counts only
the orders of their regions — and every KPI is one set-based query (conditional aggregation with
``Count``/``Sum`` and ``filter=Q(…)``), so the page costs the same few queries at ten orders or a
million. ``dashboard`` returns plain data (dicts, ints, strings, dates): the page renders it, the
API serialises it, so both always show the same numbers.
"""

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.orders.models import Order, OrderLine, money
from zhongshu.orders.statuses import OPEN, OrderStatus

from . import sources

S = OrderStatus
DAY = dt.timedelta(days=1)
# open = not shipped, completed or cancelled; listed in the order of the status machine
OPEN_STATUSES = [s.value for s in OrderStatus if s in OPEN]
PRE_CONFIRM = [S.DRAFT.value, S.PENDING_REVIEW.value]  # stock lines not reserved yet
# days late: (today − due date) in whole days; (label, first day, last day or None)
OVERDUE_BUCKETS = [("1-3", 1, 3), ("4-7", 4, 7), ("8-15", 8, 15), (">15", 16, None)]
BUCKET_KEYS = ["d1_3", "d4_7", "d8_15", "d16_plus"]
ON_TIME_WINDOW_DAYS = 30
TREND_WEEKS = 8
LOAD_DAYS = 7
SHORT_LIST_MAX = 10
ORDER_LIST = "/orders/"
STOCK_LIST = "/inventory/"
PRODUCTION_LOAD = "/production/load/"


@dataclass(frozen=True)
class Clock:
    now: dt.datetime
    today: dt.date

    @classmethod
    def at(cls, now: dt.datetime | None = None) -> "Clock":
        now = now or timezone.now()
        return cls(now=now, today=timezone.localtime(now).date())

    def midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _pct(part, whole) -> float | None:
    if not whole:
        return None
    return round(float(part) * 100 / float(whole), 1)


def _order_url(statuses=None, due_from: dt.date | None = None, due_to: dt.date | None = None):
    params = [("status", s) for s in statuses or ()]
    if due_from:
        params.append(("due_from", due_from.isoformat()))
    if due_to:
        params.append(("due_to", due_to.isoformat()))
    return ORDER_LIST + ("?" + urlencode(params) if params else "")


def scoped_orders(actor: Actor):
    """The orders the dashboard counts for ``actor`` (403 for roles without the dashboard)."""
    permissions.require(actor, "dashboard.view")
    return permissions.scope_orders(actor, Order.objects.all()).order_by()


# --- 1 + 2: pending today and overdue (one query over the open orders) ----------------------------


# Counting a column the KPI's index covers (not the id) lets PostgreSQL answer from the index
# alone (index-only scan) when the covering indexes proposed in docs/dashboard.md exist.
ROW_OPEN = "due_date"


def _open_summary(actor: Actor, clock: Clock) -> dict:
    today = clock.today
    aggs = {
        "awaiting_review": Count(ROW_OPEN, filter=Q(status=S.PENDING_REVIEW)),
        "awaiting_scheduling": Count(ROW_OPEN, filter=Q(status=S.CONFIRMED)),
        "due_today": Count(ROW_OPEN, filter=Q(due_date=today)),
        "overdue": Count(ROW_OPEN, filter=Q(due_date__lt=today)),
    }
    for i, (_label, first, last) in enumerate(OVERDUE_BUCKETS):
        q = Q(due_date__lte=today - first * DAY)
        if last is not None:
            q &= Q(due_date__gte=today - last * DAY)
        aggs[f"bucket_{i}"] = Count(ROW_OPEN, filter=q)
    for status in OPEN_STATUSES:
        aggs[f"stage_{status}"] = Count(ROW_OPEN, filter=Q(status=status, due_date__lt=today))
    return scoped_orders(actor).filter(status__in=OPEN_STATUSES).aggregate(**aggs)


def _pending_today(actor: Actor, clock: Clock, row: dict) -> dict:
    today = clock.today
    return {
        "awaiting_review": row["awaiting_review"],
        "awaiting_scheduling": row["awaiting_scheduling"],
        "awaiting_my_approval": sources.awaiting_approval(actor),
        "due_today": row["due_today"],
        "urls": {
            "awaiting_review": _order_url([S.PENDING_REVIEW]),
            "awaiting_scheduling": _order_url([S.CONFIRMED]),
            "awaiting_my_approval": "",
            "due_today": _order_url(OPEN_STATUSES, today, today),
        },
    }


def _overdue(clock: Clock, row: dict) -> dict:
    today = clock.today
    by_days = []
    for i, (label, first, last) in enumerate(OVERDUE_BUCKETS):
        due_to = today - first * DAY
        due_from = today - last * DAY if last is not None else None
        by_days.append(
            {
                "key": BUCKET_KEYS[i],
                "bucket": label,
                "min_days": first,
                "max_days": last,
                "count": row[f"bucket_{i}"],
                "url": _order_url(OPEN_STATUSES, due_from, due_to),
            }
        )
    by_stage = [
        {
            "status": status,
            "label": str(S(status).label),
            "count": row[f"stage_{status}"],
            "url": _order_url([status], None, today - DAY),
        }
        for status in OPEN_STATUSES
    ]
    return {
        "total": row["overdue"],
        "by_days": by_days,
        "by_stage": by_stage,
        "url": _order_url(OPEN_STATUSES, None, today - DAY),
    }


# --- 3: load per production line, next 7 days ------------------------------------------------------


def _load_source():
    """``zhongshu.production.selectors.line_load`` when production is installed, else None."""
    try:
        from zhongshu.production.selectors import line_load
    except ImportError:
        return None
    return line_load


def _paused(actor: Actor) -> dict:
    """Paused tasks and the lines they stand on (zeros without production)."""
    try:
        from zhongshu.production.selectors import paused_summary
    except ImportError:
        return {"paused_tasks": 0, "paused_lines": 0}
    return paused_summary(actor=actor)


def line_load(actor: Actor, clock: Clock) -> dict | None:
    """None when the user may not see production (the card is not shown to them)."""
    if not permissions.can(actor, "production.view"):
        return None
    start, end = clock.today, clock.today + (LOAD_DAYS - 1) * DAY
    source = _load_source()
    url = f"{PRODUCTION_LOAD}?{urlencode({'start': start.isoformat(), 'days': LOAD_DAYS})}"
    result = {"start": start, "end": end, "available": source is not None, "lines": [], "url": url}
    result.update(_paused(actor))
    if source is None:
        return result
    lines: dict = {}
    for r in source(actor=actor, start=start, end=end):
        line = lines.setdefault(
            r["work_center_id"],
            {
                "work_center_id": r["work_center_id"],
                "code": r["code"],
                "name": r["name"],
                "planned_hours": Decimal("0"),
                "capacity_hours": Decimal("0"),
            },
        )
        line["planned_hours"] += Decimal(str(r["planned_hours"] or 0))
        line["capacity_hours"] += Decimal(str(r["capacity_hours"] or 0))
    for line in lines.values():
        line["load_rate"] = _pct(line["planned_hours"], line["capacity_hours"])
        line["planned_hours"] = float(line["planned_hours"])
        line["capacity_hours"] = float(line["capacity_hours"])
        line["url"] = url
    result["lines"] = sorted(lines.values(), key=lambda x: x["code"])
    return result


# --- 4: on-time delivery, last 30 days, and its weekly trend ---------------------------------------


def on_time_rate(actor: Actor, clock: Clock) -> dict:
    first_day = clock.today - (TREND_WEEKS * 7 - 1) * DAY
    rows = (
        scoped_orders(actor)
        .filter(
            shipped_at__gte=clock.midnight(first_day),
            shipped_at__lt=clock.midnight(clock.today + DAY),
        )
        .annotate(day=TruncDate("shipped_at"))
        .values("day")
        .annotate(
            shipped=Count("shipped_at"),
            on_time=Count("shipped_at", filter=Q(due_date__gte=F("day"))),
        )
    )
    per_day = {r["day"]: (r["shipped"], r["on_time"]) for r in rows}

    def window(first: dt.date, last: dt.date) -> dict:
        shipped = on_time = 0
        day = first
        while day <= last:
            s, o = per_day.get(day, (0, 0))
            shipped, on_time = shipped + s, on_time + o
            day += DAY
        return {
            "start": first,
            "end": last,
            "shipped": shipped,
            "on_time": on_time,
            "late": shipped - on_time,
            "rate": _pct(on_time, shipped),
        }

    last30 = window(clock.today - (ON_TIME_WINDOW_DAYS - 1) * DAY, clock.today)
    trend = [
        window(clock.today - (7 * k + 6) * DAY, clock.today - 7 * k * DAY)
        for k in reversed(range(TREND_WEEKS))
    ]
    return {
        "window_days": ON_TIME_WINDOW_DAYS,
        **last30,
        "trend": trend,
        "url": _order_url([S.SHIPPED, S.COMPLETED]),
    }


# --- 5: orders and amount, this month vs last month ------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_orders(actor: Actor, clock: Clock) -> dict:
    this_start_day = _month_start(clock.today)
    last_start_day = _month_start(this_start_day - DAY)
    this_start = clock.midnight(this_start_day)
    last_start = clock.midnight(last_start_day)
    # the same point of last month: same day of month and time of day, at most its end
    last_cut = min(last_start + (clock.now - this_start), this_start)
    this_q = Q(created_at__gte=this_start, created_at__lt=clock.now)
    cut_q = Q(created_at__lt=last_cut)
    full_q = Q(created_at__lt=this_start)
    row = (
        scoped_orders(actor)
        .exclude(status=S.CANCELLED)
        .filter(created_at__gte=last_start, created_at__lt=clock.now)
        .aggregate(
            this_count=Count("created_at", filter=this_q),
            this_amount=Sum("total_amount", filter=this_q),
            last_count=Count("created_at", filter=cut_q),
            last_amount=Sum("total_amount", filter=cut_q),
            last_full_count=Count("created_at", filter=full_q),
            last_full_amount=Sum("total_amount", filter=full_q),
        )
    )
    this_amount = money(row["this_amount"] or Decimal(0))
    last_amount = money(row["last_amount"] or Decimal(0))

    def change(now_value, then_value):
        if not then_value:
            return None
        return round(float(now_value - then_value) * 100 / float(then_value), 1)

    return {
        "this_month": {
            "start": this_start_day,
            "until": clock.now,
            "count": row["this_count"],
            "amount": this_amount,
        },
        "last_month": {
            "start": last_start_day,
            "until": last_cut,
            "count": row["last_count"],
            "amount": last_amount,
            "full_count": row["last_full_count"],
            "full_amount": money(row["last_full_amount"] or Decimal(0)),
        },
        "count_change_pct": change(row["this_count"], row["last_count"]),
        "amount_change_pct": change(this_amount, last_amount),
        "url": ORDER_LIST
        + "?"
        + urlencode(
            [("status", s) for s in S.values if s != S.CANCELLED]
            + [("created_from", this_start_day.isoformat())]
        ),
    }


# --- 6: stock alerts ---------------------------------------------------------------------------------


class ShortMaterial(TypedDict):
    """A material whose open demand and reservations exceed what is on hand."""

    material: str
    name: str
    unit: str
    on_hand: Decimal
    reserved: Decimal
    required: Decimal
    shortfall: Decimal
    url: str


def stock_alerts(actor: Actor, clock: Clock) -> dict | None:
    """None when the user may not see stock (the card is not shown to them)."""
    if not permissions.can(actor, "inventory.view"):
        return None
    # every material with its stock summed over the warehouses (materials are few: one grouped
    # query over materials and levels), then the unconfirmed demand grouped by material
    totals = {
        r["id"]: r
        for r in Material.objects.order_by()
        .values("id", "code", "name", "unit")
        .annotate(
            total_on_hand=Sum("stock_levels__on_hand"),
            total_reserved=Sum("stock_levels__reserved"),
            below=Count(
                "stock_levels",
                filter=Q(stock_levels__on_hand__lt=F("stock_levels__reserved") + F("safety_stock")),
            ),
        )
    }
    below_levels = sum(r["below"] for r in totals.values())
    below_materials = sum(1 for r in totals.values() if r["below"])
    scope_q = permissions.order_scope_q(actor, prefix="order__")
    demand = (
        OrderLine.objects.filter(order__status__in=PRE_CONFIRM, fulfilment=Fulfilment.STOCK)
        .order_by()
        .values("material_id")
        .annotate(
            required=Sum(F("quantity") - F("shipped_quantity")),
            mine=Count("pk", filter=scope_q) if scope_q is not None else Count("pk"),
        )
    )
    short: list[ShortMaterial] = []
    zero = Decimal("0")
    for d in demand:
        if not d["mine"]:
            continue  # the shortage concerns none of the orders this user sees
        material = totals[d["material_id"]]
        on_hand = material["total_on_hand"] or zero
        reserved = material["total_reserved"] or zero
        required = d["required"] or zero
        if reserved + required > on_hand:
            short.append(
                {
                    "material": material["code"],
                    "name": material["name"],
                    "unit": material["unit"],
                    "on_hand": on_hand,
                    "reserved": reserved,
                    "required": required,
                    "shortfall": reserved + required - on_hand,
                    "url": f"{STOCK_LIST}?{urlencode({'q': material['code']})}",
                }
            )
    short.sort(key=lambda x: (-x["shortfall"], x["material"]))
    return {
        "below_safety_levels": below_levels,
        "below_safety_materials": below_materials,
        "below_safety_url": f"{STOCK_LIST}?alerts=1",
        "short_materials": len(short),
        "short": short[:SHORT_LIST_MAX],
        "url": STOCK_LIST,
    }


# --- the whole dashboard -------------------------------------------------------------------------------


def dashboard(*, actor: Actor, now: dt.datetime | None = None) -> dict:
    clock = Clock.at(now)
    row = _open_summary(actor, clock)  # checks dashboard.view first
    return {
        "today": clock.today,
        "generated_at": clock.now,
        "pending_today": _pending_today(actor, clock, row),
        "overdue": _overdue(clock, row),
        "line_load": line_load(actor, clock),
        "on_time_rate": on_time_rate(actor, clock),
        "month_orders": month_orders(actor, clock),
        "stock_alerts": stock_alerts(actor, clock),
    }


# --- the cached dashboard the page and the API serve ---------------------------------------------

DEFAULT_CACHE_SECONDS = 30


def cache_seconds() -> int:
    """``settings.DASHBOARD_CACHE_SECONDS``, else the environment variable of that name with a
    ZHONGSHU_ prefix, else 30."""
    value: Any = getattr(settings, "DASHBOARD_CACHE_SECONDS", None)  # whatever was configured
    if value is None:
        value = os.environ.get("ZHONGSHU_DASHBOARD_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)
    try:
        return int(value)
    except (TypeError, ValueError):
        return DEFAULT_CACHE_SECONDS


def scope_cache_key(actor: Actor, today: dt.date) -> str:
    """Users with the same roles (and, for sales, the same regions) see the same figures."""
    roles = sorted(permissions.roles_of(actor))
    regions = sorted(permissions.region_ids_of(actor)) if "sales" in roles else []
    return f"zs:dashboard:{today.isoformat()}:{','.join(roles)}:{','.join(map(str, regions))}"


def dashboard_for(*, actor: Actor) -> dict:
    """``dashboard`` as the page and the API show it: the KPIs of the user's scope are computed
    at most once per ``DASHBOARD_CACHE_SECONDS`` (30 s; 0 turns the cache off) for everybody
    sharing that scope, and shown with the time they were computed (``generated_at``). The
    figures of one person ("awaiting my approval") are always fresh."""
    seconds = cache_seconds()
    if seconds <= 0:
        return dashboard(actor=actor)
    permissions.require(actor, "dashboard.view")
    key = scope_cache_key(actor, Clock.at().today)
    data = cache.get(key)
    if data is None:
        data = dashboard(actor=actor)
        cache.set(key, data, seconds)
    else:
        data["pending_today"]["awaiting_my_approval"] = sources.awaiting_approval(actor)
    return data
