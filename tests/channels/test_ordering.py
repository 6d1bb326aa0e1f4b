"""Versions of an external order are applied in order: by modified time, and within one second by
the status's place in the platform's lifecycle. Replays and late arrivals change nothing."""

import datetime as dt
import itertools
import random

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.channels.conftest import signed_form as _signed_form
from tests.factories import RegionFactory
from zhongshu.channels import platforms as p
from zhongshu.channels.models import ChannelAccount, ChannelOrder
from zhongshu.channels.services import Ingest
from zhongshu.channels.sync import sync_account
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, 10, 0, 0, tzinfo=dt.UTC)


def test_a_refund_in_the_same_second_as_the_payment_cancels_the_order(
    taobao_account, taobao_sim, mapped
):
    # given a trade paid at 10:00:00 and pulled into an internal order
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=30)
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 2, "9.90")], modified=now)
    sync_account(taobao_account.pk)
    order = Order.objects.get(external_no=tid)
    # when the buyer gets a refund stamped with the same second, and the next pull sees it
    taobao_sim.set_status(tid, "TRADE_CLOSED", modified=now)
    ChannelAccount.objects.filter(pk=taobao_account.pk).update(synced_to=None)
    run = sync_account(taobao_account.pk)
    # then the close is applied (not taken for a replay) and the internal order is cancelled
    co = ChannelOrder.objects.get(external_id=tid)
    assert run.updated == 1
    assert co.status == "TRADE_CLOSED" and co.state == "cancelled"
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_an_earlier_status_of_the_same_second_arriving_late_is_ignored(
    taobao_account, taobao_sim, mapped
):
    # given a trade closed at the same second it was paid, both versions stored
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=30)
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 2, "9.90")], modified=now)
    paid = taobao_sim.snapshot(tid)
    taobao_sim.set_status(tid, "TRADE_CLOSED", modified=now)
    sync_account(taobao_account.pk)
    co = ChannelOrder.objects.get(external_id=tid)
    assert co.status == "TRADE_CLOSED"
    # when the "paid" version of that second is pushed afterwards
    form = _signed_form(taobao_sim, tid, status=paid["status"], modified=paid["modified"])
    assert Client().post("/api/v1/channels/push/taobao", data=form).status_code == 200
    # then nothing changes: no internal order, no new event
    co.refresh_from_db()
    assert co.status == "TRADE_CLOSED" and co.state == "closed" and co.order_id is None
    assert co.events.count() == 1


def test_a_true_replay_changes_nothing(douyin_account, douyin_sim, mapped):
    # given a Douyin order pulled once
    did = douyin_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")])
    sync_account(douyin_account.pk)
    co = ChannelOrder.objects.get(external_id=did)
    before = (co.status, co.modified_at, co.state, co.events.count(), co.updated_at)
    # when the very same version arrives twice more
    ingest = Ingest(douyin_account, source="push")
    for _ in range(2):
        ingest.apply(p.normalize_douyin(douyin_sim.snapshot(did)))
    # then both are counted as ignored and the stored order is untouched
    assert ingest.counts["ignored"] == 2 and ingest.counts["updated"] == 0
    co.refresh_from_db()
    assert (co.status, co.modified_at, co.state, co.events.count(), co.updated_at) == before
    assert Order.objects.filter(external_no=did).count() == 1


# --- the property: any arrival order ends at the newest version --------------------------------

TAOBAO = list(p.STATUS_RANK["taobao"])
DOUYIN = list(p.STATUS_RANK["douyin"])
_ids = itertools.count(1)


def _taobao(ext_id: str, second: int, status: str) -> p.ExternalOrder:
    return p.normalize_taobao({
        "tid": ext_id, "status": status, "buyer_nick": "张伟",
        "modified": p.top_time(T0 + dt.timedelta(seconds=second)),
        "orders": {"order": [{"oid": 1, "sku_id": "unmapped", "num": 1, "price": "5.00"}]},
    })  # fmt: skip


def _douyin(ext_id: str, second: int, status: str) -> p.ExternalOrder:
    return p.normalize_douyin({
        "order_id": ext_id, "order_status": int(status), "post_receiver": "王芳",
        "update_time": int((T0 + dt.timedelta(seconds=second)).timestamp()),
        "sku_order_list": [{"sku_id": "unmapped", "item_num": 1, "sum_amount": 500}],
    })  # fmt: skip


@pytest.fixture
def shops(db):
    region = RegionFactory(name="华南")
    return {
        kind: ChannelAccount.objects.create(kind=kind, name=f"{kind}-shop", default_region=region)
        for kind in ("taobao", "douyin")
    }


versions = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, len(TAOBAO) - 1)), min_size=1, max_size=8
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=versions, kind=st.sampled_from(["taobao", "douyin"]), seed=st.integers(0, 2**16))
@example(stream=[(0, 7), (0, 8)], kind="taobao", seed=0)  # two closed statuses in one second
def test_shuffled_update_streams_end_at_the_newest_version(shops, stream, kind, seed):
    # given versions of one order (modified second, status) — repeats included — in any order
    statuses = TAOBAO if kind == "taobao" else DOUYIN
    make = _taobao if kind == "taobao" else _douyin
    ext_id = f"P{next(_ids)}"
    arrivals = [(second, statuses[i % len(statuses)]) for second, i in stream]
    random.Random(seed).shuffle(arrivals)
    # when they arrive one by one, each in its own transaction
    applied = 0
    newest = stored = None
    for second, status in arrivals:
        key = (second, p.status_rank(kind, status))
        ingest = Ingest(shops[kind], source="push")
        ingest.apply(make(ext_id, second, status))
        # newer: a later (modified, status rank); the same key with other content (two statuses
        # of one rank within one second) cannot be ordered, so it is applied and flagged
        is_newer = newest is None or key > newest or (key == newest and status != stored[1])
        assert ingest.counts["ignored"] == (0 if is_newer else 1)
        if is_newer:
            newest, stored, applied = key, (second, status), applied + 1
    # then the stored version is the last applied one, whose (modified, status rank) is the
    # greatest, and exactly the versions that were newer than what was stored were applied
    co = ChannelOrder.objects.get(account=shops[kind], external_id=ext_id)
    best = max(arrivals, key=lambda a: (a[0], p.status_rank(kind, a[1])))
    assert (best[0], p.status_rank(kind, best[1])) == newest
    assert (co.modified_at, co.status) == (T0 + dt.timedelta(seconds=stored[0]), stored[1])
    assert co.events.count() == applied
