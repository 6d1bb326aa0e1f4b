"""Buyer addresses route orders to sales regions; an address in no region waits in the exception
queue (never an order in a region nobody chose, never dropped) until someone picks the region."""

import pytest

from tests.factories import RegionFactory, make_user
from zhongshu.channels import services
from zhongshu.channels.addresses import place
from zhongshu.channels.models import AddressRegion, ChannelException, ChannelOrder
from zhongshu.channels.sync import sync_account
from zhongshu.core.errors import ValidationFailed
from zhongshu.customers.models import Customer
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db

LINE = [("500", "OUT-0", "法兰0", 1, "9.90")]


@pytest.fixture
def regions(east):
    return {"华东": east, "华南": RegionFactory(name="华南"), "华北": RegionFactory(name="华北")}


@pytest.fixture
def rules(regions, chan_admin):
    services.address_rule_save(actor=chan_admin, data={"province": "浙江省", "region": "华东"})
    services.address_rule_save(actor=chan_admin, data={"province": "广东", "city": "深圳市",
                                                       "region": "华南"})  # fmt: skip


def test_place_names_compare_as_the_platforms_write_them():
    assert place("浙江省") == place("浙江") == "浙江"
    assert place("上海市") == place(" 上海 ") == "上海"
    assert place("广西壮族自治区") == "广西"
    assert place("香港特别行政区") == "香港"
    assert place("沙市") == "沙市"  # a two-character name keeps its 市


def test_without_rules_every_order_goes_to_the_shop_region(taobao_account, taobao_sim, mapped):
    tid = taobao_sim.add_order(lines=LINE, address=("山东省", "青岛市"))
    sync_account(taobao_account.pk)
    order = Order.objects.get(external_no=tid)
    assert order.customer.region.name == "华东"


def test_orders_are_routed_by_address_and_an_unknown_one_waits(
    taobao_account, taobao_sim, douyin_account, douyin_sim, mapped, rules, regions
):
    # given address rules for 浙江 and for 深圳, and orders from there and from 青岛
    hz = taobao_sim.add_order(lines=LINE, address=("浙江省", "杭州市"))
    sz = douyin_sim.add_order(lines=LINE, address=("广东省", "深圳市"))
    qd = taobao_sim.add_order(lines=LINE, address=("山东省", "青岛市"))
    # when they are pulled
    sync_account(taobao_account.pk)
    sync_account(douyin_account.pk)
    # then the routed ones become orders of customers in their address's region
    assert Order.objects.get(external_no=hz, channel="taobao").customer.region.name == "华东"
    assert Order.objects.get(external_no=sz, channel="douyin").customer.region.name == "华南"
    # and the one from 青岛 waits in the exception queue, saying why, with no order anywhere
    co = ChannelOrder.objects.get(external_id=qd, account=taobao_account)
    assert co.state == "exception" and co.order_id is None
    exc = ChannelException.objects.get(channel_order=co)
    assert (exc.reason, exc.province, exc.city, exc.title) == (
        "address",
        "山东",
        "青岛",
        "山东省 青岛市",
    )
    assert not Order.objects.filter(external_no=qd, channel="taobao").exists()
    assert not Customer.objects.filter(code__startswith="TB-").exclude(
        region__name="华东").exists()  # fmt: skip


def test_choosing_a_region_routes_the_province_and_retries_every_waiting_order(
    taobao_account, taobao_sim, mapped, rules, regions
):
    # given two orders from 山东 (two cities) waiting for a region
    a = taobao_sim.add_order(lines=LINE, address=("山东省", "青岛市"))
    b = taobao_sim.add_order(lines=LINE, address=("山东", "济南市"))
    sync_account(taobao_account.pk)
    exc = ChannelException.objects.filter(reason="address").order_by("id").first()
    planner = make_user("planner", username="route_planner")
    # when a planner routes 山东 to 华北 from the first exception
    result = services.route_and_retry(actor=planner, exception_id=exc.pk, region="华北")
    # then the rule covers the province and both orders were created in 华北
    assert (result["retried"], result["ordered"]) == (2, 2)
    rule = AddressRegion.objects.get(pk=result["rule_id"])
    assert (rule.province, rule.city, rule.region.name) == ("山东", "", "华北")
    for tid in (a, b):
        assert Order.objects.get(external_no=tid).customer.region.name == "华北"
    assert not ChannelException.objects.filter(resolved_at__isnull=True).exists()


def test_a_city_only_route_leaves_the_rest_of_the_province_waiting(
    taobao_account, taobao_sim, mapped, rules, regions
):
    a = taobao_sim.add_order(lines=LINE, address=("山东省", "青岛市"))
    b = taobao_sim.add_order(lines=LINE, address=("山东省", "济南市"))
    sync_account(taobao_account.pk)
    exc = ChannelException.objects.get(channel_order__external_id=a)
    result = services.route_and_retry(actor=make_user("admin", username="route_admin"),
                                      exception_id=exc.pk, region="华北", city_only=True)  # fmt: skip
    assert result["ordered"] == 1
    assert Order.objects.filter(external_no=a).exists()
    assert ChannelOrder.objects.get(external_id=b).state == "exception"


def test_an_unmapped_sku_and_an_unknown_address_are_both_listed_and_both_needed(
    douyin_account, douyin_sim, mapped, rules, regions
):
    # given an order with an unmapped SKU from a province without a rule
    did = douyin_sim.add_order(
        lines=[("999", "OUT-9", "新品", 1, "5.00")], address=("北京", "北京市")
    )
    sync_account(douyin_account.pk)
    excs = {e.reason: e for e in ChannelException.objects.filter(channel_order__external_id=did)}
    assert set(excs) == {"sku", "address"}
    sales = make_user("sales", regions=("华东",), username="route_sales")
    # the fixes are not interchangeable, and a sales user routes only to a region they hold
    with pytest.raises(ValidationFailed):
        services.map_and_retry(actor=sales, exception_id=excs["address"].pk, material="CH-0")
    with pytest.raises(ValidationFailed):
        services.route_and_retry(actor=sales, exception_id=excs["sku"].pk, region="华东")
    with pytest.raises(ValidationFailed):
        services.route_and_retry(actor=sales, exception_id=excs["address"].pk, region="华北")
    # when the SKU is mapped the order still waits for its region
    services.map_and_retry(actor=sales, exception_id=excs["sku"].pk, material="CH-0")
    co = ChannelOrder.objects.get(external_id=did)
    assert co.state == "exception" and co.order_id is None
    address = ChannelException.objects.get(channel_order=co, resolved_at__isnull=True)
    assert address.reason == "address"
    # and once routed it becomes an order
    result = services.route_and_retry(actor=sales, exception_id=address.pk, region="华东")
    assert result["ordered"] == 1
    assert Order.objects.get(external_no=did).customer.region.name == "华东"


def test_the_overview_page_offers_the_region_choice(taobao_account, taobao_sim, mapped, rules,
                                                     chan_admin, client):  # fmt: skip
    taobao_sim.add_order(lines=LINE, address=("山东省", "青岛市"))
    sync_account(taobao_account.pk)
    exc = ChannelException.objects.get()
    client.force_login(chan_admin)
    html = client.get("/channels/").content.decode()
    assert f"/channels/exceptions/{exc.pk}/route/" in html and "山东省 青岛市" in html
    r = client.post(f"/channels/exceptions/{exc.pk}/route/", {"region": "华东"})
    assert r.status_code == 302
    assert ChannelOrder.objects.get().state == "ordered"
