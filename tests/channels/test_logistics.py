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


# --- partial shipments: every package once ------------------------------------------------------


def _die(_report):
    raise KeyboardInterrupt("worker killed")


def _two_line_order(account, sim, mapped, lines=((0, 2), (1, 3))):
    make_warehouse()
    for i, _qty in lines:
        put_stock(mapped[i], 10)
    oid = sim.add_order(lines=[(f"50{i}", f"OUT-{i}", f"法兰{i}", q, "9.90") for i, q in lines])
    sync_account(account.pk)
    order = Order.objects.get(external_no=oid)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    return oid, order


def _package(order, tracking, *line_qty):
    return shipment_create(
        actor=make_user("warehouse"), order_id=order.pk, carrier="SF", tracking_no=tracking,
        lines=[{"line_no": no, "quantity": q} for no, q in line_qty],
    )  # fmt: skip


def test_each_taobao_package_is_consigned_once_with_its_own_tracking_number(
    taobao_account, taobao_sim, mapped
):
    # given a paid trade of two lines turned into a confirmed order
    tid, order = _two_line_order(taobao_account, taobao_sim, mapped)
    oid1, oid2 = taobao_sim.sub_ids(tid)
    # when the first line leaves in one package and, later, the second in another
    _package(order, "SF-1", (1, 2))
    assert taobao_sim.orders[tid]["status"] == "SELLER_CONSIGNED_PART"
    _package(order, "SF-2", (2, 3))
    # then Taobao heard of each package once, as a split consignment of its own sub-order
    assert taobao_sim.logistics == [
        {"tid": tid, "out_sid": "SF-1", "company": "SF", "sub_tid": [oid1]},
        {"tid": tid, "out_sid": "SF-2", "company": "SF", "sub_tid": [oid2]},
    ]
    assert taobao_sim.orders[tid]["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    # and after a restart (the hooks and the worker run again) nothing is sent twice
    for number in order.shipments.values_list("number", flat=True):
        logistics.enqueue(order_id=order.pk, shipment_number=number)
    logistics.enqueue(order_id=order.pk)
    assert logistics.deliver(now=timezone.now() + dt.timedelta(hours=1))["sent"] == 0
    assert taobao_sim.logistics_calls == 2
    reports = LogisticsReport.objects.order_by("id")
    assert [(r.tracking_no, r.status, r.sub_orders) for r in reports] == [
        ("SF-1", "sent", [[oid1, 2]]),
        ("SF-2", "sent", [[oid2, 3]]),
    ]


def test_douyin_packages_carry_quantities_and_a_request_id_per_package(
    douyin_account, douyin_sim, mapped
):
    # given a Douyin order of 3 × 500 and 1 × 501
    did, order = _two_line_order(douyin_account, douyin_sim, mapped, lines=((0, 3), (1, 1)))
    sub1, sub2 = douyin_sim.sub_ids(did)
    # when one of the three leaves first, then the rest with the other line
    _package(order, "YT-1", (1, 1))
    assert douyin_sim.orders[did]["status"] == 101  # partly shipped
    _package(order, "YT-2", (1, 2), (2, 1))
    # then each package was added once with its own quantities
    assert douyin_sim.logistics == [
        {"tid": did, "out_sid": "YT-1", "company": "shunfeng", "packs": [(sub1, 1)]},
        {"tid": did, "out_sid": "YT-2", "company": "shunfeng", "packs": [(sub1, 2), (sub2, 1)]},
    ]
    assert douyin_sim.orders[did]["status"] == 3
    rids = set(douyin_sim.requests_seen)
    assert len(rids) == 2
    order.refresh_from_db()
    assert order.status == "shipped"


def test_a_worker_killed_after_douyin_accepted_a_package_resends_it_as_a_no_op(
    douyin_account, douyin_sim, mapped
):
    # given the first package of a split delivery waits in the outbox (the platform was down)
    did, order = _two_line_order(douyin_account, douyin_sim, mapped, lines=((0, 3), (1, 1)))
    douyin_sim.throttle_next = 10**6
    _package(order, "YT-1", (1, 1))
    douyin_sim.throttle_next = 0
    due = LogisticsReport.objects.get().next_attempt_at + dt.timedelta(seconds=1)

    # when a worker sends it, the platform accepts, and the worker dies before recording it
    with pytest.raises(KeyboardInterrupt):
        logistics.deliver(now=due, after_send=_die)
    # and another worker takes the row over after the lease
    counts = logistics.deliver(now=due + dt.timedelta(minutes=10))
    # then the repeat carried the same request id and the platform shipped the package once
    assert counts["sent"] == 1
    assert douyin_sim.logistics_calls == 2
    assert [x["out_sid"] for x in douyin_sim.logistics] == ["YT-1"]
    assert douyin_sim.orders[did]["shipped"] == {douyin_sim.sub_ids(did)[0]: 1}


def test_a_taobao_package_already_consigned_is_read_back_not_resent(
    taobao_account, taobao_sim, mapped
):
    # given the first package of a split delivery accepted by Taobao by a worker that then died
    _tid, order = _two_line_order(taobao_account, taobao_sim, mapped)
    taobao_sim.throttle_next = 10**6
    _package(order, "SF-1", (1, 2))
    taobao_sim.throttle_next = 0
    due = LogisticsReport.objects.get().next_attempt_at + dt.timedelta(seconds=1)
    with pytest.raises(KeyboardInterrupt):
        logistics.deliver(now=due, after_send=_die)
    # when the row is taken over after its lease
    counts = logistics.deliver(now=due + dt.timedelta(minutes=10))
    # then the trade was read back, the sub-order found consigned, and nothing sent again
    assert counts["sent"] == 1
    assert taobao_sim.logistics_calls == 1
    report = LogisticsReport.objects.get()
    assert report.status == "sent" and report.response == "already shipped on the platform"
    # and the second package still goes out normally
    _package(order, "SF-2", (2, 3))
    assert [x["out_sid"] for x in taobao_sim.logistics] == ["SF-1", "SF-2"]
