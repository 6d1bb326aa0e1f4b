"""Concurrent pulls and pushes of the same external order make one channel order and one internal
order. Needs concurrent writers, so it runs on PostgreSQL (SQLite serialises the whole database)."""

import pytest
from django.db import transaction

from tests.support.threads import failures, needs_concurrent_writers, race
from zhongshu.channels import platforms as p
from zhongshu.channels.models import ChannelOrder
from zhongshu.channels.services import Ingest
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_order_arriving_four_times_at_once_is_stored_once(taobao_account, taobao_sim,
                                                                   mapped):  # fmt: skip
    needs_concurrent_writers()
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 2, "9.90")])
    ext = p.normalize_taobao(taobao_sim.snapshot(tid))

    def arrive(source):
        def apply():
            with transaction.atomic():
                Ingest(taobao_account, source=source).apply(ext)

        return apply

    assert failures(race(*(arrive(s) for s in ("pull", "push", "pull", "push")), timeout=60)) == []
    assert ChannelOrder.objects.filter(external_id=tid).count() == 1
    assert Order.objects.filter(channel="taobao", external_no=tid).count() == 1
