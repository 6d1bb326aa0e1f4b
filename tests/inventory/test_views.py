from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import MaterialFactory, make_order, make_user, put_stock
from tests.inventory.helpers import level_of
from zhongshu.inventory.models import Shipment, StockMovement


def _login(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def stocked(warehouse, keeper):
    low = MaterialFactory(code="LOW-9", name="低库存件", safety_stock=Decimal(50))
    ok = MaterialFactory(code="OK-9", name="充足件", safety_stock=Decimal(1))
    put_stock(low, 3, actor=keeper)
    put_stock(ok, 30, actor=keeper)
    return low, ok


def test_stock_page_lists_levels_with_alerts_and_search(stocked, sales_east):
    client = _login(sales_east)
    html = client.get("/inventory/").content.decode()
    assert "LOW-9" in html and "OK-9" in html
    assert "1 stock level is below safety stock." in html
    assert "Receive stock" not in html  # sales may look, not receive
    html = client.get("/inventory/", {"q": "ok-9"}).content.decode()
    assert "OK-9" in html and "LOW-9" not in html
    html = client.get("/inventory/", {"alerts": "1"}).content.decode()
    assert "LOW-9" in html and "OK-9" not in html
    assert client.get("/inventory/", {"offset": "x"}).status_code == 200


def test_material_ledger_page(stocked, keeper):
    html = _login(keeper).get("/inventory/material/LOW-9/").content.decode()
    assert "Stock ledger" in html
    assert "0 → 3" in html
    assert _login(keeper).get("/inventory/material/NOPE/").status_code == 404
    assert _login(keeper).get("/inventory/material/LOW-9/", {"cursor": "x"}).status_code == 200


def test_receipt_and_adjustment_forms(stocked, keeper):
    client = _login(keeper)
    assert client.get("/inventory/receipts/new/").status_code == 200
    r = client.post(
        "/inventory/receipts/new/", {"material": "LOW-9", "quantity": "７", "reason": "入库"}
    )
    assert r.status_code == 302
    assert level_of(stocked[0]).on_hand == 10
    r = client.post("/inventory/adjustments/new/", {"material": "LOW-9", "quantity": "-1"})
    assert r.status_code == 422
    assert "This field is required." in r.content.decode()
    r = client.post(
        "/inventory/adjustments/new/", {"material": "LOW-9", "quantity": "-100", "reason": "x"}
    )
    assert r.status_code == 409
    assert level_of(stocked[0]).on_hand == 10
    r = client.post(
        "/inventory/adjustments/new/", {"material": "LOW-9", "quantity": "-1", "reason": "破损"}
    )
    assert r.status_code == 302
    assert StockMovement.objects.filter(kind="adjust").get().reason == "破损"


def test_sales_cannot_open_the_stock_forms(stocked, sales_east):
    client = _login(sales_east)
    assert client.get("/inventory/receipts/new/").status_code == 403
    r = client.post(
        "/inventory/adjustments/new/", {"material": "LOW-9", "quantity": "5", "reason": "x"}
    )
    assert r.status_code == 403
    assert client.get("/inventory/shipments/new/").status_code == 403
    assert level_of(stocked[0]).on_hand == 3


def test_ship_from_the_web(stocked, keeper, sales_east, customer_east):
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "OK-9", "quantity": "5"}],
        status="confirmed",
    )
    client = _login(keeper)
    html = client.get("/inventory/shipments/new/", {"order": order.number}).content.decode()
    assert 'name="qty-1" value="5"' in html
    r = client.post(
        "/inventory/shipments/new/",
        {"order": order.number, "qty-1": "6", "carrier": "德邦", "tracking_no": "DB1"},
    )
    assert r.status_code == 409
    assert Shipment.objects.count() == 0
    r = client.post(
        "/inventory/shipments/new/",
        {"order": order.number, "qty-1": "2", "carrier": "德邦", "tracking_no": "DB1"},
    )
    assert r.status_code == 302
    r = client.post("/inventory/shipments/new/", {"order": order.number, "qty-1": "abc"})
    assert r.status_code == 422
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.tracking_no) == ("德邦", "DB1")
    html = client.get("/inventory/shipments/").content.decode()
    assert shipment.number in html
    html = client.get("/inventory/shipments/new/", {"order": "SO-NOPE"}).content.decode()
    assert "No order SO-NOPE." in html


def test_pages_need_login(db):
    r = Client().get("/inventory/")
    assert r.status_code == 302
    assert Client().get("/inventory/availability/fragment").status_code == 302


def test_operator_gets_403_on_stock_page(db):
    assert _login(make_user("operator")).get("/inventory/").status_code == 403
