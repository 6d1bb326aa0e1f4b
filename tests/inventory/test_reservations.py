from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_order, make_user, make_warehouse, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.inventory.exceptions import InsufficientStock
from zhongshu.inventory.models import Reservation, StockMovement
from zhongshu.inventory.services import rereserve_order
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.services import order_transition


@pytest.fixture
def planner_user(db):
    return make_user("planner")


def _pending(sales_east, customer_east, lines):
    return make_order(
        actor=sales_east, customer=customer_east, lines=lines, status="pending_review"
    )


def test_confirm_reserves_every_stock_line(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    # given two stock materials and one make material
    bolt, nut = MaterialFactory(code="BOLT"), MaterialFactory(code="NUT")
    made = MaterialFactory(code="MADE", fulfilment="make")
    put_stock(bolt, 10, actor=keeper)
    put_stock(nut, 5, actor=keeper)
    order = _pending(
        sales_east,
        customer_east,
        [
            {"material": "BOLT", "quantity": "4"},
            {"material": "NUT", "quantity": "5"},
            {"material": "MADE", "quantity": "3"},
            {"material": "BOLT", "quantity": "1"},
        ],
    )
    # when the planner confirms it
    order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    # then each stock line holds its quantity, the make line holds nothing
    assert (level_of(bolt).on_hand, level_of(bolt).reserved) == (Decimal(10), Decimal(5))
    assert (level_of(nut).on_hand, level_of(nut).reserved) == (Decimal(5), Decimal(5))
    assert not made.stock_levels.exists()
    held = sorted(
        (r.order_line.line_no, r.quantity, r.status)
        for r in Reservation.objects.filter(order=order)
    )
    assert held == [(1, 4, "active"), (2, 5, "active"), (4, 1, "active")]
    moves = StockMovement.objects.filter(order=order, kind="reserve")
    assert sorted((m.material.code, m.quantity, m.actor_id) for m in moves) == [
        ("BOLT", Decimal(1), planner_user.id),
        ("BOLT", Decimal(4), planner_user.id),
        ("NUT", Decimal(5), planner_user.id),
    ]
    assert_ledger_matches_levels()


def test_shortage_lists_every_short_material_and_reserves_nothing(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    # given enough of A but too little of B and none of C
    a, b, _c = (MaterialFactory(code=code) for code in ("A-OK", "B-SHORT", "C-NONE"))
    put_stock(a, 10, actor=keeper)
    put_stock(b, 2, actor=keeper)
    order = _pending(
        sales_east,
        customer_east,
        [
            {"material": "A-OK", "quantity": "3"},
            {"material": "B-SHORT", "quantity": "2"},
            {"material": "C-NONE", "quantity": "1"},
            {"material": "B-SHORT", "quantity": "1.5"},
        ],
    )
    movements_before = StockMovement.objects.count()
    # when it is confirmed
    with pytest.raises(InsufficientStock) as exc:
        order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    # then every shortage is listed, and nothing happened
    assert exc.value.code == "insufficient_stock"
    assert exc.value.http_status == 409
    assert exc.value.details == {
        "shortages": [
            {"material": "B-SHORT", "requested": "3.5", "available": "2"},
            {"material": "C-NONE", "requested": "1", "available": "0"},
        ]
    }
    order.refresh_from_db()
    assert order.status == "pending_review"
    assert level_of(a).reserved == 0
    assert level_of(b).reserved == 0
    assert StockMovement.objects.count() == movements_before
    assert not Reservation.objects.exists()
    assert not OrderEvent.objects.filter(order=order, action="confirm").exists()


def test_confirm_through_the_api_reports_shortage_as_409(
    api_as, warehouse, sales_east, customer_east, planner_user
):
    MaterialFactory(code="NONE-1")
    order = _pending(sales_east, customer_east, [{"material": "NONE-1", "quantity": "2"}])
    r = api_as(planner_user).post(f"/api/v1/orders/{order.pk}/transitions", {"action": "confirm"})
    assert r.status_code == 409
    assert r.json()["code"] == "insufficient_stock"
    assert r.json()["details"] == {
        "shortages": [{"material": "NONE-1", "requested": "2", "available": "0"}]
    }


def test_without_default_warehouse_everything_is_short(sales_east, customer_east, planner_user):
    MaterialFactory(code="LOST")
    order = _pending(sales_east, customer_east, [{"material": "LOST", "quantity": "1"}])
    with pytest.raises(InsufficientStock) as exc:
        order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    assert exc.value.details["shortages"] == [
        {"material": "LOST", "requested": "1", "available": "0"}
    ]


def test_reservations_come_from_the_default_warehouse_only(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    # given stock only in a second warehouse
    other = make_warehouse("02", "原材料库", is_default=False)
    gear = MaterialFactory(code="GEAR")
    put_stock(gear, 50, warehouse=other, actor=keeper)
    order = _pending(sales_east, customer_east, [{"material": "GEAR", "quantity": "1"}])
    # then confirming finds nothing at the default warehouse
    with pytest.raises(InsufficientStock):
        order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    assert level_of(gear, other).reserved == 0


def test_cancel_releases_active_reservations(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    shaft = MaterialFactory(code="SHAFT")
    put_stock(shaft, 8, actor=keeper)
    order = _pending(sales_east, customer_east, [{"material": "SHAFT", "quantity": "6"}])
    order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    assert level_of(shaft).reserved == 6
    order_transition(actor=planner_user, order_id=order.pk, action="cancel", note="客户取消")
    level = level_of(shaft)
    assert (level.on_hand, level.reserved) == (Decimal(8), Decimal(0))
    r = Reservation.objects.get(order=order)
    assert (r.status, r.quantity, r.released) == ("released", Decimal(0), Decimal(6))
    release = StockMovement.objects.get(order=order, kind="release")
    assert (release.quantity, release.reason) == (Decimal(-6), "客户取消")
    assert_ledger_matches_levels()


def test_cancel_of_an_unconfirmed_order_touches_no_stock(warehouse, sales_east, customer_east):
    MaterialFactory(code="X-1")
    order = _pending(sales_east, customer_east, [{"material": "X-1", "quantity": "1"}])
    order_transition(actor=sales_east, order_id=order.pk, action="cancel", note="不要了")
    assert not StockMovement.objects.exists()


def test_rereserve_reserves_increase_and_releases_decrease(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    # given a confirmed order holding 4 of P and 2 of Q
    p, q, r_mat = MaterialFactory(code="P"), MaterialFactory(code="Q"), MaterialFactory(code="R")
    for m in (p, q, r_mat):
        put_stock(m, 10, actor=keeper)
    order = _pending(
        sales_east,
        customer_east,
        [{"material": "P", "quantity": "4"}, {"material": "Q", "quantity": "2"}],
    )
    order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    # when a design change raises P to 7, drops Q and adds 3 of R
    line_p = order.lines.get(line_no=1)
    line_p.quantity = Decimal(7)
    line_p.save(update_fields=["quantity"])
    order.lines.filter(line_no=2).delete()
    order.lines.create(
        line_no=3, material=r_mat, quantity=3, unit_price=1, amount=3, fulfilment="stock"
    )
    rereserve_order(order=order, actor=planner_user)
    # then the holds follow the lines
    assert [level_of(m).reserved for m in (p, q, r_mat)] == [7, 0, 3]
    active = sorted(
        (r.level.material.code, r.quantity)
        for r in Reservation.objects.filter(order=order, status="active")
    )
    assert active == [("P", 7), ("R", 3)]
    # and when P goes back down to 5 the difference is released
    line_p.quantity = Decimal(5)
    line_p.save(update_fields=["quantity"])
    rereserve_order(order=order, actor=planner_user)
    assert level_of(p).reserved == 5
    assert_ledger_matches_levels()


def test_rereserve_refuses_an_increase_beyond_stock_and_changes_nothing(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    p = MaterialFactory(code="P2")
    put_stock(p, 5, actor=keeper)
    order = _pending(sales_east, customer_east, [{"material": "P2", "quantity": "4"}])
    order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    order.lines.filter(line_no=1).update(quantity=9)
    with pytest.raises(InsufficientStock) as exc:
        rereserve_order(order=order, actor=planner_user)
    assert exc.value.details["shortages"] == [
        {"material": "P2", "requested": "5", "available": "1"}
    ]
    assert level_of(p).reserved == 4
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert_ledger_matches_levels()


def test_rereserve_without_changes_writes_nothing(
    warehouse, sales_east, customer_east, planner_user, keeper
):
    p = MaterialFactory(code="P3")
    put_stock(p, 5, actor=keeper)
    order = _pending(sales_east, customer_east, [{"material": "P3", "quantity": "4"}])
    order_transition(actor=planner_user, order_id=order.pk, action="confirm")
    count = StockMovement.objects.count()
    rereserve_order(order=order, actor=planner_user)
    assert StockMovement.objects.count() == count
