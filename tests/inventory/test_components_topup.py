"""A confirmed make line that holds only part of its components (a design change, scrap) is
flagged, purchasing is told, and the flag is topped up when stock arrives: oldest due date first."""

from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, give_bom, make_order, make_user, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.catalog.models import Material
from zhongshu.inventory.models import ComponentShortage, Reservation
from zhongshu.inventory.services import rereserve_order, stock_adjust
from zhongshu.inventory.services.components import components_adjust_for_scrap
from zhongshu.notify.models import Message
from zhongshu.orders.models import OrderEvent
from zhongshu.orders.services import order_transition


@pytest.fixture
def shaft(warehouse, keeper):
    """SHAFT (make) ← 2 × BAR-45 kg at 10 % scrap: 2.2 kg of bar per shaft; 200 kg on hand."""
    bar = MaterialFactory(code="BAR-45", kind="raw", unit="kg")
    put_stock(bar, 200, actor=keeper)
    product = MaterialFactory(code="SHAFT", fulfilment="make")
    give_bom(product, (bar, "2", "10"))
    return product


def _confirmed(sales, customer, qty, due_in_days=30):
    return make_order(
        actor=sales, customer=customer, lines=[{"material": "SHAFT", "quantity": str(qty)}],
        status="confirmed", due_in_days=due_in_days,
    )  # fmt: skip


def _bar():
    return Material.objects.get(code="BAR-45")


def _held(order) -> Decimal:
    return sum(
        (r.quantity + r.consumed for r in Reservation.objects.filter(order=order)), Decimal(0)
    )


def _scrap(order, qty):
    return components_adjust_for_scrap(
        actor=None, order_line_id=order.lines.get().pk, quantity=str(qty)
    )


def test_a_design_change_holds_what_is_there_flags_the_rest_and_tells_purchasing(
    shaft, sales_east, customer_east
):
    # given an order of 90 shafts holding 198 of the 200 kg
    order = _confirmed(sales_east, customer_east, 90)
    purchasing = make_user("purchasing")
    # when its bill changes to 3 kg a shaft (270 kg) and it is re-reserved
    give_bom(shaft, (_bar(), "3", "0"))
    rereserve_order(order=order)
    # then the 200 kg are held, the missing 70 kg flagged on the line
    assert (level_of(_bar()).reserved, _held(order)) == (Decimal(200), Decimal(200))
    flag = ComponentShortage.objects.get(order=order)
    assert (flag.material.code, flag.quantity) == ("BAR-45", Decimal(70))
    # and the order's timeline and purchasing say so
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.action, event.note) == ("components_short", "BAR-45 short by 70 kg")
    [told] = Message.objects.filter(order_id=order.pk, source="inventory.components")
    assert (told.recipient_id, told.body) == (purchasing.pk, "BAR-45 short by 70 kg")
    assert_ledger_matches_levels()


def test_a_receipt_tops_up_the_flag_and_the_timeline_says_the_shortage_is_cleared(
    shaft, sales_east, customer_east, keeper
):
    # given an order of 90 shafts that scrapped 10 more: 20 kg short
    order = _confirmed(sales_east, customer_east, 90)
    _scrap(order, 10)
    assert ComponentShortage.objects.get(order=order).quantity == Decimal(20)
    # when 15 kg arrive / then they are held at once, 5 kg still flagged
    put_stock(_bar(), 15, actor=keeper)
    assert (_held(order), ComponentShortage.objects.get(order=order).quantity) == (
        Decimal(215),
        Decimal(5),
    )
    assert OrderEvent.objects.filter(order=order).latest("id").note == (
        "Components held as stock arrived: BAR-45 +15. Still short."
    )
    # when 50 kg more arrive / then the 5 kg are held, the flag is gone, 45 kg stay free
    put_stock(_bar(), 50, actor=keeper)
    assert (_held(order), ComponentShortage.objects.filter(order=order).exists()) == (
        Decimal(220),
        False,
    )
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.action, event.note) == (
        "components_topped_up",
        "Components held as stock arrived: BAR-45 +5. Shortage cleared.",
    )
    level = level_of(_bar())
    assert level.on_hand - level.reserved == Decimal(45)
    assert_ledger_matches_levels()


