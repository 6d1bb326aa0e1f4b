"""MRP over real orders, stock, reservations and BOMs, through the service that purchasing runs."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, make_warehouse, put_stock
from zhongshu.catalog.models import Material
from zhongshu.inventory.services import order_release, rereserve_order, stock_adjust
from zhongshu.planning import services
from zhongshu.planning.exceptions import SuggestionDecided
from zhongshu.planning.models import (
    PlanningParameters,
    PurchaseOrder,
    PurchaseSuggestion,
)
from zhongshu.production.calendar import is_national_working_day
from zhongshu.production.models import BomLine


def last_working_day(day):
    """A made part is released on a working day: its components are needed on the last working
    day on or before its order's due date (the due date itself when that is a working day)."""
    while not is_national_working_day(day):
        day -= dt.timedelta(days=1)
    return day


@pytest.fixture
def world(db):
    """A gearbox (made) of 3 shafts (bought); a confirmed order for 4 gearboxes; 10 shafts in
    stock of which 6 are reserved by another confirmed order; a draft order that must not count."""
    admin = make_user("admin")
    make_warehouse()
    gearbox = MaterialFactory(code="GB-1", fulfilment="make", lead_time_days=0)
    shaft = MaterialFactory(code="SH-1", kind="raw", lead_time_days=3)
    bom = BomLine.objects.create(product=gearbox, component=shaft, quantity_per_unit=D(1))
    put_stock(shaft, D(10))
    shaft_line = {"material": "SH-1", "quantity": "6", "unit_price": "5"}
    make_order(actor=admin, lines=[shaft_line], due_in_days=10, status="confirmed")
    # the gearbox order, confirmed after it at 1 shaft a gearbox, holds the 4 shafts left; its
    # bill then changes to 3 a gearbox: it still holds 4 of its 12, the other 8 flagged short
    line = {"material": "GB-1", "quantity": "4", "unit_price": "100"}
    order = make_order(actor=admin, lines=[line], due_in_days=40, status="confirmed")
    bom.quantity_per_unit = D(3)
    bom.save()
    rereserve_order(order=order, actor=admin)
    make_order(actor=admin, lines=[dict(line, quantity="50")], due_in_days=5)  # draft
    return {"admin": admin, "order": order, "shaft": shaft, "buyer": make_user("purchasing")}


def test_run_suggests_the_net_shortage_pegged_to_the_order(world):
    # when purchasing runs MRP
    run = services.mrp_run(actor=world["buyer"])
    # then 4 gearboxes need 12 shafts; 10 on hand − 6 reserved for the other order = 4 → buy 8
    [s] = PurchaseSuggestion.objects.all()
    order = world["order"]
    assert (s.material.code, s.quantity, s.reason) == ("SH-1", D(8), "demand")
    assert s.need_date == last_working_day(order.due_date)
    assert s.order_by < s.need_date
    assert s.pegged_lines == [order.lines.get().pk] and s.peg_count == 1
    assert run.stats["demand_lines"] == 1 and run.stats["suggestions"] == 1


def test_accepted_suggestion_becomes_open_supply_for_the_next_run(world):
    services.mrp_run(actor=world["buyer"])
    s = PurchaseSuggestion.objects.get()
    services.suggestion_update(actor=world["buyer"], suggestion_id=s.pk, quantity="10")
    po = services.suggestion_accept(actor=world["buyer"], suggestion_id=s.pk)
    assert (po.material.code, po.quantity, po.due_date) == ("SH-1", D(10), s.need_date)
    assert po.number == f"PO{timezone.localdate().year}000001"
    # when MRP runs again, the open PO covers the shortage: no new suggestion
    services.mrp_run(actor=world["buyer"])
    assert list(PurchaseSuggestion.objects.values_list("status", flat=True)) == ["accepted"]
    with pytest.raises(SuggestionDecided):
        services.suggestion_dismiss(actor=world["buyer"], suggestion_id=s.pk, reason="x")


def test_rerun_replaces_undecided_suggestions_and_keeps_dismissed_ones(world):
    services.mrp_run(actor=world["buyer"])
    first = PurchaseSuggestion.objects.get()
    services.suggestion_dismiss(actor=world["buyer"], suggestion_id=first.pk, reason="供应商停产")
    services.mrp_run(actor=world["buyer"])
    services.mrp_run(actor=world["buyer"])
    rows = list(PurchaseSuggestion.objects.order_by("id").values_list("status", "dismiss_reason"))
    assert rows == [("dismissed", "供应商停产"), ("new", "")]


