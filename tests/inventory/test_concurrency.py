"""Real parallel connections: every thread has its own database connection and transaction."""

from decimal import Decimal

import pytest

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from tests.support.threads import race
from zhongshu.inventory.exceptions import InsufficientStock
from zhongshu.inventory.models import Reservation
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _setup():
    make_warehouse()
    region = RegionFactory(name="华东")
    customer = CustomerFactory(code="C-RACE", region=region)
    sales = make_user("sales", regions=("华东",))
    planner = make_user("planner")
    keeper = make_user("warehouse")
    return customer, sales, planner, keeper


def _confirm(planner, order_id):
    def run():
        return order_transition(actor=planner, order_id=order_id, action="confirm").status

    return run


def test_40_orders_compete_for_25_units(sqlite_file_db):
    # given 25 in stock and 40 pending orders of one unit each
    customer, sales, planner, keeper = _setup()
    hot = MaterialFactory(code="HOT")
    put_stock(hot, 25, actor=keeper)
    orders = [
        make_order(
            actor=sales,
            customer=customer,
            lines=[{"material": "HOT", "quantity": "1"}],
            status="pending_review",
        )
        for _ in range(40)
    ]
    # when 40 planners confirm at the same moment
    results = race(*[_confirm(planner, o.pk) for o in orders])
    # then exactly 25 are confirmed and 15 refused with the shortage
    confirmed = [r for r in results if r == "confirmed"]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(confirmed), len(refused)) == (25, 15), [
        r for r in results if r != "confirmed" and not isinstance(r, InsufficientStock)
    ]
    assert all(
        e.details == {"shortages": [{"material": "HOT", "requested": "1", "available": "0"}]}
        for e in refused
    )
    level = level_of(hot)
    assert (level.on_hand, level.reserved) == (Decimal(25), Decimal(25))
    assert Order.objects.filter(status="confirmed").count() == 25
    assert Order.objects.filter(status="pending_review").count() == 15
    assert Reservation.objects.filter(status="active").count() == 25
    assert_ledger_matches_levels()


def test_overlapping_multi_line_orders_never_deadlock_or_half_reserve(sqlite_file_db):
    # given three materials and orders naming them in opposite orders
    customer, sales, planner, keeper = _setup()
    codes = ["MX-A", "MX-B", "MX-C"]
    materials = [MaterialFactory(code=c) for c in codes]
    for m in materials:
        put_stock(m, 30, actor=keeper)
    orders = []
    for i in range(24):
        sequence = codes if i % 2 == 0 else list(reversed(codes))
        orders.append(
            make_order(
                actor=sales,
                customer=customer,
                lines=[{"material": c, "quantity": "2"} for c in sequence],
                status="pending_review",
            )
        )
    # when all of them are confirmed at once (needing 48 of each, 30 in stock)
    results = race(*[_confirm(planner, o.pk) for o in orders])
    # then 15 fit, the rest are refused whole, and no thread failed any other way
    unexpected = [r for r in results if r != "confirmed" and not isinstance(r, InsufficientStock)]
    assert unexpected == []
    assert results.count("confirmed") == 15
    for m in materials:
        assert level_of(m).reserved == 30
    for order in Order.objects.all():
        held = Reservation.objects.filter(order=order, status="active").count()
        assert held == (3 if order.status == "confirmed" else 0)
    assert_ledger_matches_levels()
