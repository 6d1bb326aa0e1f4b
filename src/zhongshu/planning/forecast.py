"""Demand forecast per finished product from order history (SPEC §9).

History is what customers ordered, by the due date of the order (the date they need it), in
weekly or monthly buckets, read with one aggregate query for every product at once. Orders
count once submitted (pending review onwards) unless cancelled. The current bucket is not
history yet: the series ends with the last complete bucket, and the forecast starts with the
current one.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DateField, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.db.models.functions.datetime import TruncBase

from . import forecasting
from .models import ForecastBucket

ZERO = Decimal("0")
MILLI = Decimal("0.001")
BOOKED = ("pending_review", "confirmed", "scheduling", "in_production", "awaiting_qc",
          "shipped", "completed")  # fmt: skip
# Keyed by ForecastBucket; looked up with the bucket's plain value.
HISTORY: dict[str, int] = {
    ForecastBucket.MONTH: 48,
    ForecastBucket.WEEK: 156,
}  # buckets read at most
PLANS: dict[str, forecasting.BacktestPlan] = {
    ForecastBucket.MONTH: forecasting.MONTHLY, ForecastBucket.WEEK: forecasting.WEEKLY,
}  # fmt: skip


class _DateTrunc:
    """PostgreSQL truncates a date to a timestamp with time zone: cast it back to a date in the
    query, so the rows come back as dates (cheaper to read than timestamps converted one by one)."""

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        return f"({sql})::date", params


class _Month(_DateTrunc, TruncMonth):
    pass


class _Week(_DateTrunc, TruncWeek):
    pass


TRUNC: dict[str, type[TruncBase]] = {ForecastBucket.MONTH: _Month, ForecastBucket.WEEK: _Week}


def bucket_start(day: dt.date, bucket: str) -> dt.date:
    if bucket == ForecastBucket.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def shift(start: dt.date, bucket: str, n: int) -> dt.date:
    """The bucket ``n`` buckets after (or before) the one starting on ``start``."""
    if bucket == ForecastBucket.WEEK:
        return start + dt.timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def booked_by_bucket(bucket: str, start: dt.date, end: dt.date, *, finished_only: bool = True):
    """{product: {bucket start: quantity}} of booked orders due in [start, end): one query."""
    from zhongshu.orders.models import OrderLine

    qs = OrderLine.objects.filter(
        order__status__in=BOOKED, order__due_date__gte=start, order__due_date__lt=end
    )
    if finished_only:
        qs = qs.filter(material__kind="finished", material__is_active=True)
    out: dict[int, dict[dt.date, Decimal]] = {}
    for mid, b, qty in (
        qs.annotate(b=TRUNC[bucket]("order__due_date", output_field=DateField()))
        .values("material_id", "b")
        .annotate(q=Sum("quantity"))
        .values_list("material_id", "b", "q")
    ):
        out.setdefault(mid, {})[_as_date(b)] = qty
    return out


def histories(bucket: str, today: dt.date) -> tuple[dt.date, dict[int, list[float]]]:
    """(first forecast bucket, {product: demand per bucket, oldest first}). A product's series
    starts at its first bucket with demand and runs to the last complete bucket, zeros filled."""
    current = bucket_start(today, bucket)
    first = shift(current, bucket, -HISTORY[bucket])
    rows = booked_by_bucket(bucket, first, current)
    end = index(current, bucket)
    series = {}
    for mid, by_bucket in rows.items():
        at = {index(b, bucket): float(q) for b, q in by_bucket.items()}
        start = min(at)
        y = [0.0] * (end - start)
        for i, q in at.items():
            y[i - start] = q
        series[mid] = y
    return current, series


def index(start: dt.date, bucket: str) -> int:
    """A bucket's number counted from a fixed origin: consecutive buckets, consecutive numbers."""
    if bucket == ForecastBucket.WEEK:
        return start.toordinal() // 7
    return start.year * 12 + start.month - 1


def qty(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(MILLI, rounding=ROUND_HALF_UP)


def forecast_all(bucket: str, today: dt.date, horizon: int):
    """(first period, [(product, Choice)]) for every finished product with history."""
    first, series = histories(bucket, today)
    plan = PLANS[bucket]
    return first, [(mid, forecasting.choose(y, horizon, plan)) for mid, y in series.items()]


def extra_demand(run, today: dt.date) -> dict[int, dict[dt.date, Decimal]]:
    """What the forecast adds to MRP: per product and bucket, the forecast less the orders
    already booked for that bucket (never below 0), needed on the bucket's first day (today for
    the current bucket). Buckets already over are skipped. Two queries."""
    from .models import ProductForecast

    if run is None:
        return {}
    starts = [shift(run.first_period, run.bucket, i) for i in range(run.horizon + 1)]
    booked = booked_by_bucket(run.bucket, starts[0], starts[-1])
    out: dict[int, dict[dt.date, Decimal]] = {}
    for mid, values in ProductForecast.objects.filter(run=run).values_list("material_id", "values"):
        mine = booked.get(mid, {})
        for i, raw in enumerate(values[: run.horizon]):
            start, end = starts[i], starts[i + 1]
            if end <= today:
                continue
            extra = Decimal(raw) - mine.get(start, ZERO)
            if extra > 0:
                out.setdefault(mid, {})[max(start, today)] = extra
    return out
