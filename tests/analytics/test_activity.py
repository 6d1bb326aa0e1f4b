"""Activity counters: one upsert per action, nothing lost when many requests count at once."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from zhongshu.analytics.activity import record
from zhongshu.analytics.models import DailyActivity
from zhongshu.core.signals import user_activity
from zhongshu.orders.services import order_transition


def _counts(user) -> dict[str, int]:
    return dict(DailyActivity.objects.filter(user=user).values_list("kind", "count"))


@pytest.mark.django_db
def test_record_creates_then_increments_one_row():
    user = make_user("sales")
    day = dt.date(2026, 3, 2)

    record(user, "task.started", day=day)
    record(user, "task.started", day=day, n=2)
    record(user, "task.started", day=day + dt.timedelta(days=1))
    record(user, "import.committed", day=day)

    rows = DailyActivity.objects.filter(user=user).order_by("day", "kind")
    assert [(r.day, r.kind, r.count) for r in rows] == [
        (day, "import.committed", 1),
        (day, "task.started", 3),
        (day + dt.timedelta(days=1), "task.started", 1),
    ]


@pytest.mark.django_db
def test_nothing_is_counted_without_a_user_or_kind():
    record(None, "order.created")
    record(make_user("sales"), "")
    assert DailyActivity.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_orders_created_and_moved_along_are_counted_once_each_after_commit():
    # given a sales user and an admin
    region = RegionFactory(name="华东")
    sales = make_user("sales", regions=("华东",))
    admin = make_user("admin")
    customer = CustomerFactory(region=region)
    material = MaterialFactory(fulfilment="make")

    # when the sales user creates two orders and the admin moves one along and cancels it
    lines = [{"material": material.code, "quantity": "1", "unit_price": "5"}]
    first = make_order(actor=sales, customer=customer, lines=lines)
    make_order(actor=sales, customer=customer, lines=lines)
    order_transition(actor=sales, order_id=first.pk, action="submit", note="")
    order_transition(actor=admin, order_id=first.pk, action="cancel", note="客户取消")

    # then each action is one count for the person who did it
    assert _counts(sales) == {"order.created": 2, "order.submit": 1}
    assert _counts(admin) == {"order.cancel": 1}


@pytest.mark.django_db(transaction=True)
def test_the_user_activity_signal_is_counted():
    user = make_user("operator")
    user_activity.send(sender=None, user=user, kind="task.started")
    user_activity.send(sender=None, user=user, kind="task.started")
    assert _counts(user) == {"task.started": 2}


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_concurrent_increments_lose_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on one file; the race needs real parallel writers")
    # given one user's first action of the day arriving from many requests at once
    user = make_user("sales")
    day = dt.date(2026, 5, 1)
    threads_n, per_thread = 8, 25
    barrier = threading.Barrier(threads_n)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                record(user.pk, "order.created", day=day)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    # then there is one row holding every increment
    assert errors == []
    rows = list(DailyActivity.objects.filter(user=user, day=day))
    assert len(rows) == 1 and rows[0].count == threads_n * per_thread
