"""A page of paid channel orders becomes internal orders together: the same orders, lines,
timeline, audit trail and refusals as ``order_create`` + ``order_transition`` one by one, in a
number of statements that does not grow with the page, and all or nothing when the sync dies."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.channels.conftest import SKUS
from tests.factories import make_warehouse, put_stock
from tests.support.threads import failures, needs_concurrent_writers, race
from zhongshu.channels import platforms as p
from zhongshu.channels.models import ChannelAccount, ChannelOrder, ChannelOrderEvent
from zhongshu.channels.services import Ingest, channel_bot
from zhongshu.channels.sync import sync_account
from zhongshu.customers.models import Customer
from zhongshu.orders import bulk
from zhongshu.orders.models import Order, OrderEvent, OrderLine, OrderNumberSequence
from zhongshu.orders.services import order_create, order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(mapped):
    wh = make_warehouse()
    for m in mapped:
        put_stock(m, 10_000, warehouse=wh)
    return mapped


def _trail(order):
    order = Order.objects.get(pk=order.pk)
    return {
        "order": [
            getattr(order, f)
            for f in (
                "customer_id",
                "sales_owner_id",
                "created_by_id",
                "channel",
                "external_no",
                "status",
                "due_date",
                "payment_terms",
                "tax_rate",
                "discount_rate",
                "subtotal",
                "tax_amount",
                "total_amount",
                "note",
                "version",
            )
        ],
        "submitted": order.submitted_at is not None,
        "lines": list(
            order.lines.order_by("line_no").values_list(
                "line_no", "material_id", "quantity", "unit_price", "amount", "fulfilment", "note"
            )
        ),
        "events": list(
            OrderEvent.objects.filter(order=order)
            .order_by("id")
            .values_list("action", "actor_id", "from_status", "to_status", "note", "data")
        ),
        "history": [
            (h.history_type, h.history_user_id, h.status, h.version, h.subtotal, h.total_amount)
            for h in order.history.order_by("history_date", "history_id")
        ],
        "line_history": sorted(
            OrderLine.history.filter(order_id=order.pk).values_list(
                "history_type", "history_user_id", "line_no", "quantity", "unit_price", "amount"
            )
        ),
    }


@pytest.mark.default_rules  # the shipped stock rule is checked at submission, as in production
def test_a_synced_order_is_what_order_create_and_submit_make(taobao_account, taobao_sim, stocked):
    # given a paid trade of two lines
    tid = taobao_sim.add_order(
        lines=[("500", "OUT-0", "法兰0", 2, "19.90"), ("501", "OUT-1", "法兰1", 1, "5.55")]
    )
    # when the sync converts it
    assert sync_account(taobao_account.pk).ok
    co = ChannelOrder.objects.get(external_id=tid)
    assert (co.state, co.error) == ("ordered", "")
    assert co.tags == ["channel:taobao", f"tier:{co.customer.tier}"]
    # then the internal order is exactly what order_create + order_transition write for it
    bot = channel_bot()
    reference = order_create(
        actor=bot,
        customer=co.customer.code,
        due_date=timezone.localdate() + dt.timedelta(days=taobao_account.lead_days),
        lines=[
            {"material": stocked[0].code, "quantity": "2", "unit_price": "19.90"},
            {"material": stocked[1].code, "quantity": "1", "unit_price": "5.55"},
        ],
        channel="taobao",
        external_no=tid,
        payment_terms="prepaid",
        note=co.order.note,
    )
    order_transition(actor=bot, order_id=reference.pk, action="submit", system=True)
    assert _trail(co.order) == _trail(reference)
    assert co.order.status == "pending_review"
    assert ChannelOrderEvent.objects.filter(channel_order=co).count() == 1


@pytest.mark.default_rules
def test_without_stock_the_orders_wait_as_drafts_and_say_why(taobao_account, taobao_sim, mapped):
    taobao_sim.generate(5, skus=SKUS[:2], lines_per=2)
    assert sync_account(taobao_account.pk).ok
    assert Order.objects.filter(status="draft").count() == 5
    errors = set(ChannelOrder.objects.values_list("state", "error"))
    for state, error in errors:
        assert state == "ordered" and error.startswith("已建为草稿；提交被阻止：可用库存不足")


def test_an_order_that_cannot_be_created_is_an_error_and_makes_no_customer(
    taobao_account, taobao_sim, mapped
):
    # given a trade of a new buyer whose material was switched off
    mapped[0].is_active = False
    mapped[0].save()
    taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")], buyer="没见过的买家")
    customers = Customer.objects.count()
    # when it is synced
    assert sync_account(taobao_account.pk).ok
    # then the channel order says why, and no order, number or customer was made for it
    co = ChannelOrder.objects.get()
    assert co.state == "error" and "lines[0].material" in co.error and co.order_id is None
    assert Order.objects.count() == 0 and Customer.objects.count() == customers
    assert not OrderNumberSequence.objects.filter(last_value__gt=0).exists()


def _page(sim, n, *, buyer="老客户"):
    ids = [sim.add_order(lines=[(s, o, t, 2, "9.90") for s, o, t in SKUS[:3]], buyer=buyer)
           for _ in range(n)]  # fmt: skip
    return [p.normalize_taobao(sim.snapshot(i)) for i in ids]


def test_a_page_takes_the_same_statements_for_8_orders_as_for_60(
    taobao_account, taobao_sim, stocked
):
    # given a buyer already known (customers are created once per buyer, not per page)
    with transaction.atomic():
        Ingest(taobao_account, source="pull").apply_all(_page(taobao_sim, 1))

    def queries(orders):
        with CaptureQueriesContext(connection) as ctx, transaction.atomic():
            counts = Ingest(taobao_account, source="pull").apply_all(orders)
        assert counts["ordered"] == len(orders)
        return len(ctx.captured_queries)

    # when a page of 8 and a page of 60 new paid orders are applied
    small, large = queries(_page(taobao_sim, 8)), queries(_page(taobao_sim, 60))
    # then both take the same number of statements
    assert small == large < 45
    assert Order.objects.filter(status="pending_review").count() == 69


def test_a_sync_killed_in_the_middle_of_a_page_leaves_no_gap_and_no_duplicate(
    douyin_account, douyin_sim, stocked, monkeypatch
):
    # given 250 paid orders (3 pages) and a worker that dies while converting the second page
    douyin_sim.generate(250, skus=SKUS, end=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
                        start=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3))  # fmt: skip
    real, calls = bulk.orders_transition_many, []

    def dies_on_page_2(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        return real(**kwargs)

    monkeypatch.setattr(bulk, "orders_transition_many", dies_on_page_2)
    with pytest.raises(KeyboardInterrupt):
        sync_account(douyin_account.pk)
    # then the first page is in whole and nothing of the second
    assert ChannelOrder.objects.count() == Order.objects.count() == 100
    assert OrderNumberSequence.objects.get().last_value == 100
    # when the worker restarts
    monkeypatch.setattr(bulk, "orders_transition_many", real)
    assert sync_account(douyin_account.pk).ok
    # then every order is in once, submitted, with gapless numbers
    assert ChannelOrder.objects.count() == 250
    assert Order.objects.filter(status="pending_review").count() == 250
    ext = list(Order.objects.values_list("external_no", flat=True))
    assert len(set(ext)) == 250
    numbers = sorted(int(n[-6:]) for n in Order.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 251))
    ChannelAccount.objects.filter(pk=douyin_account.pk).update(synced_to=None)
    assert sync_account(douyin_account.pk).created == 0
    assert Order.objects.count() == 250


@pytest.mark.django_db(transaction=True)
def test_the_same_page_applied_four_times_at_once_stores_each_order_once(
    taobao_account, taobao_sim, stocked
):
    needs_concurrent_writers()
    page = _page(taobao_sim, 30)

    def arrive(source):
        def apply():
            with transaction.atomic():
                Ingest(taobao_account, source=source).apply_all(page)

        return apply

    assert failures(race(*(arrive(s) for s in ("pull", "push", "pull", "push")))) == []
    assert ChannelOrder.objects.count() == 30
    assert Order.objects.count() == 30
    assert Order.objects.values("external_no").distinct().count() == 30
