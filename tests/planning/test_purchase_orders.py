"""Purchase orders: the warehouse receives goods against them (in parts; stock is booked
through inventory), purchasing cancels them, only what is not received counts as open supply,
and numbers come from a locked counter, so concurrent accepts never collide."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import MaterialFactory, make_user, make_warehouse
from tests.support.threads import race
from zhongshu.inventory.models import StockLevel, StockMovement
from zhongshu.planning import mrp, services
from zhongshu.planning.models import MrpRun, PurchaseOrder, PurchaseSuggestion

TODAY = timezone.localdate()


@pytest.fixture
def world(db):
    make_warehouse()
    return {
        "buyer": make_user("purchasing"),
        "keeper": make_user("warehouse"),
        "steel": MaterialFactory(code="STEEL", kind="raw"),
    }


def _po(world, qty="100", days=10):
    return services.purchase_order_create(
        actor=world["buyer"], material="STEEL", quantity=qty,
        due_date=TODAY + dt.timedelta(days=days),
    )  # fmt: skip


def _on_hand():
    return StockLevel.objects.get(material__code="STEEL").on_hand


def test_partial_then_full_receipt_books_stock_and_closes_the_po(world):
    po = _po(world)
    services.purchase_order_receive(actor=world["keeper"], po_id=po.pk, quantity="40")
    po.refresh_from_db()
    assert (po.status, po.received_quantity, po.open_quantity) == ("open", D(40), D(60))
    assert _on_hand() == D(40)
    # MRP sees 60 still to come, on the due date
    assert mrp.load_po_supply(TODAY) == [(po.material_id, po.due_date, D(60), po.number)]
    services.purchase_order_receive(actor=world["keeper"], po_id=po.pk, quantity="60")
    po.refresh_from_db()
    assert (po.status, po.received_quantity) == ("received", D(100))
    assert po.closed_at is not None
    assert _on_hand() == D(100)
    assert mrp.load_po_supply(TODAY) == []
    reasons = set(StockMovement.objects.values_list("reason", flat=True))
    assert reasons == {po.number}


def test_receiving_more_than_is_open_or_a_closed_po_is_refused(world, api_as):
    po = _po(world, qty="10")
    api = api_as(world["keeper"])
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/receive", {"quantity": "10.5"})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "quantity")
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/receive", {"quantity": "0"})
    assert r.status_code == 422
    assert not StockLevel.objects.filter(material__code="STEEL", on_hand__gt=0).exists()
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/receive", {"quantity": "10"})
    assert (r.status_code, r.json()["status"], r.json()["open_quantity"]) == (200, "received", "0")
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/receive", {"quantity": "1"})
    assert (r.status_code, r.json()["code"]) == (409, "purchase_order_closed")
    assert _on_hand() == D(10)


def test_cancel_closes_what_is_open_and_it_stops_counting_as_supply(world, api_as):
    po = _po(world)
    services.purchase_order_receive(actor=world["keeper"], po_id=po.pk, quantity="30")
    api = api_as(world["buyer"])
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/cancel", {"reason": " "})
    assert r.status_code == 422
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/cancel", {"reason": "供应商停产"})
    assert (r.status_code, r.json()["status"], r.json()["cancel_reason"]) == (
        200, "cancelled", "供应商停产"
    )  # fmt: skip
    assert r.json()["received_quantity"] == "30.000"
    assert mrp.load_po_supply(TODAY) == []
    r = api.post(f"/api/v1/planning/purchase-orders/{po.pk}/cancel", {"reason": "again"})
    assert r.status_code == 409


def test_warehouse_receives_from_the_page(world):
    po = _po(world, qty="8")
    client = Client()
    client.force_login(world["keeper"])
    assert client.get("/planning/").url == "/planning/purchase-orders/"
    html = client.get("/planning/purchase-orders/").content.decode()
    assert po.number in html and f"/planning/purchase-orders/{po.pk}/receive/" in html
    assert f"/planning/purchase-orders/{po.pk}/cancel/" not in html  # purchasing cancels
    r = client.post(f"/planning/purchase-orders/{po.pk}/receive/", {"quantity": "8"})
    assert r.status_code == 302
    po.refresh_from_db()
    assert po.status == "received" and _on_hand() == D(8)


@pytest.mark.parametrize("n", [3, 30])
def test_purchase_order_list_query_count_does_not_grow(world, api_as, n):
    for _ in range(n):
        _po(world)
    client = Client()
    client.force_login(world["buyer"])
    client.get("/planning/purchase-orders/")
    with CaptureQueriesContext(connection) as page:
        assert client.get("/planning/purchase-orders/").status_code == 200
    with CaptureQueriesContext(connection) as listing:
        r = api_as(world["buyer"]).get("/api/v1/planning/purchase-orders", {"status": "open"})
        assert r.json()["count"] == n
    assert len(page) <= 10, [q["sql"] for q in page]
    assert len(listing) <= 10, [q["sql"] for q in listing]


def test_numbers_continue_from_the_counter(world):
    first, second = _po(world), _po(world)
    year = TODAY.year
    assert (first.number, second.number) == (f"PO{year}000001", f"PO{year}000002")


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_get_different_numbers():
    """Two connections accept two suggestions at the same moment, before the year's counter row
    exists: one creates it, the other increments it; neither number is lost or doubled."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    buyer = make_user("purchasing")
    run = MrpRun.objects.create()
    ids = [
        PurchaseSuggestion.objects.create(
            run=run, material=MaterialFactory(kind="raw"), quantity=D(5), net_requirement=D(5),
            order_by=TODAY, need_date=TODAY, reason="demand",
        ).pk
        for _ in range(4)
    ]  # fmt: skip

    def accept(i):
        return lambda: services.suggestion_accept(actor=buyer, suggestion_id=ids[i]).number

    results = race(*(accept(i) for i in range(len(ids))), timeout=60)
    year = TODAY.year
    assert sorted(results) == [f"PO{year}{i:06d}" for i in range(1, 5)]
    assert PurchaseOrder.objects.count() == 4
