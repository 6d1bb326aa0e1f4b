"""Stock moves made here are posted to T+ as documents, once, and the sync never undoes them.

Everything here talks to the T+ simulator over real HTTP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.inventory import posting, tplus
from zhongshu.inventory.models import (
    ErpDifference,
    ErpPosting,
    StockMovement,
)
from zhongshu.inventory.services import shipment_create, stock_adjust, stock_receive


def _order(sales_east, customer_east, qty):
    return make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "FL-50", "quantity": str(qty)}],
        status="confirmed",
    )


def _later(hours=2):
    return timezone.now() + dt.timedelta(hours=hours)


def test_shipment_is_posted_once_and_the_next_sync_agrees(
    sim, flange, keeper, sales_east, customer_east
):
    order = _order(sales_east, customer_east, 4)
    shipment_create(actor=keeper, order_id=order.pk)
    queued = ErpPosting.objects.get(document="sale_delivery")
    assert (queued.status, queued.on_hand_delta) == ("pending", Decimal(-4))
    # a sync before the document reaches T+: T+ says 10, minus the 4 not yet posted
    run = tplus.tplus_sync()
    assert (run.ok, run.changed) == (True, 0)
    assert level_of(flange).on_hand == 6
    # the worker posts it
    result = posting.drain()
    assert (result.posted, result.duplicates, result.failed) == (1, 0, 0)
    queued.refresh_from_db()
    assert queued.status == "posted" and queued.erp_number
    assert sim.accepted == [queued.external_code]
    doc = sim.documents[queued.external_code]
    assert doc["resource"] == "saleDelivery"
    assert doc["dto"]["Customer"] == {"Code": customer_east.code}
    assert doc["dto"]["SaleDeliveryDetails"][0]["Quantity"] == "4.000"
    assert sim.on_hand("01", "FL-50") == 6
    # the next sync agrees: no correction, no difference
    run = tplus.tplus_sync()
    assert (run.ok, run.changed) == (True, 0)
    assert level_of(flange).on_hand == 6
    assert not StockMovement.objects.filter(kind="sync_correction").exists()
    assert not ErpDifference.objects.exists()
    # and a second drain posts nothing again
    assert posting.drain().posted == 0
    assert len(sim.accepted) == 1
    assert_ledger_matches_levels()


def test_receipts_and_adjustments_become_their_documents(sim, flange, keeper):
    stock_receive(actor=keeper, material="FL-50", quantity="5", reason="PO-1")
    stock_adjust(actor=keeper, material="FL-50", quantity="-2", reason="破损")
    stock_adjust(actor=keeper, material="FL-50", quantity="1", reason="盘盈")
    posting.drain()
    kinds = [sim.documents[c]["resource"] for c in sim.accepted]
    assert kinds == ["otherReceive", "otherDispatch", "otherReceive"]
    assert sim.on_hand("01", "FL-50") == 14
    assert tplus.tplus_sync().changed == 0
    assert level_of(flange).on_hand == 14


def test_crash_after_tplus_accepted_still_one_document(sim, flange, keeper, monkeypatch):
    stock_receive(actor=keeper, material="FL-50", quantity="3")
    queued = ErpPosting.objects.get(status="pending")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("worker killed")

    # T+ accepts the document, then the worker dies before recording it (a kill runs no
    # cleanup: the lease stays taken until it expires)
    monkeypatch.setattr(posting, "record_posted", killed)
    monkeypatch.setattr(posting, "release_lease", lambda token: None)
    with pytest.raises(KeyboardInterrupt):
        posting.drain()
    monkeypatch.undo()
    assert sim.accepted == [queued.external_code]
    queued.refresh_from_db()
    assert queued.status == "pending"
    # the restarted worker waits for the dead one's lease, then retries: T+ says duplicate
    assert posting.drain().stopped == "busy"
    result = posting.drain(now=_later())
    assert (result.posted, result.duplicates) == (1, 1)
    queued.refresh_from_db()
    assert queued.status == "posted"
    assert queued.erp_number == sim.documents[queued.external_code]["Code"]
    assert sim.accepted == [queued.external_code]
    assert sim.on_hand("01", "FL-50") == 13
    assert tplus.tplus_sync(client=None).changed == 0


def test_lost_reply_is_retried_and_not_posted_twice(sim, flange, keeper):
    stock_receive(actor=keeper, material="FL-50", quantity="3")
    sim.mode = "lost_reply"
    assert posting.drain().stopped == "unavailable"
    sim.mode = "ok"
    result = posting.drain(now=_later())
    assert (result.posted, result.duplicates) == (1, 1)
    assert len(sim.accepted) == 1 and sim.on_hand("01", "FL-50") == 13


def test_tplus_down_while_shipping_never_overstates_and_drains_in_order(
    sim, warehouse, keeper, sales_east, customer_east
):
    material = MaterialFactory(code="FL-50", unit="件")
    put_stock(material, 30, actor=keeper)
    sim.set_stock("01", "FL-50", 30)
    ErpPosting.objects.update(status="posted")
    sim.mode = "down"
    start = timezone.now()
    for minute in range(0, 60, 10):
        order = _order(sales_east, customer_east, 2)
        shipment_create(actor=keeper, order_id=order.pk)
        now = start + dt.timedelta(minutes=minute)
        posting.drain(now=now)
        tplus.tplus_sync()  # fails: the figure stays ours
        level = level_of(material)
        shipped = 2 * (minute // 10 + 1)
        assert level.on_hand - level.reserved <= 30 - shipped
    # T+ back; the sync before the drain already counts the unposted shipments
    sim.mode = "ok"
    assert tplus.tplus_sync().changed == 0
    assert level_of(material).on_hand == 18
    result = posting.drain(now=start + dt.timedelta(hours=2))
    assert (result.posted, result.failed) == (6, 0)
    codes = list(ErpPosting.objects.filter(document="sale_delivery").values_list(
        "external_code", flat=True).order_by("id"))  # fmt: skip
    assert sim.accepted == codes
    assert sim.on_hand("01", "FL-50") == 18
    assert tplus.tplus_sync().changed == 0
    assert not ErpDifference.objects.exists()


def test_manual_tplus_change_is_an_explained_difference(sim, flange, keeper):
    stock_receive(actor=keeper, material="FL-50", quantity="2")  # unposted, on our side
    sim.manual_change("01", "FL-50", -3, who="王会计")
    run = tplus.tplus_sync()
    assert run.changed == 1
    diff = ErpDifference.objects.get()
    assert (diff.ours_before, diff.erp_on_hand, diff.unposted, diff.difference) == (
        Decimal(12), Decimal(7), Decimal(2), Decimal(-3)
    )  # fmt: skip
    assert diff.erp_modified_by == "王会计" and diff.erp_modified_at
    assert level_of(flange).on_hand == 9
    correction = StockMovement.objects.get(kind="sync_correction")
    assert "王会计" in correction.reason
    posting.drain()
    assert tplus.tplus_sync().changed == 0
    assert level_of(flange).on_hand == 9 == sim.on_hand("01", "FL-50")


def test_refused_document_fails_with_the_message_alerts_once_and_retries(
    sim, flange, keeper, admin_user
):
    from zhongshu.notify.models import Message

    other = MaterialFactory(code="NOT-IN-TPLUS")
    put_stock(other, 5, actor=keeper)
    stock_receive(actor=keeper, material="FL-50", quantity="1")
    result = posting.drain()
    assert (result.posted, result.failed) == (1, 1)
    failed = ErpPosting.objects.get(status="failed")
    assert "NOT-IN-TPLUS" in failed.last_error and failed.error_kind == "rejected"
    for _i in range(3):
        posting.drain(now=_later())
    assert Message.objects.filter(subject__contains="refused").count() == 1
    # someone adds the material in T+ and retries
    sim.set_stock("01", "NOT-IN-TPLUS", 0)
    posting.posting_retry(actor=keeper, posting_id=failed.pk)
    assert posting.drain().posted == 1
    failed.refresh_from_db()
    assert failed.status == "posted"


def test_expired_token_alerts_once_and_keeps_documents(sim, flange, keeper):
    from zhongshu.inventory.models import ErpConnection
    from zhongshu.notify.models import Message

    stock_receive(actor=keeper, material="FL-50", quantity="1")
    sim.mode = "expired"
    assert posting.drain().stopped == "auth"
    assert not tplus.tplus_sync().ok
    posting.drain(now=_later())
    conn = ErpConnection.objects.get(pk=1)
    assert conn.auth_failed_at is not None and "过期" in conn.auth_error
    assert Message.objects.filter(subject__contains="credentials").count() == 1
    sim.mode = "ok"
    assert posting.drain(now=_later(5)).posted == 1
    assert ErpConnection.objects.get(pk=1).auth_failed_at is None


def test_purchase_receipt_becomes_a_purchase_document(sim, flange, keeper):
    stock_receive(actor=keeper, material="FL-50", quantity="2", document="purchase_receipt")
    posting.drain()
    assert [sim.documents[c]["resource"] for c in sim.accepted] == ["purchaseReceive"]
    assert sim.on_hand("01", "FL-50") == 12
