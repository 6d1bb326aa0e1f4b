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
from zhongshu.inventory.models import Reservation
from zhongshu.inventory.services.components import shortages
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
    # then both are confirmed, the first holds its 132 kg, the other the 68 kg left and is flagged
    # short of exactly 64 kg; nothing is ever held beyond what is on hand
    assert results == ["confirmed", "confirmed"], failures(results)
    assert (level_of(bar).on_hand, level_of(bar).reserved) == (Decimal(200), Decimal(200))
    assert (level_of(pin).on_hand, level_of(pin).reserved) == (Decimal(200), Decimal(130))
    held = sorted(
        r.quantity for r in Reservation.objects.filter(status="active", level__material=bar)
    )
    assert held == [Decimal(68), Decimal(132)]
    short = shortages([o.pk for o in orders])
    assert list(short.values()) == [[{"material": "BAR-45", "short": Decimal(64)}]]
    assert_ledger_matches_levels()
