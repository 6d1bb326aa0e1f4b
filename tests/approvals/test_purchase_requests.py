"""Approval requests about a purchase order (no order): the waiting list, the request page, the
requester's list and the purchasing page show the purchase order's number, total and supplier in
Chinese, link to the purchasing page, and never fail for want of an order; the shipped flow's
threshold is edited like any flow and a purchase-order flow needs one."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_user, make_warehouse
from tests.support.pages import foreign_words
from zhongshu.approvals import services
from zhongshu.approvals.defaults import PURCHASE_FLOW_KEY
from zhongshu.approvals.models import Flow, Request
from zhongshu.planning import services as planning
from zhongshu.planning.models import PurchaseOrder, Supplier

pytestmark = pytest.mark.shipped_flow


@pytest.fixture
def po_world(db):
    make_warehouse()
    MaterialFactory(code="STEEL", name="钢板", kind="raw")
    Supplier.objects.create(code="S-EAST", name="华东钢材")
    buyer = make_user("purchasing")
    manager = make_user("manager")
    po = planning.purchase_order_create(
        actor=buyer, material="STEEL", quantity="600", supplier="S-EAST", unit_price="100",
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    return {
        "buyer": buyer,
        "manager": manager,
        "keeper": make_user("warehouse"),
        "po": po,
        "req": Request.objects.get(purchase_order=po.number),
    }


def test_pages_show_the_purchase_order_in_chinese(po_world, client_as):
    po, req = po_world["po"], po_world["req"]
    manager = client_as(po_world["manager"])
    html = manager.get("/approvals/").content.decode()
    assert f'data-request="{req.pk}"' in html and po.number in html
    assert "采购订单金额超限" in html and "华东钢材" in html and "¥60,000.00" in html
    r = manager.get(f"/approvals/{req.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'href="/planning/purchase-orders/?status=all&amp;q={po.number}"' in html
    assert "采购订单" in html and "¥60,000.00" in html and "同意" in html
    assert not foreign_words(html)
    mine = client_as(po_world["buyer"]).get("/approvals/mine/").content.decode()
    assert po.number in mine and not foreign_words(mine)
    assert client_as(po_world["buyer"]).get(f"/approvals/{req.pk}/").status_code == 200


def test_purchasing_page_shows_the_hold_and_no_receive_form(po_world, client_as):
    po = po_world["po"]
    keeper = client_as(po_world["keeper"])
    html = keeper.get("/planning/purchase-orders/").content.decode()
    assert 'data-approval="pending"' in html and "待审批" in html and "审批通过后才能收货" in html
    assert f"/planning/purchase-orders/{po.pk}/receive/" not in html
    # posting the receipt anyway is refused with the reason, nothing booked
    r = keeper.post(f"/planning/purchase-orders/{po.pk}/receive/", {"quantity": "600"}, follow=True)
    assert "经理批准前不能收货" in r.content.decode()
    po.refresh_from_db()
    assert po.received_quantity == 0


def test_the_manager_approves_on_the_page_and_the_goods_can_come_in(po_world, client_as):
    po, req = po_world["po"], po_world["req"]
    r = client_as(po_world["keeper"]).post(f"/approvals/{req.pk}/decide/", {"verdict": "approve"})
    assert r.status_code in (403, 404)
    r = client_as(po_world["manager"]).post(
        f"/approvals/{req.pk}/decide/", {"verdict": "approve", "version": req.version}
    )
    assert r.status_code in (200, 302)
    req.refresh_from_db()
    assert req.status == "approved"
    assert set(PurchaseOrder.objects.filter(number=po.number).values_list(
        "approval_status", flat=True)) == {"approved"}  # fmt: skip
    html = client_as(po_world["keeper"]).get("/planning/purchase-orders/").content.decode()
    assert f"/planning/purchase-orders/{po.pk}/receive/" in html


def test_the_shipped_flow_is_edited_like_any_flow(db, api_as):
    admin = make_user("admin")
    flow = Flow.objects.get(builtin_key=PURCHASE_FLOW_KEY)
    assert (flow.name, flow.kinds, flow.active) == ("采购订单金额审批", ["purchase_amount"], True)
    assert str(flow.amount_threshold) == "50000.00"
    api = api_as(admin)
    body = {
        "name": "采购审批",
        "kinds": ["purchase_amount"],
        "steps": [{"name": "经理", "role": "manager"}],
    }
    r = api.post("/api/v1/approvals/flows", body)
    assert r.status_code == 422 and "amount_threshold" in str(r.json())
    services.flow_update(
        actor=admin, flow_id=flow.pk, version=None, data={
            "name": flow.name, "kinds": ["purchase_amount"], "amount_threshold": "80000",
            "active": True, "steps": [{"name": "经理审批", "role": "manager"}],
        },
    )  # fmt: skip
    flow.refresh_from_db()
    assert str(flow.amount_threshold) == "80000.00"
