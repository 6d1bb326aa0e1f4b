"""Pull sync, pushes and replays: every external order exactly once, updates only when newer."""

import datetime as dt

import pytest
from django.test import Client

from tests.channels.conftest import SKUS
from tests.channels.conftest import signed_form as _signed_form
from tests.factories import make_user, make_warehouse, put_stock
from zhongshu.channels.models import (
    ChannelAccount,
    ChannelException,
    ChannelOrder,
    SyncRun,
)
from zhongshu.channels.services import map_and_retry
from zhongshu.channels.sync import sync_account
from zhongshu.inventory.models import Reservation
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition

pytestmark = pytest.mark.django_db


def _orders_once(account):
    ext = list(Order.objects.filter(channel=account.kind).values_list("external_no", flat=True))
    assert len(ext) == len(set(ext)), "an external order became two internal orders"
    return len(ext)


def test_replayed_pages_overlapping_windows_and_pushes_create_each_order_once(
    taobao_account, taobao_sim, mapped
):
    # given 230 paid trades (3 pages) on Taobao
    ids = taobao_sim.generate(230, skus=SKUS)
    # when we sync, then rewind the cursor and sync the same pages again, and the platform also
    # pushes a few of the same trades
    first = sync_account(taobao_account.pk)
    assert first.ok and first.pages >= 3
    ChannelAccount.objects.filter(pk=taobao_account.pk).update(synced_to=None)
    again = sync_account(taobao_account.pk)
    for tid in ids[:5]:
        resp = Client().post("/api/v1/channels/push/taobao", data=_signed_form(taobao_sim, tid))
        assert resp.status_code == 200
    # then each trade exists once as a channel order and once as an internal order
    assert ChannelOrder.objects.filter(account=taobao_account).count() == 230
    assert _orders_once(taobao_account) == 230
    assert again.created == 0 and again.updated == 0 and again.ignored >= 230
    assert Order.objects.filter(channel="taobao", status="pending_review").count() == 230


def test_an_update_older_than_the_stored_one_is_ignored(taobao_account, taobao_sim, mapped):
    # given a trade pulled as paid, then closed on the platform and pulled again
    now = dt.datetime.now(dt.UTC)
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 2, "9.90")],
                               modified=now - dt.timedelta(seconds=30))  # fmt: skip
    old_paid = taobao_sim.snapshot(tid)
    sync_account(taobao_account.pk)
    taobao_sim.set_status(tid, "TRADE_CLOSED", modified=now - dt.timedelta(seconds=20))
    ChannelAccount.objects.filter(pk=taobao_account.pk).update(synced_to=None)
    sync_account(taobao_account.pk)
    co = ChannelOrder.objects.get(external_id=tid)
    assert co.status == "TRADE_CLOSED" and co.state == "cancelled"
    # when the older "paid" version arrives late by push
    form = _signed_form(taobao_sim, tid, **{k: old_paid[k] for k in ("status", "modified")})
    resp = Client().post("/api/v1/channels/push/taobao", data=form)
    # then it is accepted but changes nothing
    assert resp.status_code == 200
    co.refresh_from_db()
    assert co.status == "TRADE_CLOSED" and co.state == "cancelled"
    assert co.events.count() == 2
    assert Order.objects.get(pk=co.order_id).status == "cancelled"


def test_a_refund_after_pull_cancels_the_internal_order_and_releases_its_stock(
    taobao_account, taobao_sim, mapped
):
    # given stock, a paid trade pulled and the internal order confirmed (stock reserved)
    make_warehouse()
    put_stock(mapped[0], 10)
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 3, "9.90")])
    sync_account(taobao_account.pk)
    order = Order.objects.get(external_no=tid)
    order_transition(actor=make_user("planner"), order_id=order.pk, action="confirm")
    assert Reservation.objects.get(order=order).status == "active"
    # when the buyer is refunded (possibly within the second of the payment) and the next sync
    # sees it
    taobao_sim.set_status(tid, "TRADE_CLOSED")
    sync_account(taobao_account.pk)
    # then the internal order is cancelled and the reservation released
    order.refresh_from_db()
    assert order.status == "cancelled"
    res = Reservation.objects.get(order=order)
    assert res.status == "released" and res.released == 3
    assert order.reservations.filter(status="active").count() == 0


def test_bad_signatures_are_rejected_and_nothing_is_stored(
    taobao_account, douyin_account, taobao_sim, douyin_sim, mapped
):
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")])
    did = douyin_sim.add_order(lines=[("501", "OUT-1", "法兰1", 1, "9.90")])
    c = Client()
    # a tampered Taobao form, a form signed with the wrong secret, no signature, unknown app key
    form = _signed_form(taobao_sim, tid)
    form["content"] = form["content"].replace('"num": 1', '"num": 7')
    assert c.post("/api/v1/channels/push/taobao", data=form).status_code == 403
    wrong = _signed_form(taobao_sim, tid)
    wrong["app_key"] = "nobody"
    assert c.post("/api/v1/channels/push/taobao", data=wrong).status_code == 401
    bare = _signed_form(taobao_sim, tid)
    bare.pop("sign")
    r = c.post("/api/v1/channels/push/taobao", data=bare)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    # a Douyin body that does not match its event-sign
    import json

    body = json.dumps([{"tag": "101", "data": json.dumps(douyin_sim.snapshot(did))}])
    r = c.post("/api/v1/channels/push/douyin", data=body, content_type="application/json",
               headers={"event-sign": "0" * 32, "app-id": "dy-k"})  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "bad_signature"
    assert ChannelOrder.objects.count() == 0 and Order.objects.count() == 0
    # and the platforms' own simulators refuse a client with the wrong secret
    ChannelAccount.objects.filter(pk=taobao_account.pk).update(
        secret_enc=__import__("zhongshu.channels.crypto", fromlist=["x"]).encrypt("wrong")
    )
    run = sync_account(taobao_account.pk)
    assert not run.ok and "Invalid signature" in run.error
    assert ChannelOrder.objects.count() == 0


