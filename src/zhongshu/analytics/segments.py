"""Customer segmentation from order behaviour (SPEC §9), computed set-based in the database.

One statement recomputes every customer: the orders of the window are grouped by customer and
local order day (several orders on one day are one purchase), window functions give each order day
its interval to the previous one (``LAG``) and its rank from the most recent (``ROW_NUMBER``), an
aggregate per customer gives the counts, amounts and the weighted mean and spread of the recent
intervals, and a ``CASE`` assigns the tier. The result is upserted into ``CustomerSegment``
(``INSERT … SELECT … ON CONFLICT DO UPDATE``), which also records the previous tier when it
changed. The same SQL runs on SQLite (3.25+) and PostgreSQL; only the day arithmetic differs.

Definitions and thresholds: docs/analytics.md. Analytics writes only its own tables here.
"""

import datetime as dt
import logging
import time

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.customers.models import CustomerTier
from zhongshu.customers.selectors import customer_get

# the tier-change hook lives with the customers whose tier changes (rules listen there)
from zhongshu.customers.tiers import (  # noqa: F401  (known here as segments.on_tier_change too)
    TierChange,
    _listeners,
    _notify_listeners,
    on_tier_change,
    tiers_record,
)
from zhongshu.orders.models import Order

from .models import AnalyticsSettings, CustomerSegment, SegmentRun

log = logging.getLogger(__name__)

T = CustomerTier
EPOCH = dt.date(2000, 1, 1)
EPOCH_JULIAN = 2451544.5  # julianday('2000-01-01') in SQLite


def get_settings() -> AnalyticsSettings:
    obj, _created = AnalyticsSettings.objects.get_or_create(pk=1)
    return obj


# --- the SQL --------------------------------------------------------------------------------------


def _daynum(expr: str) -> str:
    """Whole days since 2000-01-01 of a date expression."""
    if connection.vendor == "postgresql":
        return f"(({expr})::date - DATE '2000-01-01')"
    return f"CAST(julianday({expr}) - {EPOCH_JULIAN} AS INTEGER)"


def _dayval(expr: str) -> str:
    """The date of a day number (inverse of ``_daynum``)."""
    if connection.vendor == "postgresql":
        return f"(DATE '2000-01-01' + CAST({expr} AS INTEGER))"
    return f"date({EPOCH_JULIAN} + ({expr}))"


def _float(expr: str) -> str:
    return f"CAST({expr} AS DOUBLE PRECISION)"


def _order_days_sql(window_start: dt.datetime):
    qs = (
        Order.objects.exclude(status="cancelled")
        .filter(created_at__gte=window_start)
        .annotate(day=TruncDate("created_at"))
        .values("customer_id", "day")
        .annotate(n=Count("id"), amt=Sum("total_amount"))
        .order_by()
    )
    return qs.query.sql_with_params()


def _ever_sql():
    qs = (
        Order.objects.exclude(status="cancelled")
        .values("customer_id")
        .annotate(
            first_day=TruncDate(Min("created_at")),
            last_day=TruncDate(Max("created_at")),
            ever_orders=Count("id"),
        )
        .order_by()
    )
    return qs.query.sql_with_params()


COLUMNS = [
    "customer_id", "tier", "previous_tier", "tier_changed_at", "orders", "order_days", "amount",
    "avg_amount", "interval_mean", "interval_spread", "first_order", "last_order", "recency_days",
    "trend", "expected_next", "computed_at",
]  # fmt: skip


def _stats_sql(days_sql: str, ever_sql: str) -> str:
    """The per-customer figures: order days in the window, the weighted rhythm of the gaps
    between them, recent against older amounts, first and last order ever, recency."""
    return f"""
WITH od AS ({days_sql}),
d AS (SELECT customer_id, n, amt, {_daynum("day")} AS dn FROM od),
iv AS (
  SELECT customer_id, n, amt, dn,
         dn - LAG(dn) OVER (PARTITION BY customer_id ORDER BY dn) AS gap,
         ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY dn DESC) AS rk
  FROM d
),
wv AS (
  SELECT customer_id, n, amt, dn, gap,
         CASE WHEN gap IS NOT NULL AND rk <= %s
              THEN POWER({_float("%s")}, rk - 1) ELSE 0 END AS wt
  FROM iv
),
agg AS (
  SELECT customer_id, SUM(n) AS orders, COUNT(*) AS days, SUM(amt) AS amount,
         SUM(CASE WHEN dn >= %s THEN amt ELSE 0 END) AS recent_amt,
         SUM(CASE WHEN dn < %s THEN amt ELSE 0 END) AS older_amt,
         SUM(wt) AS sw,
         SUM(wt * COALESCE(gap, 0)) AS swg,
         SUM(wt * COALESCE(gap, 0) * COALESCE(gap, 0)) AS swg2
  FROM wv GROUP BY customer_id
),
ever AS ({ever_sql}),
f AS (
  SELECT e.customer_id AS customer_id,
         {_daynum("e.first_day")} AS first_dn,
         {_daynum("e.last_day")} AS last_dn, e.ever_orders AS ever_orders,
         COALESCE(a.orders, 0) AS orders, COALESCE(a.days, 0) AS days,
         COALESCE(a.amount, 0) AS amount,
         COALESCE(a.recent_amt, 0) AS recent_amt, COALESCE(a.older_amt, 0) AS older_amt,
         CASE WHEN a.sw > 0 THEN a.swg / a.sw END AS mean,
         CASE WHEN a.sw > 0 THEN SQRT(CASE WHEN a.swg2 / a.sw - (a.swg / a.sw) * (a.swg / a.sw) > 0
              THEN a.swg2 / a.sw - (a.swg / a.sw) * (a.swg / a.sw) ELSE 0 END) END AS spread
  FROM ever e LEFT JOIN agg a ON a.customer_id = e.customer_id
),
g AS (SELECT f.*, %s - last_dn AS recency FROM f)
"""