def test_lot_rule_and_safety_stock_of_a_stock_item(world):
    # given the shaft must be bought in 25s and kept at 5 in stock
    shaft = world["shaft"]
    shaft.safety_stock = D(5)
    shaft.save()
    PlanningParameters.objects.create(material=shaft, order_multiple=D(25))
    services.mrp_run(actor=world["buyer"])
    # then today: 4 available < 5 → 1 (safety stock), a lot of 25; the 12 for the gearboxes are
    # then covered (4 + 25 − 12 = 17 ≥ 5)
    rows = list(PurchaseSuggestion.objects.values_list("quantity", "reason", "need_date"))
    assert rows == [(D(25), "safety_stock", timezone.localdate())]


def test_order_lines_partly_shipped_or_reserved_count_only_what_is_left(db):
    admin = make_user("admin")
    make_warehouse()
    bolt = MaterialFactory(code="BOLT", kind="purchased", lead_time_days=0)
    put_stock(bolt, D(7))
    make_order(actor=admin, lines=[{"material": "BOLT", "quantity": "7", "unit_price": "1"}],
               status="confirmed")  # fmt: skip
    # the 7 are reserved for that very line: nothing to buy
    services.mrp_run(actor=admin)
    assert not PurchaseSuggestion.objects.exists()
    assert not PurchaseOrder.objects.exists()


def test_scrap_percent_is_added_at_every_level_of_the_explosion(db, api_as):
    """10 frames (made) of 2 panels (made, 5 % scrap) of 3 kg steel (bought, 10 % scrap):
    panels 10 × 2 × 1.05 = 21; steel 21 × 3 × 1.10 = 69.3 kg."""
    admin = make_user("admin")
    make_warehouse()
    MaterialFactory(code="FR-1", fulfilment="make", lead_time_days=0)
    MaterialFactory(code="PN-1", fulfilment="make", lead_time_days=0)
    MaterialFactory(code="ST-1", kind="raw", lead_time_days=2)
    api = api_as(admin)
    for product, line in (
        ("FR-1", {"component": "PN-1", "quantity_per_unit": "2", "scrap_percent": "5"}),
        ("PN-1", {"component": "ST-1", "quantity_per_unit": "3", "scrap_percent": "10"}),
    ):
        r = api.put(f"/api/v1/production/boms/{product}", {"lines": [line]})
        assert r.status_code == 200, r.content
    # the BOM API shows the scrap and what one unit really consumes
    (shown,) = api.get("/api/v1/production/boms/PN-1").json()["lines"]
    assert (D(shown["scrap_percent"]), D(shown["gross_per_unit"])) == (D(10), D("3.3"))
    # and so does the BOM page
    from django.test import Client

    browser = Client()
    browser.force_login(admin)
    page = browser.get("/production/setup/?material=PN-1").content.decode()
    assert 'name="bom-0-scrap_percent" value="10"' in page
    assert "3.3" in page and "含损耗单位用量" in page
    line = {"material": "FR-1", "quantity": "10", "unit_price": "100"}
    # confirmed with its steel on hand (all or nothing), which then goes to other work
    put_stock(Material.objects.get(code="ST-1"), D("69.3"))
    order = make_order(actor=admin, lines=[line], due_in_days=40, status="confirmed")
    order_release(order=order, actor=admin, reason="test")
    stock_adjust(actor=admin, material="ST-1", quantity="-69.3", reason="用于其他订单")

    services.mrp_run(actor=make_user("purchasing"))

    [steel] = PurchaseSuggestion.objects.all()
    assert (steel.material.code, steel.quantity) == ("ST-1", D("69.3"))


def test_the_one_requirement_formula():
    from zhongshu.catalog.quantities import component_requirement

    assert component_requirement(
        quantity_per_unit=D("2.5"), parent_quantity=D(8), scrap_percent=D("2.5")
    ) == D("20.5")
    assert component_requirement(quantity_per_unit=D(3), parent_quantity=D(7)) == D(21)
