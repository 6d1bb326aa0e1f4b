"""Every KPI against a brute-force recomputation in Python over random order books, for users of
different scopes, at clock positions that hit the month and bucket edges."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from tests.analytics.world import (
    brute_force,
    build_master,
    build_orders,
    build_stock,
    from_dashboard,
)
from zhongshu.analytics import selectors

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def _clocks():
    now = timezone.now().replace(microsecond=0)
    return [
        pytest.param(now, id="now"),
        # the 31st: last month (Feb) has no 31st, so all of February is compared
        pytest.param(dt.datetime(2027, 3, 31, 10, 15, tzinfo=TZ), id="march-31"),
        pytest.param(dt.datetime(2027, 1, 1, 0, 30, tzinfo=TZ), id="new-year-00-30"),
        pytest.param(dt.datetime(2026, 7, 15, 23, 59, 59, tzinfo=TZ), id="mid-month-late"),
    ]


@pytest.mark.parametrize("now", _clocks())
@pytest.mark.parametrize("seed", [1, 2])
def test_every_kpi_matches_a_brute_force_recomputation(now, seed):
    # given a random order book, stock levels and open-order demand
    rng = random.Random(seed)
    customers, users = build_master(rng)
    orders = build_orders(rng, 160, customers, users["sales"], now)
    build_stock(rng, orders)

    for role in ("admin", "sales", "supervisor"):
        user = users[role]
        # when the dashboard is computed for the user
        data = selectors.dashboard(actor=user, now=now)
        # then every number is what counting by hand over the user's orders gives
        expected = brute_force(user, now)
        got = from_dashboard(data)
        if data["stock_alerts"] is None:  # roles without stock access get no stock card
            expected["below_levels"] = expected["short"] = None
        assert got == expected, role
        assert data["stock_alerts"] is None or (
            data["stock_alerts"]["short_materials"] == len(expected["short"])
        )


def test_a_sales_dashboard_counts_only_their_regions():
    # given orders in the sales user's regions and in another region
    rng = random.Random(7)
    customers, users = build_master(rng)
    now = timezone.now()
    build_orders(rng, 120, customers, users["sales"], now)
    sales, admin = users["sales"], users["admin"]

    # when both look at the dashboard
    mine = from_dashboard(selectors.dashboard(actor=sales, now=now))
    everyone = from_dashboard(selectors.dashboard(actor=admin, now=now))

    # then the sales figures are the brute force over their regions only, and differ from the
    # admin's (the random book has orders in the third region too)
    assert mine == {**brute_force(sales, now), "below_levels": 0, "short": []}
    assert mine != everyone
    assert mine["overdue_total"] <= everyone["overdue_total"]


def test_percentages_and_month_comparison():
    # given a known book: 4 shipped in the window, 3 of them on time
    rng = random.Random(3)
    customers, users = build_master(rng)
    now = dt.datetime(2027, 5, 20, 12, 0, tzinfo=TZ)
    orders = build_orders(rng, 0, customers, users["admin"], now)
    assert orders == []
    from tests.analytics.world import Order

    def order(status, due, shipped=None, created=None, amount="100.00"):
        o = Order.objects.create(
            number=f"K-{Order.objects.count() + 1}", customer=customers[0],
            sales_owner=users["admin"], created_by=users["admin"], due_date=due, status=status,
            total_amount=amount, shipped_at=shipped,
        )  # fmt: skip
        Order.objects.filter(pk=o.pk).update(created_at=created or now - dt.timedelta(days=70))

    day = dt.date(2027, 5, 20)
    at = dt.datetime(2027, 5, 18, 9, 0, tzinfo=TZ)
    order("shipped", day - dt.timedelta(days=2), shipped=at)  # on the due date: on time
    order("completed", day, shipped=at)
    order("completed", day - dt.timedelta(days=10), shipped=at)  # late
    order("shipped", day, shipped=at)
    order("draft", day, created=dt.datetime(2027, 5, 3, tzinfo=TZ), amount="300.00")
    order("draft", day, created=dt.datetime(2027, 4, 3, tzinfo=TZ), amount="200.00")
    order("draft", day, created=dt.datetime(2027, 4, 25, tzinfo=TZ), amount="50.00")
    order("cancelled", day, created=dt.datetime(2027, 5, 4, tzinfo=TZ), amount="999.00")

    # when
    data = selectors.dashboard(actor=users["admin"], now=now)

    # then
    assert data["on_time_rate"]["rate"] == 75.0
    assert data["on_time_rate"]["trend"][-1]["rate"] == 75.0
    assert data["on_time_rate"]["trend"][0]["rate"] is None  # nothing shipped that week
    month = data["month_orders"]
    assert (month["this_month"]["count"], str(month["this_month"]["amount"])) == (1, "300.00")
    assert (month["last_month"]["count"], str(month["last_month"]["amount"])) == (1, "200.00")
    assert month["last_month"]["full_count"] == 2
    assert month["last_month"]["until"] == dt.datetime(2027, 4, 20, 12, 0, tzinfo=TZ)
    assert month["count_change_pct"] == 0.0 and month["amount_change_pct"] == 50.0
