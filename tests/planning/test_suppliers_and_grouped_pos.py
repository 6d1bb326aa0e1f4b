"""Purchasing with suppliers: MRP suggestions accepted together become one purchase order per
supplier, each line at the preferred supplier's valid price (MOQ respected), with the right
totals; hand-made purchase orders keep their supplier and price; suppliers are master data with
an audit trail; the purchasing page shows ageing and on-time rates."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, make_warehouse, put_stock
from zhongshu.inventory.services import order_release, stock_adjust
from zhongshu.planning import purchasing, purchasing_selectors, services
from zhongshu.planning.models import PurchaseOrder, PurchaseSuggestion, Supplier, SupplierPrice
from zhongshu.production.models import BomLine

TODAY = timezone.localdate()


def _supplier(code, name, **kw):
    return Supplier.objects.create(code=code, name=name, **kw)


def _price(supplier, material, price, **kw):
    kw.setdefault("valid_from", TODAY - dt.timedelta(days=30))
    return SupplierPrice.objects.create(supplier=supplier, material=material, price=D(price), **kw)


@pytest.fixture
def world(db):
    """Four bought materials needed by one confirmed order (through a BOM): bolts and nuts come from 华东钢材
    (preferred), washers from 联成五金, springs have no price. 联成 is cheaper for bolts but not
    preferred; an expired price and a deactivated supplier's price must not be used."""
    admin = make_user("admin")
    make_warehouse()
    mats = {
        code: MaterialFactory(code=code, name=name, kind="raw", lead_time_days=2)
        for code, name in (
            ("BOLT", "螺栓"),
            ("NUT", "螺母"),
            ("WASHER", "垫圈"),
            ("SPRING", "弹簧"),
        )
    }
    east = _supplier("S-EAST", "华东钢材", payment_terms="月结30天")
    lian = _supplier("S-LIAN", "联成五金")
    gone = _supplier("S-GONE", "已停用供应商", active=False)
    _price(east, mats["BOLT"], "1.2000", preferred=True, tax_rate=D("0.13"))
    _price(lian, mats["BOLT"], "0.9000")  # cheaper, not preferred
    _price(east, mats["NUT"], "0.5000", tax_rate=D("0.13"), min_order_qty=D("500"))
    _price(lian, mats["NUT"], "0.1000", valid_to=TODAY - dt.timedelta(days=1))  # expired
    _price(gone, mats["WASHER"], "0.0100", preferred=True)  # supplier deactivated
    _price(lian, mats["WASHER"], "0.0800", tax_rate=D("0.09"))
    # what the order needs is exploded from a made product's bill of materials
    product = MaterialFactory(code="ASSY-1", name="总成", fulfilment="make", lead_time_days=0)
    for code, per_unit in (("BOLT", "10"), ("NUT", "12"), ("WASHER", "100"), ("SPRING", "0.7")):
        BomLine.objects.create(product=product, component=mats[code], quantity_per_unit=D(per_unit))
    # confirmed with its parts on hand (all or nothing), which then went to other work
    needs = {"BOLT": "100", "NUT": "120", "WASHER": "1000", "SPRING": "7"}
    for code, qty in needs.items():
        put_stock(mats[code], qty)
    order = make_order(actor=admin, status="confirmed", due_in_days=30,
                       lines=[{"material": "ASSY-1", "quantity": "10", "unit_price": "50"}])  # fmt: skip
    order_release(order=order, actor=admin, reason="test")
    for code, qty in needs.items():
        stock_adjust(actor=admin, material=code, quantity=f"-{qty}", reason="用于其他订单")
    return {"admin": admin, "buyer": make_user("purchasing"), **mats, "east": east, "lian": lian}


