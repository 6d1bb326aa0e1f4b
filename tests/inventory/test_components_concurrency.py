"""Make-to-order orders confirmed at the same moment, each on its own connection, competing for
the components of their bills (and for stock lines, locked in the same id order)."""

from decimal import Decimal

import pytest

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    give_bom,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from tests.support.threads import failures, race
from zhongshu.inventory.exceptions import InsufficientStock
from zhongshu.inventory.models import ComponentShortage, Reservation
from zhongshu.inventory.services.components import components_adjust_for_scrap
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _confirm(planner, order_id):
    def run():
        return order_transition(actor=planner, order_id=order_id, action="confirm").status

    return run


def test_two_make_orders_confirmed_at_once_never_over_reserve_the_bar(sqlite_file_db):
    # given 200 kg of bar, shafts taking 2 kg at 10 % scrap, and two pending orders of 60 shafts
    # (132 kg each) that also name a stock part and share a second component in another order
    make_warehouse()
    customer = CustomerFactory(code="C-MTO", region=RegionFactory(name="华东"))
    sales, planner, keeper = make_user("sales", regions=("华东",)), make_user("planner"), None
    bar = MaterialFactory(code="BAR-45", kind="raw", unit="kg")
    pin = MaterialFactory(code="PIN-6", kind="raw")
    put_stock(bar, 200, actor=keeper)
    put_stock(pin, 200, actor=keeper)
    shaft = MaterialFactory(code="SHAFT", fulfilment="make")
    give_bom(shaft, (bar, "2", "10"), (pin, "1", "0"))
    orders = [
        make_order(
            actor=sales,
            customer=customer,
            lines=[{"material": "PIN-6", "quantity": "5"}, {"material": "SHAFT", "quantity": "60"}],
            status="pending_review",
        )
        for _ in range(2)
    ]
    # when both are confirmed at the same moment
    results = race(*[_confirm(planner, o.pk) for o in orders])
    # then one is confirmed holding its 132 kg; the other is refused with exactly the 64 kg it
    # lacks of the 68 kg left, holding nothing (its stock line neither): all or nothing
    done = [r for r in results if r == "confirmed"]
    [refused] = failures(results)
    assert len(done) == 1, results
    assert isinstance(refused, InsufficientStock), refused
    assert refused.details["shortages"] == [
        {"material": "BAR-45", "unit": "kg", "requested": "132", "available": "68", "short": "64"}
    ]
    assert (level_of(bar).on_hand, level_of(bar).reserved) == (Decimal(200), Decimal(132))
    assert (level_of(pin).on_hand, level_of(pin).reserved) == (Decimal(200), Decimal(65))
    assert Reservation.objects.filter(status="active").count() == 3
    assert sorted(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list(
        "status", flat=True)) == ["confirmed", "pending_review"]  # fmt: skip
    assert_ledger_matches_levels()


def test_stock_arriving_while_orders_are_confirmed_tops_up_without_over_reserving(
    sqlite_file_db,
):
    # given 200 kg of bar, two pending orders of 10 shafts (22 kg each), and an order of 90
    # shafts holding 198 kg whose 10 scrapped shafts left it 20 kg short
    make_warehouse()
    customer = CustomerFactory(code="C-MTO", region=RegionFactory(name="华东"))
    sales, planner = make_user("sales", regions=("华东",)), make_user("planner")
    bar = MaterialFactory(code="BAR-45", kind="raw", unit="kg")
    put_stock(bar, 200)
    shaft = MaterialFactory(code="SHAFT", fulfilment="make")
    give_bom(shaft, (bar, "2", "10"))

    def order(qty, status):
        return make_order(actor=sales, customer=customer, status=status,
                          lines=[{"material": "SHAFT", "quantity": str(qty)}])  # fmt: skip

    pending = [order(10, "pending_review") for _ in range(2)]
    short = order(90, "confirmed")
    components_adjust_for_scrap(actor=None, order_line_id=short.lines.get().pk, quantity="10")
    assert ComponentShortage.objects.get(order=short).quantity == Decimal(20)

    def receive():
        put_stock(bar, 50)
        return "received"

    # when 50 kg arrive while both pending orders are confirmed
    results = race(receive, *[_confirm(planner, o.pk) for o in pending])
    # then whatever the order, nothing is ever held beyond what is on hand, the ledger adds up,
    # and every kilogram went either to the flagged order or to a confirmation
    assert not [r for r in failures(results) if not isinstance(r, InsufficientStock)], results
    level = level_of(bar)
    assert (level.on_hand, level.reserved <= level.on_hand) == (Decimal(250), True)
    flagged = ComponentShortage.objects.filter(order=short).first()
    held_short = sum(
        r.quantity + r.consumed for r in Reservation.objects.filter(order=short, for_component=True)
    )
    assert held_short + (flagged.quantity if flagged else 0) == Decimal(220)
    assert level.reserved == sum(
        r.quantity for r in Reservation.objects.filter(status="active", level__material=bar)
    )
    assert_ledger_matches_levels()
