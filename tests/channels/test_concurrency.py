"""Concurrent pulls and pushes of the same external order make one channel order and one internal
order. Needs concurrent writers, so it runs on PostgreSQL (SQLite serialises the whole database)."""

import threading

import pytest
from django.db import connection, transaction

from zhongshu.channels import platforms as p
from zhongshu.channels.models import ChannelOrder
from zhongshu.channels.services import Ingest
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_order_arriving_four_times_at_once_is_stored_once(taobao_account, taobao_sim,
                                                                   mapped):  # fmt: skip
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 2, "9.90")])
    ext = p.normalize_taobao(taobao_sim.snapshot(tid))
    start, errors = threading.Barrier(4), []

    def arrive(source):
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                Ingest(taobao_account, source=source).apply(ext)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=(s,)) for s in ("pull", "push", "pull", "push")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert ChannelOrder.objects.filter(external_id=tid).count() == 1
    assert Order.objects.filter(channel="taobao", external_no=tid).count() == 1