def test_mrp_suggestions_become_one_purchase_order_per_supplier(world):
    services.mrp_run(actor=world["buyer"])
    assert PurchaseSuggestion.objects.filter(status="new").count() == 4
    numbers = purchasing.suggestions_accept_grouped(actor=world["buyer"])
    assert len(numbers) == 3  # 华东钢材, 联成五金, and the spring without a supplier
    assert not PurchaseSuggestion.objects.filter(status="new").exists()
    docs = {
        (d.supplier.code if d.supplier else None): d
        for d in (purchasing_selectors.purchase_document(actor=world["buyer"], number=n)
                  for n in numbers)
    }  # fmt: skip
    east = docs["S-EAST"]
    got = [(line.material.code, line.quantity, line.unit_price) for line in east.lines]
    # bolts at the preferred price, not 联成's cheaper one; nuts raised to the 500 MOQ
    assert got == [("BOLT", D(100), D("1.2")), ("NUT", D(500), D("0.5"))]
    assert [line.line_no for line in east.lines] == [1, 2]
    assert east.net == D("120.00") + D("250.00")
    assert east.tax == D("15.60") + D("32.50")
    assert east.total == D("418.10")
    lian = docs["S-LIAN"]
    assert [(li.material.code, li.unit_price, li.tax_rate) for li in lian.lines] == [
        ("WASHER", D("0.08"), D("0.09"))
    ]
    assert (lian.net, lian.tax, lian.total) == (D("80.00"), D("7.20"), D("87.20"))
    spring = docs[None]
    assert spring.lines[0].material.code == "SPRING" and not spring.priced
    # every line is open supply for the next run: nothing new to buy
    services.mrp_run(actor=world["buyer"])
    assert not PurchaseSuggestion.objects.filter(status="new").exists()


def test_single_accept_takes_the_supplier_price_too(world):
    services.mrp_run(actor=world["buyer"])
    s = PurchaseSuggestion.objects.get(material__code="BOLT", status="new")
    po = services.suggestion_accept(actor=world["buyer"], suggestion_id=s.pk)
    assert (po.supplier.code, po.unit_price, po.amount, po.tax_amount) == (
        "S-EAST",
        D("1.2"),
        D("120.00"),
        D("15.60"),
    )


def test_grouped_accept_over_the_api_and_print_link(world, api_as):
    services.mrp_run(actor=world["buyer"])
    r = api_as(world["buyer"]).post("/api/v1/planning/suggestions/accept-grouped", {})
    assert r.status_code == 201, r.content
    assert len(r.json()["purchase_orders"]) == 3


def test_hand_made_purchase_order_keeps_supplier_and_price(world, api_as):
    client = api_as(world["buyer"])
    body = {"material": "BOLT", "quantity": "10", "due_date": "2030-01-10",
            "supplier": "S-LIAN", "unit_price": "0.95"}  # fmt: skip
    r = client.post("/api/v1/planning/purchase-orders", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert (out["supplier"], D(out["unit_price"]), D(out["amount"])) == (
        "S-LIAN",
        D("0.95"),
        D("9.50"),
    )
    # without a price: the supplier's valid price for the material
    r = client.post("/api/v1/planning/purchase-orders", dict(body, unit_price=None))
    assert D(r.json()["unit_price"]) == D("0.9")
    # an unknown field is refused, nothing created
    before = PurchaseOrder.objects.count()
    r = client.post("/api/v1/planning/purchase-orders", dict(body, discount="5"))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["details"]["errors"]] == ["discount"]
    assert PurchaseOrder.objects.count() == before
    r = client.post("/api/v1/planning/purchase-orders", dict(body, supplier="NOPE"))
    assert r.status_code == 422 and r.json()["details"]["errors"][0]["field"] == "supplier"


