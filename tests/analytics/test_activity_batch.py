"""Bulk paths count orders with one increment of n per user and action, inside ``hooks.batch()``;
outside a batch every order is still counted right after its commit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from zhongshu.analytics.activity import record_many
from zhongshu.analytics.models import DailyActivity
from zhongshu.orders import hooks
from zhongshu.orders.services import order_transition


def _counts(user) -> dict[str, int]:
    return dict(DailyActivity.objects.filter(user=user).values_list("kind", "count"))


def _world():
    region = RegionFactory(name="华东")
    sales = make_user("sales", regions=("华东",))
    customer = CustomerFactory(region=region)
    material = MaterialFactory(fulfilment="make")
    lines = [{"material": material.code, "quantity": "1", "unit_price": "5"}]
    return sales, customer, lines


@pytest.mark.django_db
def test_record_many_adds_every_counter_in_one_statement():
    a, b = make_user("sales"), make_user("planner")
    day = dt.date(2026, 3, 2)
    record_many({(a, "order.created"): 2}, day=day)
    with CaptureQueriesContext(connection) as ctx:
        record_many({(a, "order.created"): 3, (a.pk, "order.submit"): 1, (b, "x"): 4}, day=day)
    assert len(ctx.captured_queries) == 1
    assert _counts(a) == {"order.created": 5, "order.submit": 1}
    assert _counts(b) == {"x": 4}
    record_many({(None, "x"): 1, (a, ""): 1, (a, "y"): 0}, day=day)
    assert DailyActivity.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_orders_created_in_a_batch_are_counted_with_one_increment():
    sales, customer, lines = _world()
    heard = []

    # given a plain (not batchable) listener next to the counters
    def plain(ctx):
        heard.append((ctx.order.pk, _counts(sales).get("order.created", 0)))

    hooks._after_commit["created"].append(plain)
    try:
        # when three orders are created, each in its own transaction, inside one batch
        with hooks.batch():
            orders = [make_order(actor=sales, customer=customer, lines=lines) for _ in range(3)]
            # then the plain listener ran at each commit, the counters not yet
            assert [pk for pk, _n in heard] == [o.pk for o in orders]
            assert _counts(sales) == {}
        # and at the end of the batch the counter got 3 at once
        assert _counts(sales) == {"order.created": 3}
        assert [n for _pk, n in heard] == [0, 0, 0]
    finally:
        hooks._after_commit["created"].remove(plain)


@pytest.mark.django_db(transaction=True)
def test_outside_a_batch_each_order_is_counted_at_its_commit():
    sales, customer, lines = _world()
    first = make_order(actor=sales, customer=customer, lines=lines)
    assert _counts(sales) == {"order.created": 1}
    order_transition(actor=sales, order_id=first.pk, action="submit", note="")
    assert _counts(sales) == {"order.created": 1, "order.submit": 1}


@pytest.mark.django_db(transaction=True)
def test_a_batch_listener_failing_for_one_order_is_retried_one_by_one(caplog):
    sales, customer, lines = _world()
    seen = []

    # given a batchable listener that fails whenever one particular order is in its list
    @hooks.on_commit_many("created")
    def picky(ctxs):
        seen.append([c.order.external_no for c in ctxs])
        if any(c.order.external_no == "BAD" for c in ctxs):
            raise RuntimeError("broken")

    try:
        with hooks.batch():
            for no in ("A", "BAD", "C"):
                make_order(actor=sales, customer=customer, lines=lines, external_no=no)
    finally:
        hooks._after_commit["created"].remove(picky)
    # then the list was tried once, then each order alone; the counters were not disturbed
    assert seen == [["A", "BAD", "C"], ["A"], ["BAD"], ["C"]]
    assert _counts(sales) == {"order.created": 3}
    assert "retrying one by one" in caplog.text
