from decimal import Decimal

import pytest

from tests.factories import MaterialFactory, make_order, make_user, pass_inspection, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.inventory.exceptions import NotShippable
from zhongshu.inventory.models import Reservation, Shipment, StockMovement
from zhongshu.inventory.services import shipment_create
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition


@pytest.fixture
def confirmed_order(warehouse, sales_east, customer_east, keeper):
    """Confirmed: line 1 = 10 × SHIP-A, line 2 = 4 × SHIP-B (both stock, 20 of each on hand)."""
    a, b = MaterialFactory(code="SHIP-A"), MaterialFactory(code="SHIP-B")
    put_stock(a, 20, actor=keeper)
    put_stock(b, 20, actor=keeper)
    return make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "SHIP-A", "quantity": "10"}, {"material": "SHIP-B", "quantity": "4"}],
        status="confirmed",
    )


def _post(api, order, lines=None, key=None, **extra):
    body = {"order_id": order.pk, "carrier": "顺丰", "tracking_no": "SF123", **extra}
    if lines is not None:
        body["lines"] = lines
    headers = {"Idempotency-Key": key} if key else None
    return api.post("/api/v1/inventory/shipments", body, headers=headers)


def test_partial_shipments_then_complete_moves_order_to_shipped(api_as, confirmed_order, keeper):
    api = api_as(keeper)
    a = confirmed_order.lines.get(line_no=1).material
    # when 6 of line 1 ship
    r = _post(api, confirmed_order, [{"line_no": 1, "quantity": "6"}])
    # then the order is still confirmed; 6 left stock and the reservation
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["number"] == f"{confirmed_order.number}-S01"
    assert body["order_status"] == "confirmed"
    assert body["lines"] == [{"line_no": 1, "material": "SHIP-A", "quantity": "6.000"}]
    level = level_of(a)
    assert (level.on_hand, level.reserved) == (Decimal(14), Decimal(4))
    assert Order.objects.get(pk=confirmed_order.pk).lines.get(line_no=1).shipped_quantity == 6
    # when the rest ships (no lines = everything remaining)
    r = _post(api, confirmed_order)
    assert r.status_code == 201, r.json()
    assert r.json()["number"] == f"{confirmed_order.number}-S02"
    assert r.json()["order_status"] == "shipped"
    assert r.json()["lines"] == [
        {"line_no": 1, "material": "SHIP-A", "quantity": "4.000"},
        {"line_no": 2, "material": "SHIP-B", "quantity": "4.000"},
    ]
    order = Order.objects.get(pk=confirmed_order.pk)
    assert order.status == "shipped"
    assert order.events.filter(action="ship").get().data == {"shipment": r.json()["number"]}
    assert [(ln.quantity, ln.shipped_quantity) for ln in order.lines.order_by("line_no")] == [
        (10, 10),
        (4, 4),
    ]
    assert set(Reservation.objects.filter(order=order).values_list("status", flat=True)) == {
        "consumed"
    }
    assert (level_of(a).on_hand, level_of(a).reserved) == (Decimal(10), Decimal(0))
    assert_ledger_matches_levels()


def test_same_idempotency_key_ships_once(api_as, confirmed_order, keeper):
    api = api_as(keeper)
    first = _post(api, confirmed_order, [{"line_no": 2, "quantity": "1"}], key="ship-42")
    again = _post(api, confirmed_order, [{"line_no": 2, "quantity": "1"}], key="ship-42")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Shipment.objects.count() == 1
    assert confirmed_order.lines.get(line_no=2).shipped_quantity == 1
    other = _post(api, confirmed_order, [{"line_no": 2, "quantity": "2"}], key="ship-42")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Shipment.objects.count() == 1


def test_over_shipment_is_refused_and_changes_nothing(api_as, confirmed_order, keeper):
    api = api_as(keeper)
    movements = StockMovement.objects.count()
    r = _post(
        api, confirmed_order, [{"line_no": 1, "quantity": "3"}, {"line_no": 2, "quantity": "5"}]
    )
    assert r.status_code == 409
    assert r.json()["code"] == "over_shipment"
    assert r.json()["details"] == {"lines": [{"line_no": 2, "requested": "5", "remaining": "4"}]}
    assert Shipment.objects.count() == 0
    assert StockMovement.objects.count() == movements
    assert list(confirmed_order.lines.values_list("shipped_quantity", flat=True)) == [0, 0]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"line_no": 9, "quantity": "1"}], "lines[0].line_no"),
        ([{"line_no": 1, "quantity": "0"}], "lines[0].quantity"),
        ([{"line_no": 1, "quantity": "-2"}], "lines[0].quantity"),
        ([{"line_no": 1, "quantity": "0.0001"}], "lines[0].quantity"),
        ([{"line_no": 1, "quantity": "1"}, {"line_no": 1, "quantity": "1"}], "lines[1].line_no"),
    ],
)
def test_bad_shipment_lines_are_422(api_as, confirmed_order, keeper, lines, field):
    r = _post(api_as(keeper), confirmed_order, lines)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == [field]
    assert Shipment.objects.count() == 0