def test_douyin_push_signed_like_the_platform_is_stored_once(douyin_account, douyin_sim, mapped):
    import json

    from zhongshu.channels import platforms as p

    did = douyin_sim.add_order(lines=[("501", "OUT-1", "法兰1", 2, "19.90")])
    body = json.dumps([{"tag": "101", "data": json.dumps(douyin_sim.snapshot(did))}]).encode()
    sign = p.douyin_event_sign("dy-k", body, "dy-s")
    for _ in range(2):
        r = Client().post("/api/v1/channels/push/douyin", data=body,
                          content_type="application/json",
                          headers={"event-sign": sign, "app-id": "dy-k"})  # fmt: skip
        assert r.status_code == 200, r.content
    sync_account(douyin_account.pk)
    co = ChannelOrder.objects.get(external_id=did)
    assert co.state == "ordered" and co.source == "push"
    assert _orders_once(douyin_account) == 1
    line = co.order.lines.get()
    assert str(line.unit_price) == "19.90" and line.quantity == 2


def test_sync_killed_between_pages_resumes_without_gap_or_duplicate(
    douyin_account, douyin_sim, mapped
):
    # given 350 orders (4 pages), several sharing a second, and a run that dies after page 2
    douyin_sim.generate(350, skus=SKUS, end=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
                        start=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3))  # fmt: skip

    def die(n):
        if n == 2:
            raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        sync_account(douyin_account.pk, between_pages=die)
    partial = ChannelOrder.objects.count()
    assert 0 < partial < 350
    cursor = ChannelAccount.objects.get(pk=douyin_account.pk)
    assert cursor.window_start is not None  # the committed cursor is mid-window
    # when orders change on the platform meanwhile and the sync runs again
    first = sorted(douyin_sim.orders)[0]
    douyin_sim.set_status(first, 4)
    run = sync_account(douyin_account.pk)
    # then every order is in exactly once and the change was applied
    assert run.ok
    assert ChannelOrder.objects.count() == 350
    assert _orders_once(douyin_account) == 350
    assert ChannelOrder.objects.get(external_id=first).state == "cancelled"


def test_throttling_backs_off_and_the_sync_completes(taobao_account, taobao_sim, mapped):
    taobao_sim.generate(120, skus=SKUS)
    taobao_sim.throttle_next = 3
    run = sync_account(taobao_account.pk)
    assert run.ok and run.throttled == 3
    assert ChannelOrder.objects.count() == 120


def test_throttled_beyond_retries_parks_the_account_and_keeps_the_cursor(
    taobao_account, taobao_sim, mapped, settings
):
    settings.CHANNELS_THROTTLE_RETRIES = 1
    taobao_sim.generate(30, skus=SKUS)
    taobao_sim.throttle_next = 5
    run = sync_account(taobao_account.pk)
    account = ChannelAccount.objects.get(pk=taobao_account.pk)
    assert not run.ok and "code 7" not in run.error and account.backoff_until is not None
    assert account.synced_to is None and ChannelOrder.objects.count() == 0
    taobao_sim.throttle_next = 0
    assert sync_account(taobao_account.pk, trigger="manual").ok
    assert ChannelOrder.objects.count() == 30


def test_unmapped_lines_wait_in_the_exception_queue_until_mapped(
    taobao_account, taobao_sim, mapped, chan_admin
):
    # given a trade with a SKU nobody mapped
    tid = taobao_sim.add_order(lines=[("999", "NEW-9", "新品", 2, "50.00"),
                                      ("500", "OUT-0", "法兰0", 1, "9.90")])  # fmt: skip
    sync_account(taobao_account.pk)
    co = ChannelOrder.objects.get(external_id=tid)
    assert co.state == "exception" and co.order_id is None
    exc = ChannelException.objects.get(channel_order=co)
    assert exc.sku_id == "999" and exc.quantity == 2
    # when it is mapped (a box of 6) and retried in one step
    result = map_and_retry(actor=chan_admin, exception_id=exc.pk, material=mapped[1].code,
                           multiplier=6)  # fmt: skip
    # then the internal order exists with the converted quantity and price
    co.refresh_from_db()
    assert result["ordered"] == 1 and co.state == "ordered"
    line = co.order.lines.get(material=mapped[1])
    assert line.quantity == 12 and str(line.unit_price) == "8.33"
    assert not ChannelException.objects.filter(channel_order=co).exists()


def test_sync_runs_are_recorded(douyin_account, douyin_sim, mapped):
    douyin_sim.generate(5, skus=SKUS)
    sync_account(douyin_account.pk, trigger="manual")
    run = SyncRun.objects.get()
    assert run.ok and run.created == 5 and run.trigger == "manual"
