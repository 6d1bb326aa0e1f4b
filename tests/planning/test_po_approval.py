"""Purchase orders above the approval amount (the shipped 采购订单金额审批 flow, ¥50,000): created
awaiting approval, their goods cannot be received until a manager approves (service and API);
below the amount, or with the flow switched off, nothing waits; a rejection cancels the purchase
order; only the approvers decide."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from tests.factories import MaterialFactory, make_user, make_warehouse
from zhongshu.accounts.permissions import PermissionDenied
from zhongshu.approvals import services as approvals
from zhongshu.approvals.defaults import PURCHASE_FLOW_KEY
from zhongshu.approvals.models import Flow, Request
from zhongshu.core.errors import NotFound
from zhongshu.planning import mrp, services
from zhongshu.planning.exceptions import PurchaseOrderAwaitingApproval
from zhongshu.planning.models import Supplier

TODAY = timezone.localdate()
pytestmark = pytest.mark.shipped_flow


@pytest.fixture
def world(db):
    make_warehouse()
    MaterialFactory(code="STEEL", kind="raw")
    Supplier.objects.create(code="S-EAST", name="华东钢材")
    return {
        "buyer": make_user("purchasing"),
        "keeper": make_user("warehouse"),
        "manager": make_user("manager"),
        "sales": make_user("sales", regions=("华东",)),
    }


def _po(world, qty, price="100"):
    """qty × ¥100 net, no tax: 600 → ¥60,000 (above), 400 → ¥40,000 (below)."""
    return services.purchase_order_create(
        actor=world["buyer"], material="STEEL", quantity=qty, supplier="S-EAST",
        unit_price=price, due_date=TODAY + dt.timedelta(days=10),
    )  # fmt: skip


def _request(po) -> Request:
    return Request.objects.get(purchase_order=po.number)


def test_above_the_amount_waits_for_the_manager_then_receives(world):
    po = _po(world, "600")
    assert po.approval_status == "pending" and po.status == "open"
    req = _request(po)
    assert (req.kind, req.status, req.order_id, req.flow.builtin_key) == (
        "purchase_amount", "pending", None, PURCHASE_FLOW_KEY,
    )  # fmt: skip
    assert req.before["total"] == "60000.00" and req.before["supplier"] == "S-EAST 华东钢材"
    [step] = req.steps.all()
    assert list(step.approvers.all()) == [world["manager"]]
    # the pending purchase order still counts as supply to come
    assert mrp.load_po_supply(TODAY) == [(po.material_id, po.due_date, D(600), po.number)]
    with translation.override("zh-hans"):
        with pytest.raises(PurchaseOrderAwaitingApproval) as refused:
            services.purchase_order_receive(actor=world["keeper"], po_id=po.pk, quantity="10")
        assert "经理批准前不能收货" in str(refused.value.message)
    po.refresh_from_db()
    assert po.received_quantity == 0
    # only the approver decides: the buyer who asked and the warehouse are refused
    for outsider in (world["buyer"], world["keeper"], world["sales"]):
        with pytest.raises((PermissionDenied, NotFound)):
            approvals.decide(actor=outsider, request_id=req.pk, verdict="approve")
    approvals.decide(actor=world["manager"], request_id=req.pk, verdict="approve")
    po.refresh_from_db()
    req.refresh_from_db()
    assert (req.status, po.approval_status) == ("approved", "approved")
    services.purchase_order_receive(actor=world["keeper"], po_id=po.pk, quantity="600")
    po.refresh_from_db()
    assert po.status == "received"


def test_below_the_amount_or_flow_off_nothing_waits(world):
    below = _po(world, "400")
    assert below.approval_status == "" and not Request.objects.exists()
    services.purchase_order_receive(actor=world["keeper"], po_id=below.pk, quantity="400")
    Flow.objects.filter(builtin_key=PURCHASE_FLOW_KEY).update(active=False)
    above = _po(world, "600")
    assert above.approval_status == "" and not Request.objects.exists()
    services.purchase_order_receive(actor=world["keeper"], po_id=above.pk, quantity="600")


def test_the_threshold_is_the_flows_amount(world):
    Flow.objects.filter(builtin_key=PURCHASE_FLOW_KEY).update(amount_threshold=D("30000"))
    assert _po(world, "400").approval_status == "pending"  # ¥40,000 > ¥30,000


def test_rejection_cancels_the_purchase_order(world):
    po = _po(world, "600")
    req = _request(po)
    approvals.decide(
        actor=world["manager"], request_id=req.pk, verdict="reject", comment="价格太高"
    )
    po.refresh_from_db()
    assert (po.status, po.approval_status) == ("cancelled", "rejected")
    assert f"#{req.pk}" in po.cancel_reason
    assert mrp.load_po_supply(TODAY) == []


def test_withdrawal_cancels_too(world):
    po = _po(world, "600")
    approvals.request_withdraw(actor=world["buyer"], request_id=_request(po).pk)
    po.refresh_from_db()
    assert (po.status, po.approval_status) == ("cancelled", "rejected")


def test_api_refuses_receipt_with_409_until_approved(world, api_as):
    buyer, keeper, manager = (
        api_as(world["buyer"]),
        api_as(world["keeper"]),
        api_as(world["manager"]),
    )
    r = buyer.post(
        "/api/v1/planning/purchase-orders",
        {"material": "STEEL", "quantity": "600", "supplier": "S-EAST", "unit_price": "100",
         "due_date": str(TODAY + dt.timedelta(days=10))},
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["approval_status"] == "pending"
    po_id = r.json()["id"]
    r = keeper.post(f"/api/v1/planning/purchase-orders/{po_id}/receive", {"quantity": "600"})
    assert (r.status_code, r.json()["code"]) == (409, "purchase_order_awaiting_approval")
    assert "审批" in r.json()["message"]
    req = Request.objects.get(purchase_order=r.json()["details"]["number"])
    listed = manager.get("/api/v1/approvals/requests").json()["items"]
    assert [(i["id"], i["order_id"], i["purchase_order"]) for i in listed] == [
        (req.pk, None, req.purchase_order)
    ]
    r = keeper.post(f"/api/v1/approvals/requests/{req.pk}/decide", {"verdict": "approve"})
    assert r.status_code in (403, 404)
    r = manager.post(f"/api/v1/approvals/requests/{req.pk}/decide", {"verdict": "approve"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = keeper.post(f"/api/v1/planning/purchase-orders/{po_id}/receive", {"quantity": "600"})
    assert r.status_code == 200 and r.json()["status"] == "received"


def test_hand_made_requests_of_the_purchase_kind_are_refused(world, api_as):
    from tests.factories import make_order

    order = make_order(actor=world["sales"])
    r = api_as(world["sales"]).post(
        "/api/v1/approvals/requests",
        {"order_id": order.pk, "kind": "purchase_amount", "reason": "试试"},
    )
    assert r.status_code == 422 and "kind" in str(r.json()["details"]), r.json()
