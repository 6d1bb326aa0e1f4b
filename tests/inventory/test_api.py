import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, make_warehouse, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.inventory.models import StockMovement

URL = "/api/v1/inventory"


@pytest.fixture
def gear(warehouse, keeper):
    material = MaterialFactory(code="GEAR-1", unit="件", safety_stock=Decimal(5))
    put_stock(material, 12, actor=keeper)
    return material


def test_availability_local(api_as, gear, sales_east):
    r = api_as(sales_east).get(f"{URL}/availability", {"material": "gear-1"})
    assert r.status_code == 200
    assert r.json() == {
        "material": "GEAR-1",
        "warehouse": "01",
        "unit": "件",
        "on_hand": "12.000",
        "reserved": "0.000",
        "available": "12.000",
        "source": "local",
        "synced_at": None,
        "stale": False,
        "oversold_risk": False,
    }


def test_availability_unknown_material_or_warehouse_is_404(api_as, gear, sales_east):
    api = api_as(sales_east)
    assert api.get(f"{URL}/availability", {"material": "NOPE"}).status_code == 404
    r = api.get(f"{URL}/availability", {"material": "GEAR-1", "warehouse": "99"})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert api.get(f"{URL}/availability").status_code == 422


def test_receipt_adds_to_on_hand(api_as, gear, keeper):
    r = api_as(keeper).post(
        f"{URL}/receipts", {"material": "GEAR-1", "quantity": "3.5", "reason": "采购入库 PO-7"}
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["on_hand"], r.json()["available"]) == ("15.500", "15.500")
    m = StockMovement.objects.filter(kind="receipt").latest("id")
    assert (m.quantity, m.on_hand_before, m.on_hand_after, m.actor_id, m.reason) == (
        Decimal("3.5"),
        Decimal(12),
        Decimal("15.5"),
        keeper.id,
        "采购入库 PO-7",
    )


def test_receipt_into_a_named_warehouse(api_as, gear, keeper):
    raw = make_warehouse("02", "原材料库", is_default=False)
    r = api_as(keeper).post(
        f"{URL}/receipts", {"material": "GEAR-1", "warehouse": "02", "quantity": 7}
    )
    assert r.status_code == 201
    assert r.json()["warehouse"] == "02"
    assert level_of(gear, raw).on_hand == 7


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"material": "GEAR-1", "quantity": "0"}, ["quantity"]),
        ({"material": "GEAR-1", "quantity": "-1"}, ["quantity"]),
        ({"material": "NOPE", "quantity": "1"}, ["material"]),
        ({"material": "GEAR-1", "warehouse": "ZZ", "quantity": "1"}, ["warehouse"]),
        ({"material": "GEAR-1", "quantity": "1.0001"}, ["quantity"]),
        ({"material": "GEAR-1", "quantity": "1e20"}, ["quantity"]),
        ({"material": "", "quantity": "x"}, ["quantity"]),
    ],
)
def test_bad_receipts_are_422_and_change_nothing(api_as, gear, keeper, body, fields):
    before = StockMovement.objects.count()
    r = api_as(keeper).post(f"{URL}/receipts", body)
    assert r.status_code == 422, r.json()
    assert sorted({e["field"] for e in r.json()["details"]["errors"]}) >= sorted(fields)
    assert StockMovement.objects.count() == before