def _upsert_sql(table: str) -> str:
    """Each customer's tier from its figures, upserted; a changed tier keeps the previous one."""
    return f"""INSERT INTO {table} ({", ".join(COLUMNS)})
SELECT customer_id,
  CASE
    WHEN first_dn > %s THEN '{T.NEW.value}'
    WHEN orders = 0 AND ever_orders < %s THEN '{T.REGULAR.value}'
    WHEN orders = 0 THEN '{T.AT_RISK.value}'
    WHEN days >= %s AND mean IS NOT NULL AND recency > mean * %s
         AND recency > mean + spread * %s THEN '{T.AT_RISK.value}'
    WHEN orders >= %s AND amount >= %s * orders AND days >= %s AND mean IS NOT NULL
         AND spread <= mean * %s THEN '{T.KEY.value}'
    WHEN orders >= %s AND recent_amt > older_amt
         AND recent_amt >= older_amt * (1 + %s) THEN '{T.GROWING.value}'
    ELSE '{T.REGULAR.value}'
  END,
  '', %s, orders, days, amount,
  CASE WHEN orders > 0 THEN ROUND(amount * 1.0 / orders, 2) END,
  mean, spread, {_dayval("first_dn")}, {_dayval("last_dn")}, recency,
  CASE WHEN older_amt > 0 THEN (recent_amt - older_amt) * 1.0 / older_amt END,
  CASE WHEN mean IS NOT NULL AND orders > 0 THEN {_dayval("last_dn + ROUND(mean)")} END,
  %s
FROM g WHERE 1 = 1
ON CONFLICT (customer_id) DO UPDATE SET
  previous_tier = CASE WHEN {table}.tier <> EXCLUDED.tier THEN {table}.tier
                       ELSE {table}.previous_tier END,
  tier_changed_at = CASE WHEN {table}.tier <> EXCLUDED.tier THEN EXCLUDED.computed_at
                         ELSE {table}.tier_changed_at END,
  tier = EXCLUDED.tier, orders = EXCLUDED.orders, order_days = EXCLUDED.order_days,
  amount = EXCLUDED.amount, avg_amount = EXCLUDED.avg_amount,
  interval_mean = EXCLUDED.interval_mean, interval_spread = EXCLUDED.interval_spread,
  first_order = EXCLUDED.first_order, last_order = EXCLUDED.last_order,
  recency_days = EXCLUDED.recency_days, trend = EXCLUDED.trend,
  expected_next = EXCLUDED.expected_next, computed_at = EXCLUDED.computed_at
"""


def _statement(s: AnalyticsSettings, today: dt.date, window_start: dt.datetime, now: dt.datetime):
    days_sql, days_params = _order_days_sql(window_start)
    ever_sql, ever_params = _ever_sql()
    today_dn = (today - EPOCH).days
    mid_dn = today_dn - s.window_days // 2
    table = connection.ops.quote_name(CustomerSegment._meta.db_table)
    sql = _stats_sql(days_sql, ever_sql) + _upsert_sql(table)
    new_after_dn = today_dn - s.new_days
    params = [
        *days_params,
        s.rhythm_intervals, s.recent_weight,
        mid_dn, mid_dn,
        *ever_params,
        today_dn,
        new_after_dn,
        s.min_rhythm_days,
        s.min_rhythm_days, s.at_risk_ratio, s.at_risk_spreads,
        s.key_min_orders, connection.ops.adapt_decimalfield_value(s.key_min_avg_amount),
        s.min_rhythm_days, s.key_max_cv,
        s.growth_min_orders, s.growth_min_trend,
        connection.ops.adapt_datetimefield_value(now),  # a first tier is a change too
        connection.ops.adapt_datetimefield_value(now),
    ]  # fmt: skip
    return sql, params


# --- recomputation --------------------------------------------------------------------------------