def test_stock_arriving_goes_to_the_oldest_due_date_first(shaft, sales_east, customer_east):
    # given two orders of 45 shafts (99 kg each), the later-due one confirmed first, both
    # short of 11 kg after 5 shafts each were scrapped (2 kg were left for the first)
    later = _confirmed(sales_east, customer_east, 45, due_in_days=40)
    sooner = _confirmed(sales_east, customer_east, 45, due_in_days=20)
    _scrap(later, 5)
    _scrap(sooner, 5)
    short = dict(ComponentShortage.objects.values_list("order_id", "quantity"))
    assert short == {later.pk: Decimal(9), sooner.pk: Decimal(11)}
    # when 12 kg come in by a stock adjustment / then the sooner-due order takes its 11 kg
    # first and the later one the 1 kg left
    stock_adjust(actor=make_user("warehouse"), material="BAR-45", warehouse="01", quantity="12",
                 reason="盘盈")  # fmt: skip
    short = dict(ComponentShortage.objects.values_list("order_id", "quantity"))
    assert short == {later.pk: Decimal(8)}
    assert (_held(sooner), _held(later)) == (Decimal(110), Decimal(102))
    assert_ledger_matches_levels()


def test_a_cancelled_order_gives_its_bar_to_the_flagged_one(
    shaft, sales_east, customer_east, planner
):
    # given one order holding 110 kg and another of 40 shafts left 9 kg short by its scrap
    holder = _confirmed(sales_east, customer_east, 50)
    short = _confirmed(sales_east, customer_east, 40)  # 88 kg: 2 kg stay free
    _scrap(short, 5)  # 11 kg more: 2 held, 9 short
    assert ComponentShortage.objects.get(order=short).quantity == Decimal(9)
    # when the holder is cancelled / then its released bar tops the flagged order up
    order_transition(actor=planner, order_id=holder.pk, action="cancel", note="客户取消")
    assert not ComponentShortage.objects.exists()
    assert _held(short) == Decimal(99)
    assert level_of(_bar()).reserved == Decimal(99)
    assert_ledger_matches_levels()


def test_a_flagged_order_in_production_gets_its_top_up_issued_at_once(
    shaft, sales_east, customer_east, keeper
):
    from zhongshu.production.models import Task
    from zhongshu.production.services import task_start

    order = _confirmed(sales_east, customer_east, 90)
    task_start(actor=make_user("supervisor"), task_id=Task.objects.get(order=order).pk)
    _scrap(order, 5)  # 11 kg more: 2 kg issued, 9 kg flagged
    assert ComponentShortage.objects.get(order=order).quantity == Decimal(9)
    # when 10 kg arrive / then the 9 kg leave stock to the floor like the other issues
    put_stock(_bar(), 10, actor=keeper)
    level = level_of(_bar())
    assert (level.on_hand, level.reserved) == (Decimal(1), Decimal(0))
    assert not ComponentShortage.objects.exists()
    assert _held(order) == Decimal(209)
    assert_ledger_matches_levels()


def test_a_receipt_into_another_warehouse_tops_nothing_up(shaft, sales_east, customer_east):
    from tests.factories import make_warehouse

    order = _confirmed(sales_east, customer_east, 90)
    _scrap(order, 10)
    put_stock(_bar(), 50, warehouse=make_warehouse("02", "二号库", is_default=False))
    assert ComponentShortage.objects.get(order=order).quantity == Decimal(20)


def test_a_tplus_sync_increase_tops_up_the_flag(sim, flange, keeper, sales_east, customer_east):
    from zhongshu.inventory import tplus

    # given T+ connected, 10 FL-50, and an order of 5 pumps (2 each) holding all 10 that
    # scrapped 2 pumps: 4 flanges flagged short
    pump = MaterialFactory(code="PUMP", fulfilment="make")
    give_bom(pump, (flange, "2", "0"))
    order = make_order(actor=sales_east, customer=customer_east, status="confirmed",
                       lines=[{"material": "PUMP", "quantity": "5"}])  # fmt: skip
    components_adjust_for_scrap(actor=None, order_line_id=order.lines.get().pk, quantity="2")
    assert ComponentShortage.objects.get(order=order).quantity == Decimal(4)
    # when the T+ sync finds 20 on hand / then the 4 are held and the flag is gone
    sim.set_stock("01", "FL-50", 20)
    assert tplus.tplus_sync().ok
    assert not ComponentShortage.objects.exists()
    assert _held(order) == Decimal(14)
    assert (level_of(flange).on_hand, level_of(flange).reserved) == (Decimal(20), Decimal(14))
    assert_ledger_matches_levels()