def test_bad_shipment_payloads_never_500(api_as, confirmed_order, keeper):
    api = api_as(keeper)
    for body in (
        {},
        {"order_id": "x"},
        {"order_id": confirmed_order.pk, "lines": "all"},
        {"order_id": confirmed_order.pk, "lines": [{"line_no": 1, "quantity": "abc"}]},
        {"order_id": 10**12},
    ):
        r = api.post("/api/v1/inventory/shipments", body)
        assert r.status_code in (404, 422), (body, r.status_code)


def test_pending_order_is_not_shippable(api_as, warehouse, sales_east, customer_east, keeper):
    MaterialFactory(code="NS-1")
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "NS-1", "quantity": "1"}],
        status="pending_review",
    )
    r = _post(api_as(keeper), order)
    assert r.status_code == 409
    assert r.json()["code"] == "not_shippable"


def test_confirmed_order_with_make_lines_waits_for_qc(warehouse, sales_east, customer_east, keeper):
    MaterialFactory(code="MK-1", fulfilment="make")
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "MK-1", "quantity": "2"}],
        status="confirmed",
    )
    with pytest.raises(NotShippable):
        shipment_create(actor=keeper, order_id=order.pk)


def test_awaiting_qc_order_ships_make_lines_without_stock_movement(
    warehouse, sales_east, customer_east, keeper
):
    stock = MaterialFactory(code="QC-STOCK")
    MaterialFactory(code="QC-MAKE", fulfilment="make")
    put_stock(stock, 5, actor=keeper)
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "QC-MAKE", "quantity": "2"}, {"material": "QC-STOCK", "quantity": "3"}],
        status="awaiting_qc",
    )
    pass_inspection(order)  # QC passed the produced line

    shipment_create(actor=keeper, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "shipped"
    issues = StockMovement.objects.filter(order=order, kind="issue")
    assert [(m.material.code, m.on_hand_delta, m.reserved_delta) for m in issues] == [
        ("QC-STOCK", Decimal(-3), Decimal(-3))
    ]
    assert_ledger_matches_levels()


def test_direct_ship_transition_ships_everything_remaining(api_as, confirmed_order, keeper):
    api = api_as(keeper)
    _post(api, confirmed_order, [{"line_no": 1, "quantity": "2.5"}])
    r = api.post(f"/api/v1/orders/{confirmed_order.pk}/transitions", {"action": "ship"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "shipped"
    shipments = list(Shipment.objects.filter(order=confirmed_order).order_by("id"))
    assert len(shipments) == 2
    assert sorted((ln.order_line.line_no, ln.quantity) for ln in shipments[1].lines.all()) == [
        (1, Decimal("7.5")),
        (2, Decimal(4)),
    ]
    assert list(confirmed_order.lines.values_list("shipped_quantity", flat=True)) == [10, 4]
    assert not Reservation.objects.filter(order=confirmed_order, status="active").exists()
    assert_ledger_matches_levels()


def test_cancel_after_partial_shipment_releases_only_the_rest(confirmed_order, keeper):
    shipment_create(
        actor=keeper, order_id=confirmed_order.pk, lines=[{"line_no": 1, "quantity": 4}]
    )
    planner = make_user("planner")
    order_transition(actor=planner, order_id=confirmed_order.pk, action="cancel", note="停产")
    a = confirmed_order.lines.get(line_no=1).material
    assert (level_of(a).on_hand, level_of(a).reserved) == (Decimal(16), Decimal(0))
    assert_ledger_matches_levels()


@pytest.mark.parametrize("role", ["sales", "planner", "finance", "manager"])
def test_only_warehouse_and_admin_ship(api_as, confirmed_order, role):
    user = make_user(role, regions=("华东",))
    r = _post(api_as(user), confirmed_order)
    assert r.status_code == 403
    assert Shipment.objects.count() == 0


def test_sales_see_shipments_of_their_regions_only(
    api_as, confirmed_order, keeper, sales_north, sales_east
):
    shipment_create(
        actor=keeper, order_id=confirmed_order.pk, lines=[{"line_no": 1, "quantity": 1}]
    )
    assert len(api_as(sales_east).get("/api/v1/inventory/shipments").json()["items"]) == 1
    assert api_as(sales_north).get("/api/v1/inventory/shipments").json()["items"] == []
    sid = Shipment.objects.get().pk
    assert api_as(sales_north).get(f"/api/v1/inventory/shipments/{sid}").status_code == 404
