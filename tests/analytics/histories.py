"""Order histories written straight into the tables for the segmentation and effect tests: the
analytics code only reads orders, and the status machine has its own tests."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from zhongshu.orders.models import Order

_numbers = itertools.count(1)
NOON = dt.time(12, 0)


def local(day: dt.date, time: dt.time = NOON) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def add_orders(customer, owner, days_ago, *, today: dt.date, amount="1000", per_day=1,
               status="completed", **fields) -> list[Order]:  # fmt: skip
    """``per_day`` orders of ``amount`` on each of ``days_ago`` (days before ``today``)."""
    orders, stamps = [], []
    for ago in days_ago:
        for k in range(per_day):
            day = today - dt.timedelta(days=ago)
            orders.append(
                Order(
                    number=f"H-{next(_numbers):08d}",
                    customer=customer,
                    sales_owner=owner,
                    created_by=owner,
                    due_date=day + dt.timedelta(days=20),
                    status=status,
                    total_amount=Decimal(amount),
                    **fields,
                )
            )
            stamps.append(local(day, dt.time(9 + k % 8, 0)))
    Order.objects.bulk_create(orders)
    for order, at in zip(orders, stamps, strict=True):
        order.created_at = at
    Order.objects.bulk_update(orders, ["created_at"])  # auto_now_add only applies on insert
    return orders


def days_before(intervals_oldest_first, *, last_ago: int) -> list[int]:
    """Order days (as days ago) with these intervals between them, the last ``last_ago`` days ago."""
    out = [last_ago]
    for gap in reversed(intervals_oldest_first):
        out.append(out[-1] + gap)
    return sorted(out, reverse=True)
