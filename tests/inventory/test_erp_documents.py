"""One 销货单 per shipment, the code mapping on posting and syncing, master data created from T+,
and a closed period in T+ — against the T+ simulator over real HTTP."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer
from zhongshu.inventory import posting, tplus
from zhongshu.inventory.models import ErpMasterRecord, ErpPosting, StockMovement, Warehouse
from zhongshu.inventory.services import shipment_create, stock_receive


def _valve(sim, keeper, qty=8):
    material = MaterialFactory(code="VA-20", unit="个")
    put_stock(material, qty, actor=keeper)
    sim.set_stock("01", "VA-20", qty)
    ErpPosting.objects.update(status="posted")
    return material


def test_a_shipment_of_two_materials_is_one_sale_delivery(
    sim, flange, keeper, sales_east, customer_east
):
    _valve(sim, keeper)
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "FL-50", "quantity": "4"}, {"material": "VA-20", "quantity": "3"}],
        status="confirmed",
    )
    shipment = shipment_create(actor=keeper, order_id=order.pk)
    rows = list(ErpPosting.objects.filter(document="sale_delivery"))
    assert len(rows) == 2 and {r.external_code for r in rows} == {f"ZS-SD-{shipment.id:08d}"}
    result = posting.drain()
    assert (result.posted, result.duplicates, result.failed) == (1, 0, 0)
    assert sim.accepted == [f"ZS-SD-{shipment.id:08d}"]
    details = sim.documents[sim.accepted[0]]["dto"]["SaleDeliveryDetails"]
    lines = sorted((d["Inventory"]["Code"], Decimal(d["Quantity"])) for d in details)
    assert lines == [("FL-50", 4), ("VA-20", 3)]
    assert set(ErpPosting.objects.values_list("status", flat=True)) == {"posted"}
    assert (sim.on_hand("01", "FL-50"), sim.on_hand("01", "VA-20")) == (6, 5)
    assert tplus.tplus_sync().changed == 0
    assert not StockMovement.objects.filter(kind="sync_correction").exists()
    # a second drain, or a crash and a retry, never makes it two
    assert posting.drain().posted == 0 and len(sim.accepted) == 1


def test_a_refused_shipment_fails_and_retries_as_one_document(
    sim, flange, keeper, sales_east, customer_east
):
    MaterialFactory(code="VA-20")
    put_stock(Material.objects.get(code="VA-20"), 5, actor=keeper)
    ErpPosting.objects.update(status="posted")  # VA-20 is not in T+ yet
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "FL-50", "quantity": "1"}, {"material": "VA-20", "quantity": "1"}],
        status="confirmed",
    )
    shipment_create(actor=keeper, order_id=order.pk)
    assert posting.drain().failed == 1
    rows = ErpPosting.objects.filter(document="sale_delivery")
    assert [r.status for r in rows] == ["failed", "failed"]
    assert all("VA-20" in r.last_error for r in rows)
    assert sim.on_hand("01", "FL-50") == 10  # nothing of the document was applied
    sim.set_stock("01", "VA-20", 5)
    posting.posting_retry(actor=keeper, posting_id=rows[1].pk)
    assert posting.drain().posted == 1
    assert [r.status for r in rows.all()] == ["posted", "posted"]
    assert len(sim.accepted) == 1 and sim.on_hand("01", "FL-50") == 9


def test_codes_are_mapped_when_posting_and_when_syncing(sim, flange, keeper, api_as):
    admin = make_user("admin", username="adm")
    # in T+ the flange is called 0101-050 and the warehouse is 01 on both sides
    sim.stock.clear()
    sim.set_stock("01", "0101-050", 10, "法兰 DN50")
    assert api_as(admin).post("/api/v1/inventory/erp/master/pull", {}).status_code == 200
    r = api_as(keeper).post("/api/v1/inventory/erp/master/map",
                            {"kind": "material", "code": "0101-050", "local_code": "FL-50"})  # fmt: skip
    assert (r.status_code, r.json()["local_code"]) == (200, "FL-50")
    bad = api_as(keeper).post("/api/v1/inventory/erp/master/map",
                              {"kind": "material", "code": "0101-050", "local_code": "NOPE"})  # fmt: skip
    assert bad.status_code == 422
    body = api_as(keeper).get("/api/v1/inventory/erp/master").json()
    assert ["0101-050", "FL-50", "法兰 DN50"] in body["material"]["mapped"]
    assert "FL-50" not in body["material"]["local_only"]
    # the sync reads T+'s 0101-050 as FL-50: it agrees, nothing corrected
    assert tplus.tplus_sync().changed == 0
    assert level_of(flange).tplus_on_hand == 10
    # a receipt here is posted with T+'s code
    stock_receive(actor=keeper, material="FL-50", quantity="2")
    assert posting.drain().posted == 1
    doc = sim.documents[sim.accepted[-1]]["dto"]
    assert doc["RDRecordDetails"][0]["Inventory"]["Code"] == "0101-050"
    assert sim.on_hand("01", "0101-050") == 12
    assert tplus.tplus_sync().changed == 0 and level_of(flange).on_hand == 12
    assert_ledger_matches_levels()


def test_records_only_in_tplus_are_created_here_on_request_only(sim, flange, api_as, east):
    admin = make_user("admin", username="adm")
    sim.set_stock("02", "GA-10", 3, "垫片 GA10")
    sim.set_stock("02", "GA-11", 3, "垫片 GA11")
    sim.add_customer("C-TPLUS", "T+ 客户")
    api = api_as(admin)
    api.post("/api/v1/inventory/erp/master/pull", {})
    # pulling creates nothing here: the codes are only listed
    assert not Material.objects.filter(code__in=["GA-10", "GA-11"]).exists()
    assert not Warehouse.objects.filter(code="02").exists()
    body = api.get("/api/v1/inventory/erp/master").json()
    assert ["GA-10", "垫片 GA10"] in body["material"]["tplus_only"]
    r = api.post("/api/v1/inventory/erp/master/create", {"kind": "material", "codes": ["GA-10"]})
    assert (r.status_code, r.json()) == (200, {"created": ["GA-10"]})
    assert Material.objects.get(code="GA-10").name == "垫片 GA10"
    assert not Material.objects.filter(code="GA-11").exists()
    r = api.post("/api/v1/inventory/erp/master/create", {"kind": "warehouse", "codes": ["02"]})
    assert r.status_code == 200 and Warehouse.objects.get(code="02").name == "02"
    r = api.post("/api/v1/inventory/erp/master/create",
                 {"kind": "customer", "codes": ["C-TPLUS"], "region": east.name})  # fmt: skip
    assert r.status_code == 200
    assert Customer.objects.get(code="C-TPLUS").region == east
    # all or nothing, with every reason; unknown fields refused; other roles refused
    r = api.post("/api/v1/inventory/erp/master/create",
                 {"kind": "material", "codes": ["GA-11", "NOT-PULLED"]})  # fmt: skip
    assert r.status_code == 422 and "NOT-PULLED" in str(r.json())
    assert not Material.objects.filter(code="GA-11").exists()
    r = api.post("/api/v1/inventory/erp/master/create",
                 {"kind": "material", "codes": ["GA-10"]})  # fmt: skip
    assert r.status_code == 422 and "GA-10" in str(r.json())
    extra = {"kind": "material", "codes": ["GA-11"], "guess": True}
    assert api.post("/api/v1/inventory/erp/master/create", extra).status_code == 422
    sales = make_user("sales", username="s9")
    r = api_as(sales).post("/api/v1/inventory/erp/master/create",
                           {"kind": "material", "codes": ["GA-11"]})  # fmt: skip
    assert r.status_code == 403
    assert ErpMasterRecord.objects.get(kind="material", code="GA-10").local_code == "GA-10"


def test_closed_period_is_a_visible_refusal_with_tplus_message(sim, flange, keeper):
    sim.closed_until = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    stock_receive(actor=keeper, material="FL-50", quantity="1")
    assert posting.drain().failed == 1
    failed = ErpPosting.objects.get(status="failed")
    assert "已结账" in failed.last_error and failed.error_kind == "rejected"
    assert level_of(flange).on_hand == 11  # the move stands here, waiting for T+
    assert tplus.tplus_sync().changed == 0
    sim.closed_until = ""
    posting.posting_retry(actor=keeper, posting_id=failed.pk)
    assert posting.drain().posted == 1 and sim.on_hand("01", "FL-50") == 11


def test_finished_goods_become_a_production_receipt_and_leave_with_the_shipment(
    sim, flange, keeper, sales_east, customer_east
):
    from tests.factories import pass_inspection
    from zhongshu.inventory.models import Reservation
    from zhongshu.orders.services import order_transition

    MaterialFactory(code="MK-1", fulfilment="make")
    sim.set_stock("01", "MK-1", 0)
    order = make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "MK-1", "quantity": "2"}, {"material": "FL-50", "quantity": "3"}],
        status="awaiting_qc",
    )
    made = level_of(Material.objects.get(code="MK-1"))
    assert (made.on_hand, made.reserved) == (2, 2)
    receipt = ErpPosting.objects.get(document="production_receipt")
    assert receipt.on_hand_delta == 2
    # QC fails, production reworks and finishes again: the goods are not booked twice
    admin = make_user("admin", username="adm")
    order_transition(actor=admin, order_id=order.pk, action="qc_fail", note="毛刺")
    order_transition(actor=admin, order_id=order.pk, action="finish")
    assert ErpPosting.objects.filter(document="production_receipt").count() == 1
    assert level_of(Material.objects.get(code="MK-1")).on_hand == 2
    pass_inspection(order)
    shipment = shipment_create(actor=keeper, order_id=order.pk)
    assert posting.drain().posted == 2
    assert [sim.documents[c]["resource"] for c in sim.accepted] == [
        "productReceive", "saleDelivery"
    ]  # fmt: skip
    assert sim.accepted[1] == f"ZS-SD-{shipment.id:08d}"
    details = sim.documents[sim.accepted[1]]["dto"]["SaleDeliveryDetails"]
    assert sorted(d["Inventory"]["Code"] for d in details) == ["FL-50", "MK-1"]
    assert (sim.on_hand("01", "MK-1"), sim.on_hand("01", "FL-50")) == (0, 7)
    assert tplus.tplus_sync().changed == 0
    assert not Reservation.objects.filter(order=order, status="active").exists()
    assert_ledger_matches_levels()


def test_connection_page_creates_chosen_tplus_records_and_maps_codes(sim, flange):
    from django.test import Client

    admin = make_user("admin", username="adm")
    sim.set_stock("01", "GA-10", 1, "垫片 GA10")
    sim.set_stock("01", "GA-11", 1, "垫片 GA11")
    client = Client(headers={"accept-language": "en"})
    client.force_login(admin)
    client.post("/inventory/erp/", {"action": "pull"})
    html = client.get("/inventory/erp/").content.decode()
    assert 'name="codes" value="GA-10"' in html and 'name="codes" value="GA-11"' in html
    r = client.post("/inventory/erp/", {"action": "create", "kind": "material",
                                        "codes": ["GA-11"]}, follow=True)  # fmt: skip
    assert "Created from T+: GA-11" in r.content.decode()
    assert list(Material.objects.filter(code__startswith="GA").values_list("code", flat=True)) == [
        "GA-11"
    ]
    html = client.post("/inventory/erp/", {"action": "create", "kind": "material"},
                       follow=True).content.decode()  # fmt: skip
    assert "Choose at least one code." in html
    r = client.post("/inventory/erp/", {"action": "map", "kind": "material", "code": "GA-10",
                                        "local_code": "FL-50"}, follow=True)  # fmt: skip
    assert "T+ code GA-10 now stands for FL-50." in r.content.decode()
    assert ErpMasterRecord.objects.get(kind="material", code="GA-10").local_code == "FL-50"


def test_an_expired_token_is_a_red_alert_on_the_stock_page_until_it_works_again(
    sim, flange, keeper
):
    from django.test import Client

    from zhongshu.notify.models import Message

    client = Client(headers={"accept-language": "en"})
    client.force_login(keeper)
    assert 'id="erp-auth-alert"' not in client.get("/inventory/").content.decode()
    sim.mode = "expired"
    for _i in range(3):  # the scheduled sync keeps failing: one notification, not one a run
        assert not tplus.tplus_sync().ok
    html = client.get("/inventory/").content.decode()
    assert 'id="erp-auth-alert"' in html and "过期" in html
    assert 'href="/inventory/reconciliation/"' in html
    assert Message.objects.filter(subject__contains="credentials").count() == 1
    sim.mode = "ok"
    assert tplus.tplus_sync().ok
    assert 'id="erp-auth-alert"' not in client.get("/inventory/").content.decode()


def test_a_sync_after_a_lost_reply_does_not_count_the_document_twice(sim, flange, keeper):
    from zhongshu.inventory.models import ErpDifference

    stock_receive(actor=keeper, material="FL-50", quantity="3")
    sim.mode = "lost_reply"  # T+ books it, the answer never arrives
    assert posting.drain().stopped == "unavailable"
    assert sim.on_hand("01", "FL-50") == 13
    sim.mode = "ok"
    run = tplus.tplus_sync()  # T+ says 13; the receipt must not be added on top
    assert (run.ok, run.changed) == (True, 0)
    assert level_of(flange).on_hand == 13
    assert not ErpPosting.objects.exclude(status="posted").exists()
    assert not ErpDifference.objects.exists()
    assert posting.drain().posted == 0 and len(sim.accepted) == 1


def test_tplus_down_tells_the_warehouse_once_not_every_attempt(sim, flange, keeper):
    from zhongshu.notify.models import Message

    stock_receive(actor=keeper, material="FL-50", quantity="1")
    stock_receive(actor=keeper, material="FL-50", quantity="2")
    sim.mode = "down"
    clock = timezone.now()
    for _i in range(posting.ALERT_AFTER + 5):  # a worker retrying whenever the back-off allows
        clock += dt.timedelta(hours=1)
        assert posting.drain(now=clock).stopped == "unavailable"
    waiting = list(ErpPosting.objects.filter(status="pending").order_by("id"))
    assert waiting[0].attempts == posting.ALERT_AFTER + 5 and waiting[1].attempts == 0
    assert "HTTP 500" in waiting[0].last_error
    assert Message.objects.filter(subject__contains="for a while").count() == 1
    sim.mode = "ok"
    assert posting.drain(now=clock + dt.timedelta(hours=1)).posted == 2
    assert sim.accepted == [p.external_code for p in waiting]