def recompute(*, now: dt.datetime | None = None) -> SegmentRun:
    """Recompute every customer's tier (system job: no actor, no scope). Returns the run."""
    started = time.monotonic()
    now = now or timezone.now()
    if connection.vendor == "sqlite":
        now = now.replace(microsecond=0)  # compared as text below: one spelling
    today = timezone.localtime(now).date()
    s = get_settings()
    window_first_day = today - dt.timedelta(days=s.window_days - 1)
    window_start = dt.datetime.combine(
        window_first_day, dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    sql, params = _statement(s, today, window_start, now)
    table = CustomerSegment._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params)
        # customers without any order left (e.g. all cancelled) lose their segment
        CustomerSegment.objects.exclude(computed_at=now).delete()
        # the computed tier is the customer's one tier field: written where it differs
        tiers_record(
            computed=dict(
                CustomerSegment.objects.exclude(tier=F("customer__tier")).values_list(
                    "customer_id", "tier"
                )
            )
        )
        counts = dict(
            CustomerSegment.objects.order_by()
            .values_list("tier")
            .annotate(n=Count("pk"))
            .values_list("tier", "n")
        )
        changes = [
            TierChange(*row)
            for row in CustomerSegment.objects.filter(tier_changed_at=now).values_list(
                "customer_id", "previous_tier", "tier", "expected_next"
            )
        ]
        run = SegmentRun.objects.create(
            started_at=now,
            seconds=round(time.monotonic() - started, 3),
            customers=sum(counts.values()),
            changed=len(changes),
            counts=counts,
        )
        if changes and _listeners:
            transaction.on_commit(lambda: _notify_listeners(changes))
        transaction.on_commit(lambda: _schedule_visits(today))
    log.info(
        "segments of %s customers recomputed in %.1f s (%s)", run.customers, run.seconds, table
    )
    return run


def _schedule_visits(today: dt.date) -> None:
    """定期回访 for every high-value steady customer, at its own rhythm (rules.services.visits)."""
    if not apps.is_installed("zhongshu.rules"):
        return
    from zhongshu.rules.services.visits import Visit, visits_schedule

    rows = CustomerSegment.objects.filter(
        customer__tier=T.KEY, customer__is_active=True, expected_next__isnull=False,
        interval_mean__isnull=False,
    ).values_list(
        "customer_id", "customer__region_id", "customer__name", "customer__code",
        "expected_next", "interval_mean",
    )  # fmt: skip
    visits = [
        Visit(c, r, n, code, e, round(m))
        for c, r, n, code, e, m in rows
        if e is not None and m is not None  # none: filtered out above
    ]
    try:
        visits_schedule(visits=visits, today=today)
    except Exception:  # the tiers are committed; a failed visit is tried again at the next run
        log.exception("regular visits not scheduled")


RECOMPUTE_EVERY_SECONDS = 6 * 3600


def recompute_job() -> SegmentRun | None:
    """The periodic job: at most one run per ``RECOMPUTE_EVERY_SECONDS`` even with several
    workers (the last run's start is checked inside a lock on the settings row)."""
    with transaction.atomic():
        get_settings()
        AnalyticsSettings.objects.select_for_update().get(pk=1)
        last = (
            SegmentRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
        )
        if last and (timezone.now() - last).total_seconds() < RECOMPUTE_EVERY_SECONDS - 60:
            return None
        return recompute()


# --- reads (scoped like customers: a sales user sees only the customers of their regions) --------

TIERS = [T.KEY, T.GROWING, T.AT_RISK, T.NEW, T.REGULAR]


def segment_list(*, actor: Actor, tier: str = "", q: str = ""):
    permissions.require(actor, "analytics.segments")
    qs = permissions.scope_customers(
        actor, CustomerSegment.objects.select_related("customer", "customer__region"), "customer__"
    )
    if tier:
        qs = qs.filter(customer__tier=tier)  # the customer's one tier field
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(customer__code__icontains=q) | Q(customer__name__icontains=q))
    return qs.order_by("customer__code")


def segment_summary(*, actor: Actor) -> dict:
    rows = dict(
        segment_list(actor=actor)
        .order_by()
        .values_list("customer__tier")
        .annotate(n=Count("pk"))
        .values_list("customer__tier", "n")
    )
    last = SegmentRun.objects.order_by("-started_at").first()
    return {
        "tiers": [
            {"tier": t.value, "label": str(t.label), "customers": rows.get(t.value, 0)}
            for t in TIERS
        ],
        "computed_at": last.started_at if last else None,
        "seconds": last.seconds if last else None,
    }


def segment_for_customer(*, actor: Actor, code: str) -> CustomerSegment | None:
    """The customer's segment (None when not computed yet); 404 outside the user's scope."""
    permissions.require(actor, "analytics.segments")
    customer = customer_get(actor=actor, code=code)
    return CustomerSegment.objects.filter(customer=customer).select_related("customer").first()
