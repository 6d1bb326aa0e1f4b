"""Shipping in Zhongshu is reported back to the platform exactly once — also when the ship hook
runs twice, when two workers race, and when a worker dies between the platform's answer and its
own commit."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_user, make_warehouse, put_stock
from zhongshu.channels import logistics
from zhongshu.channels.models import LogisticsReport
from zhongshu.channels.sync import sync_account
from zhongshu.inventory.services import shipment_create
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks, monkeypatch):
    """The test runs in one transaction: run the shipment's after-commit hooks when it returns."""
    real = shipment_create

    def shipped(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real(**kwargs)

    monkeypatch.setitem(globals(), "shipment_create", shipped)


def _ship(account, sim, mapped, *, platform_down=False):
    make_warehouse()
    put_stock(mapped[0], 10)
    oid = sim.add_order(lines=[("500", "OUT-0", "法兰0", 2, "9.90")])
    sync_account(account.pk)
    order = Order.objects.get(external_no=oid)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    if platform_down:
        sim.throttle_next = 10**6
    shipment_create(actor=make_user("warehouse"), order_id=order.pk, carrier="SF",
                    tracking_no="SF123")  # fmt: skip
    return oid, order


def test_shipping_is_reported_once_even_when_asked_twice(taobao_account, taobao_sim, mapped):
    # given a Taobao trade turned into an order and shipped in Zhongshu
    tid, order = _ship(taobao_account, taobao_sim, mapped)
    # then the platform got one logistics send with our tracking number, right after the commit
    assert taobao_sim.logistics == [{"tid": tid, "out_sid": "SF123", "company": "SF"}]
    # and enqueueing again or running the worker again sends nothing more
    logistics.enqueue(order_id=order.pk)
    assert logistics.deliver(now=timezone.now() + dt.timedelta(hours=1))["sent"] == 0
    assert taobao_sim.logistics_calls == 1
    assert LogisticsReport.objects.get().status == "sent"


def test_a_platform_outage_is_retried_by_the_worker(douyin_account, douyin_sim, mapped):
    # given the platform throttles every call while the order ships
    did, _order = _ship(douyin_account, douyin_sim, mapped, platform_down=True)
    report = LogisticsReport.objects.get()
    assert report.status == "failed" and report.attempts == 1
    # when it is back and the worker's retry comes due
    douyin_sim.throttle_next = 0
    counts = logistics.deliver(now=report.next_attempt_at + dt.timedelta(seconds=1))
    # then the report is sent once
    assert counts["sent"] == 1
    assert [x["tid"] for x in douyin_sim.logistics] == [did]


def test_a_worker_killed_after_the_platform_answered_does_not_ship_twice(
    taobao_account, taobao_sim, mapped
):
    # given the report waits in the outbox (the immediate try failed)
    tid, _order = _ship(taobao_account, taobao_sim, mapped, platform_down=True)
    taobao_sim.throttle_next = 0
    report = LogisticsReport.objects.get()
    due = report.next_attempt_at + dt.timedelta(seconds=1)

    # when a worker claims it, the platform accepts the call, and the worker dies before recording
    def die(_report):
        raise KeyboardInterrupt("worker killed")

    with pytest.raises(KeyboardInterrupt):
        logistics.deliver(now=due, after_send=die)
    assert LogisticsReport.objects.get().status == "sending"
    # a second worker finds the lease still held: nothing to do
    assert logistics.claim(now=due) == []
    # after the lease expires another worker takes it over, reads the trade back and sees it shipped
    counts = logistics.deliver(now=due + dt.timedelta(minutes=10))
    # then the platform was told once
    assert counts["sent"] == 1
    assert taobao_sim.logistics == [{"tid": tid, "out_sid": "SF123", "company": "SF"}]
    report.refresh_from_db()
    assert report.status == "sent" and report.uncertain


def test_two_workers_never_claim_the_same_report(taobao_account, taobao_sim, mapped):
    _ship(taobao_account, taobao_sim, mapped, platform_down=True)
    due = LogisticsReport.objects.get().next_attempt_at + dt.timedelta(seconds=1)
    first, second = logistics.claim(now=due), logistics.claim(now=due)
    assert len(first) == 1 and second == []


def test_a_refund_after_shipping_opens_an_after_sales_case(taobao_account, taobao_sim, mapped):
    from zhongshu.aftersales.models import Case
    from zhongshu.channels.models import ChannelOrder

    # given a trade shipped in Zhongshu (and reported to Taobao)
    tid, order = _ship(taobao_account, taobao_sim, mapped)
    # when the buyer is refunded on the platform afterwards (a later second than the consignment,
    # which the simulator stamped) and the next sync sees it
    import time

    while time.time() < taobao_sim.orders[tid]["modified"] + 2:
        time.sleep(0.2)
    taobao_sim.set_status(tid, "TRADE_CLOSED")
    sync_account(taobao_account.pk)
    # then the order stays shipped and a case from the sales channel is open on it
    order.refresh_from_db()
    assert order.status == "shipped"
    assert ChannelOrder.objects.get(external_id=tid).state == "aftersales"
    case = Case.objects.get(order=order)
    assert case.source == "channel"