def test_supplier_master_data_over_the_api_with_history(world, api_as):
    client = api_as(world["buyer"])
    r = client.post("/api/v1/planning/suppliers", {
        "code": "s-new", "name": "新供应商", "phone": "0512-1234", "lead_time_days": 5,
        "payment_terms": "款到发货"})  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["code"] == "S-NEW"
    r = client.patch("/api/v1/planning/suppliers/S-NEW", {"contact": "王经理"})
    assert r.json()["contact"] == "王经理" and r.json()["phone"] == "0512-1234"
    r = client.post("/api/v1/planning/suppliers/S-NEW/deactivate", {})
    assert r.json()["active"] is False
    supplier = Supplier.objects.get(code="S-NEW")
    assert [h.history_type for h in supplier.history.order_by("history_id")] == ["+", "~", "~"]
    assert (
        client.post("/api/v1/planning/suppliers", {"code": "S-NEW", "name": "x"}).status_code == 422
    )
    r = client.post("/api/v1/planning/supplier-prices", {
        "supplier": "S-EAST", "material": "SPRING", "price": "2.5", "valid_from": "2030-01-01",
        "valid_to": "2029-01-01"})  # fmt: skip
    assert r.status_code == 422 and r.json()["details"]["errors"][0]["field"] == "valid_to"
    r = client.post(
        "/api/v1/planning/supplier-prices",
        {"supplier": "S-EAST", "material": "SPRING", "price": "2.5"},
    )
    # today as the server saw it (the module's TODAY is from import time: a run may cross midnight)
    assert r.status_code == 201 and r.json()["valid_from"] == timezone.localdate().isoformat()
    r = client.patch(f"/api/v1/planning/supplier-prices/{r.json()['id']}", {"preferred": True})
    assert r.json()["preferred"] is True
    listed = client.get("/api/v1/planning/supplier-prices?material=SPRING").json()
    assert listed["count"] == 1
    assert client.get("/api/v1/planning/suppliers/export.xlsx").status_code == 200


def test_purchasing_page_shows_ageing_and_on_time_rate(world):
    keeper = make_user("warehouse")
    mk = lambda days_due: services.purchase_order_create(  # noqa: E731
        actor=world["buyer"], material="BOLT", quantity="10",
        due_date=TODAY + dt.timedelta(days=days_due), supplier="S-EAST",
    )  # fmt: skip
    on_time, late, still_open = mk(3), mk(-2), mk(-1)
    PurchaseOrder.objects.filter(pk=still_open.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    for po in (on_time, late):
        services.purchase_order_receive(actor=keeper, po_id=po.pk, quantity="10")
    figures = purchasing_selectors.purchasing_figures(actor=world["buyer"])
    assert figures["suppliers"] == [
        {"code": "S-EAST", "name": "华东钢材", "received": 2, "on_time": 1, "rate": 50.0}
    ]
    assert [b["count"] for b in figures["ageing"]] == [0, 0, 1, 0]
    assert figures["overdue"] == 1
    client = Client()
    client.force_login(world["buyer"])
    html = client.get("/planning/purchase-orders/").content.decode()
    assert "华东钢材" in html and "50.0 %" in html


def test_supplier_pages_create_edit_deactivate(world):
    client = Client()
    client.force_login(world["buyer"])
    r = client.post("/planning/suppliers/new/", {"code": "S-WEB", "name": "网页供应商",
                                                 "lead_time_days": "x"})  # fmt: skip
    assert r.status_code == 422 and not Supplier.objects.filter(code="S-WEB").exists()
    r = client.post("/planning/suppliers/new/", {"code": "S-WEB", "name": "网页供应商",
                                                 "lead_time_days": "4"})  # fmt: skip
    assert r.status_code == 302
    r = client.post(
        "/planning/suppliers/S-WEB/prices/", {"material": "BOLT", "price": "1.1", "preferred": "1"}
    )
    assert SupplierPrice.objects.filter(supplier__code="S-WEB", preferred=True).count() == 1
    assert "网页供应商" in client.get("/planning/suppliers/").content.decode()
    client.post("/planning/suppliers/S-WEB/deactivate/")
    assert Supplier.objects.get(code="S-WEB").active is False
    assert "网页供应商" not in client.get("/planning/suppliers/").content.decode()
