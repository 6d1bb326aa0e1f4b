"""Routing rules: a converted channel order gets the owner, queue and tags of the first matching
rule (real HTTP to the simulators); the order list and API filter by channel, queue and tag at
the same number of queries; the home page counts each queue in one query; paid orders that pass
every check are confirmed automatically only where the account says so."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_user, make_warehouse, put_stock
from zhongshu.accounts.services import token_create_for
from zhongshu.channels import services
from zhongshu.channels.models import ChannelOrder, RoutingRule
from zhongshu.channels.sync import sync_account
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.rules.models import OrderTag
from zhongshu.rules.selectors import queue_counts

pytestmark = pytest.mark.django_db


def ago(seconds):
    return dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=seconds)


def _auth(user):
    token, _ = token_create_for(actor=user, user_id=user.pk, name="routing", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _tags(order, kind):
    return sorted(OrderTag.objects.filter(order=order, kind=kind).values_list("tag", flat=True))


@pytest.fixture
def big_owner(east):
    return make_user("sales", regions=("华东",), username="big-owner")


@pytest.fixture
def rules(chan_admin, big_owner):
    big = services.routing_rule_save(actor=chan_admin, data={
        "name": "大单", "priority": 10, "min_amount": "100", "owner": big_owner.pk,
        "queue": "大单", "tags": ["加急", "大额"],
    })  # fmt: skip
    taobao = services.routing_rule_save(actor=chan_admin, data={
        "name": "淘宝", "priority": 20, "channel": "taobao", "queue": "淘宝零售",
    })  # fmt: skip
    sku = services.routing_rule_save(actor=chan_admin, data={
        "name": "法兰3", "priority": 30, "sku": "503", "queue": "法兰", "tags": "定制",
    })  # fmt: skip
    return big, taobao, sku


def test_the_first_matching_rule_routes_each_converted_order(
    taobao_account, taobao_sim, douyin_account, douyin_sim, mapped, rules, big_owner
):
    small = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 5, "9.90")], modified=ago(60))
    large = taobao_sim.add_order(lines=[("501", "OUT-1", "法兰1", 20, "9.90")], modified=ago(60))
    dy_sku = douyin_sim.add_order(
        lines=[("503", "OUT-3", "法兰3", 1, "9.90")], modified=ago(60), order_id="DY-1"
    )
    dy_none = douyin_sim.add_order(
        lines=[("502", "OUT-2", "法兰2", 1, "9.90")], modified=ago(60), order_id="DY-2"
    )
    sync_account(taobao_account.pk)
    sync_account(douyin_account.pk)
    orders = {tid: Order.objects.get(external_no=tid, channel="taobao") for tid in (small, large)}
    orders |= {
        tid: Order.objects.get(external_no=tid, channel="douyin") for tid in (dy_sku, dy_none)
    }
    bot = services.channel_bot()

    assert _tags(orders[large], "queue") == ["大单"]  # priority 10 wins over the taobao rule
    assert _tags(orders[large], "tag") == sorted(["加急", "大额"])
    assert orders[large].sales_owner_id == big_owner.pk
    event = OrderEvent.objects.get(order=orders[large], action="assign_owner")
    assert event.data == {"from_owner": bot.pk, "owner": big_owner.pk}
    assert _tags(orders[small], "queue") == ["淘宝零售"]
    assert orders[small].sales_owner_id == bot.pk
    assert _tags(orders[dy_sku], "queue") == ["法兰"] and _tags(orders[dy_sku], "tag") == ["定制"]
    assert _tags(orders[dy_none], "queue") == [] and _tags(orders[dy_none], "tag") == []
    assert "route:大单" in ChannelOrder.objects.get(external_id=large, account=taobao_account).tags
    assert {o.status for o in orders.values()} == {"pending_review"}  # auto-confirm is off


def test_list_and_api_filter_by_channel_queue_and_tag_at_the_same_cost(
    client, taobao_account, taobao_sim, douyin_account, douyin_sim, mapped, rules
):
    small = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 5, "9.90")], modified=ago(60))
    large = taobao_sim.add_order(lines=[("501", "OUT-1", "法兰1", 20, "9.90")], modified=ago(60))
    dy = douyin_sim.add_order(
        lines=[("503", "OUT-3", "法兰3", 1, "9.90")], modified=ago(60), order_id="DY-9001"
    )
    sync_account(taobao_account.pk)
    sync_account(douyin_account.pk)
    manager = make_user("manager")
    auth = _auth(manager)

    def numbers(query):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/orders?{query}", **auth)
        assert response.status_code == 200, response.content
        return sorted(i["external_no"] for i in response.json()["items"]), len(ctx)

    client.get("/api/v1/orders", **auth)  # the token's first use is stamped once
    everything, base = numbers("")
    assert everything == sorted([small, large, dy])
    assert numbers("queue=大单") == ([large], base)
    assert numbers("tag=加急") == ([large], base)
    assert numbers("channel=douyin") == ([dy], base)
    assert numbers("channel=taobao&queue=淘宝零售") == ([small], base)
    assert numbers("queue=无此队列") == ([], base)
    assert client.get("/api/v1/orders?channel=ebay", **auth).status_code == 422

    client.force_login(manager)
    page = client.get("/orders/", {"view": "0", "queue": "大单"})
    assert page.status_code == 200
    html = page.content.decode()
    large_no = Order.objects.get(external_no=large, channel="taobao").number
    small_no = Order.objects.get(external_no=small, channel="taobao").number
    assert large_no in html and small_no not in html


def test_queue_counts_come_from_one_grouped_query_and_link_to_saved_views(
    client, taobao_account, taobao_sim, mapped, rules
):
    for qty in (5, 6, 20):
        taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", qty, "9.90")], modified=ago(60))
    sync_account(taobao_account.pk)
    manager = make_user("manager")
    manager.groups.count()  # roles read before counting

    with CaptureQueriesContext(connection) as ctx:
        counts = queue_counts(actor=manager)
    assert counts == sorted([{"n": 1, "queue": "大单"}, {"n": 2, "queue": "淘宝零售"}],
                            key=lambda r: r["queue"])  # fmt: skip
    assert len(ctx) <= 2  # the roles of the user (once per request) and the grouped count

    client.force_login(manager)
    home = client.get("/dashboard/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "淘宝零售" in html and "queue=%E6%B7%98%E5%AE%9D%E9%9B%B6%E5%94%AE" in html

    saved = client.post(
        "/orders/views/queues/", {"queue": ["淘宝零售", "大单"], "next": "/dashboard/"}
    )
    assert saved.status_code == 302 and saved["Location"] == "/dashboard/"
    html = client.get("/dashboard/").content.decode()
    assert "view=" in html and "view=0&amp;queue" not in html
    again = client.post("/orders/views/queues/", {"queue": ["淘宝零售"], "next": "https://evil/"})
    assert again["Location"] == "/orders/"  # nothing new, and no redirect off the site


def test_auto_confirm_confirms_paid_orders_that_pass_every_check(
    chan_admin, taobao_account, taobao_sim, mapped
):
    make_warehouse()
    put_stock(mapped[0], 5)
    services.account_update(actor=chan_admin, account_id=taobao_account.pk,
                            data={"auto_confirm": True})  # fmt: skip
    fits = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 5, "9.90")], modified=ago(60))
    short = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")], modified=ago(50))
    sync_account(taobao_account.pk)

    assert Order.objects.get(external_no=fits).status == "confirmed"
    assert Order.objects.get(external_no=short).status == "pending_review"
    error = ChannelOrder.objects.get(external_id=short).error
    assert error.startswith("未自动确认") and "库存" in error


def test_auto_confirm_is_off_by_default(taobao_account, taobao_sim, mapped):
    make_warehouse()
    put_stock(mapped[0], 50)
    assert taobao_account.auto_confirm is False
    tid = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 5, "9.90")], modified=ago(60))
    sync_account(taobao_account.pk)
    assert Order.objects.get(external_no=tid).status == "pending_review"


def test_routing_rules_api_create_change_list_delete(client, chan_admin, big_owner, east):
    auth = _auth(chan_admin)
    body = {"name": "华东大客户", "priority": 5, "customer_tier": "key", "region": "华东",
            "max_amount": "5000", "owner": big_owner.pk, "queue": "大客户", "tags": ["VIP"]}  # fmt: skip
    created = client.post("/api/v1/channels/routing-rules", json.dumps(body),
                          content_type="application/json", **auth)  # fmt: skip
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert created.json() | {"id": 0} == {
        "id": 0, "name": "华东大客户", "priority": 5, "enabled": True, "channel": "",
        "account": None, "customer_tier": "key", "min_amount": None, "max_amount": "5000.00",
        "region": "华东", "sku": "", "owner": big_owner.pk, "queue": "大客户", "tags": ["VIP"],
    }  # fmt: skip
    changed = client.put(f"/api/v1/channels/routing-rules/{rule_id}",
                         json.dumps(body | {"enabled": False}), content_type="application/json",
                         **auth)  # fmt: skip
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    listed = client.get("/api/v1/channels/routing-rules", **auth).json()
    assert [r["id"] for r in listed] == [rule_id]
    assert RoutingRule.history.filter(id=rule_id).count() == 2  # audited: created, changed
    deleted = client.delete(f"/api/v1/channels/routing-rules/{rule_id}", **auth)
    assert deleted.status_code == 204 and not RoutingRule.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "x", "queue": "q", "colour": "red"}, None),  # unknown field
        ({"name": "x", "queue": "q", "customer_tier": "gold"}, "customer_tier"),
        ({"name": "x", "queue": "q", "min_amount": "9", "max_amount": "1"}, "max_amount"),
        ({"name": "x", "queue": "q", "region": "火星"}, "region"),
        ({"name": "x", "queue": "q", "channel": "ebay"}, "channel"),
        ({"name": "x"}, "queue"),  # sets nothing
        ({"name": "", "queue": "q"}, "name"),
    ],
)
def test_bad_routing_rules_are_refused_with_the_field(client, chan_admin, body, field):
    response = client.post("/api/v1/channels/routing-rules", json.dumps(body),
                           content_type="application/json", **_auth(chan_admin))  # fmt: skip
    assert response.status_code == 422, response.content
    if field:
        assert [e["field"] for e in response.json()["details"]["errors"]] == [field]
    assert not RoutingRule.objects.exists()


def test_an_owner_who_cannot_own_orders_is_refused(client, chan_admin):
    clerk = make_user("warehouse")
    response = client.post("/api/v1/channels/routing-rules",
                           json.dumps({"name": "x", "owner": clerk.pk}),
                           content_type="application/json", **_auth(chan_admin))  # fmt: skip
    assert response.status_code == 422
    assert (
        response.json()["details"]["errors"][0]["message"] == "该用户不能担任这个订单的销售负责人。"
    )


def test_the_routing_page_lists_and_saves_rules(client, chan_admin, big_owner):
    client.force_login(chan_admin)
    page = client.get("/channels/routing/")
    assert page.status_code == 200 and "路由规则" in page.content.decode()
    saved = client.post("/channels/routing/", {"name": "抖店", "priority": "3", "channel": "douyin",
                                               "queue": "抖店", "tags": "直播, 新客",
                                               "enabled": "on"})  # fmt: skip
    assert saved.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.channel, rule.queue, rule.tags, rule.priority) == (
        "douyin",
        "抖店",
        ["直播", "新客"],
        3,
    )
    refused = client.post("/channels/routing/", {"name": "坏", "min_amount": "abc", "queue": "q"})
    assert refused.status_code == 302 and RoutingRule.objects.count() == 1