def test_adjustment_needs_a_reason(api_as, gear, keeper):
    r = api_as(keeper).post(f"{URL}/adjustments", {"material": "GEAR-1", "quantity": "-2"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == ["reason"]
    r = api_as(keeper).post(
        f"{URL}/adjustments", {"material": "GEAR-1", "quantity": "-2", "reason": "盘亏"}
    )
    assert r.status_code == 201
    assert r.json()["on_hand"] == "10.000"
    m = StockMovement.objects.get(kind="adjust")
    assert (m.quantity, m.reason) == (Decimal(-2), "盘亏")


def test_adjustment_below_reserved_is_409(api_as, gear, keeper, sales_east, customer_east):
    make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "GEAR-1", "quantity": "8"}],
        status="confirmed",
    )
    r = api_as(keeper).post(
        f"{URL}/adjustments", {"material": "GEAR-1", "quantity": "-5", "reason": "报废"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "stock_below_reserved"
    assert r.json()["details"]["on_hand"] == "7"
    assert r.json()["details"]["reserved"] == "8"
    assert (level_of(gear).on_hand, level_of(gear).reserved) == (Decimal(12), Decimal(8))
    r = api_as(keeper).post(
        f"{URL}/adjustments", {"material": "GEAR-1", "quantity": "-4", "reason": "报废"}
    )
    assert r.status_code == 201
    assert_ledger_matches_levels()


def test_adjustment_below_zero_is_409(api_as, gear, keeper):
    r = api_as(keeper).post(
        f"{URL}/adjustments", {"material": "GEAR-1", "quantity": "-13", "reason": "盘亏"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "negative_stock"


@pytest.mark.parametrize("role", ["sales", "planner", "finance", "purchasing", "manager"])
def test_only_warehouse_and_admin_receive_and_adjust(api_as, gear, role):
    api = api_as(make_user(role, regions=("华东",)))
    body = {"material": "GEAR-1", "quantity": "1", "reason": "x"}
    assert api.post(f"{URL}/receipts", body).status_code == 403
    assert api.post(f"{URL}/adjustments", body).status_code == 403
    assert api.get(f"{URL}/availability", {"material": "GEAR-1"}).status_code == 200
    assert level_of(gear).on_hand == 12


def test_operators_and_qc_do_not_see_stock(api_as, gear):
    for role in ("operator", "qc"):
        api = api_as(make_user(role))
        assert api.get(f"{URL}/availability", {"material": "GEAR-1"}).status_code == 403
        assert api.get(f"{URL}/levels").status_code == 403
        assert api.get(f"{URL}/movements").status_code == 403


def test_admin_may_receive(api_as, gear):
    r = api_as(make_user("admin")).post(f"{URL}/receipts", {"material": "GEAR-1", "quantity": 1})
    assert r.status_code == 201


def test_levels_list_filters_and_alerts(api_as, gear, keeper, sales_east):
    low = MaterialFactory(code="LOW-1", safety_stock=Decimal(100))
    put_stock(low, 3, actor=keeper)
    api = api_as(sales_east)
    r = api.get(f"{URL}/levels")
    assert [i["material"] for i in r.json()["items"]] == ["GEAR-1", "LOW-1"]
    assert r.json()["count"] == 2
    r = api.get(f"{URL}/levels", {"below_safety": "true"})
    assert [i["material"] for i in r.json()["items"]] == ["LOW-1"]
    r = api.get(f"{URL}/levels", {"q": "gear"})
    assert [i["material"] for i in r.json()["items"]] == ["GEAR-1"]
    r = api.get(f"{URL}/levels", {"limit": 1, "offset": 1})
    assert [i["material"] for i in r.json()["items"]] == ["LOW-1"]


def test_movements_filters_and_keyset_paging(api_as, gear, keeper, sales_east, customer_east):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "GEAR-1", "quantity": "2"}],
        status="confirmed",
    )
    for i in range(5):
        put_stock(gear, i + 1, actor=keeper)
    api = api_as(keeper)
    r = api.get(f"{URL}/movements", {"material": "GEAR-1", "kind": "receipt", "limit": 4})
    page1 = r.json()
    assert [i["quantity"] for i in page1["items"]] == ["5.000", "4.000", "3.000", "2.000"]
    r = api.get(
        f"{URL}/movements",
        {"material": "GEAR-1", "kind": "receipt", "limit": 4, "cursor": page1["next_cursor"]},
    )
    assert [i["quantity"] for i in r.json()["items"]] == ["1.000", "12.000"]
    assert r.json()["next_cursor"] is None
    r = api.get(f"{URL}/movements", {"order": order.number})
    assert [(i["kind"], i["order"]) for i in r.json()["items"]] == [("reserve", order.number)]
    today = timezone.localdate()
    r = api.get(f"{URL}/movements", {"since": today.isoformat(), "until": today.isoformat()})
    assert len(r.json()["items"]) == 7
    r = api.get(f"{URL}/movements", {"until": (today - dt.timedelta(days=1)).isoformat()})
    assert r.json()["items"] == []
    assert api.get(f"{URL}/movements", {"kind": "bogus"}).status_code == 422
    assert api.get(f"{URL}/movements", {"since": "2025-13-01"}).status_code == 422


def test_list_query_counts_do_not_grow(api_as, warehouse, keeper):
    api = api_as(keeper)
    MaterialFactory(code="QC-0")

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path).status_code == 200
        return len(ctx)

    for i in range(3):
        put_stock(MaterialFactory(code=f"QA-{i}"), 1, actor=keeper)
    count(f"{URL}/levels")  # the first request also records the token's use
    small = (count(f"{URL}/levels"), count(f"{URL}/movements"), count(f"{URL}/shipments"))
    for i in range(15):
        put_stock(MaterialFactory(code=f"QB-{i}"), 1, actor=keeper)
    large = (count(f"{URL}/levels"), count(f"{URL}/movements"), count(f"{URL}/shipments"))
    assert small == large
    assert max(large) <= 8
