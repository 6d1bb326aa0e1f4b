"""Signed pushes whose numbers a platform would never send (NaN, sNaN, Infinity, 1E+999999999,
0.0001 of a piece) or 5,000 nested brackets are refused in the JSON error shape — never a 500, never
an order line of 0.000; a pulled page with such an order skips it and goes on."""

import json

import pytest
from django.test import Client

from zhongshu.channels import platforms as p
from zhongshu.channels.models import ChannelException, ChannelOrder
from zhongshu.channels.sync import sync_account
from zhongshu.core.validation import parse_decimal

pytestmark = pytest.mark.django_db

HOSTILE = ["NaN", "sNaN", "Infinity", "-Infinity", "1E+999999999", "0.0001", "-1", "0"]


def _push(body: bytes):
    sign = p.douyin_event_sign("dy-k", body, "dy-s")
    return Client().post(
        "/api/v1/channels/push/douyin",
        data=body,
        content_type="application/json",
        headers={"event-sign": sign, "app-id": "dy-k"},
    )


@pytest.mark.parametrize("field", ["item_num", "sum_amount"])
@pytest.mark.parametrize("value", HOSTILE)
def test_a_push_with_an_impossible_number_is_refused(
    douyin_account, douyin_sim, mapped, field, value
):
    did = douyin_sim.add_order(lines=[("501", "OUT-1", "法兰1", 2, "19.90")])
    data = douyin_sim.snapshot(did)
    if field == "sum_amount" and value in ("0", "-1"):
        pytest.skip("a free line is a real thing")
    data["sku_order_list"][0][field] = value
    body = json.dumps([{"tag": "101", "data": json.dumps(data)}]).encode()
    r = _push(body)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "validation_error"
    assert not ChannelOrder.objects.filter(external_id=did).exists()


def test_five_thousand_nested_brackets_are_refused_in_the_json_shape(douyin_account):
    body = b"[" * 5000 + b"]" * 5000
    r = _push(body)
    assert r.status_code in (400, 422), r.content
    assert "code" in r.json()


@pytest.mark.parametrize("value", HOSTILE[:6])
def test_the_one_decimal_parser_refuses_them(value):
    with pytest.raises(ValueError):
        parse_decimal(value, places=3, strictly_positive=True)


def test_a_pulled_order_with_an_impossible_number_is_skipped_not_fatal():
    good = {"order_id": "1", "update_time": 1700000000, "order_status": 2,
            "sku_order_list": [{"item_num": 1, "sum_amount": 100}]}  # fmt: skip
    bad = {**good, "order_id": "2", "sku_order_list": [{"item_num": "NaN", "sum_amount": 1}]}
    assert p.normalize_douyin(good) is not None
    assert p.normalize_douyin(bad) is None


@pytest.mark.parametrize("value", ["NaN", "0.0001", "1E+999999999"])
def test_a_pulled_order_with_an_impossible_number_waits_as_an_exception_until_readable(
    taobao_account, taobao_sim, mapped, value
):
    # given a page with one good trade and one whose quantity no platform would send
    good = taobao_sim.add_order(lines=[("500", "OUT-0", "法兰0", 1, "9.90")])
    bad = taobao_sim.add_order(lines=[("501", "OUT-1", "法兰1", 2, "19.90")])
    taobao_sim.orders[bad]["lines"][0]["raw_num"] = value
    # when it is pulled, twice (a replayed window)
    assert sync_account(taobao_account.pk).ok
    assert sync_account(taobao_account.pk, trigger="manual").ok
    # then the good one is ordered and the bad one waits as one open exception naming the order
    assert ChannelOrder.objects.get(external_id=good).state == "ordered"
    co = ChannelOrder.objects.get(external_id=bad)
    assert co.state == "error" and co.order_id is None
    exc = ChannelException.objects.get(channel_order=co)
    assert exc.reason == "invalid" and exc.resolved_at is None and exc.title == bad
    assert exc.detail
    # when the platform sends a readable version, it is converted and the exception resolved
    del taobao_sim.orders[bad]["lines"][0]["raw_num"]
    taobao_sim.change_order(bad, quantities={0: 2})
    assert sync_account(taobao_account.pk, trigger="manual").ok
    co.refresh_from_db()
    assert co.state == "ordered" and co.order.lines.get().quantity == 2
    assert not ChannelException.objects.filter(channel_order=co, resolved_at__isnull=True).exists()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "0.0001", "1E+999999999", "-2", "abc"])
def test_an_agent_sheet_with_an_impossible_quantity_names_the_row(east, chan_admin, mapped, value):
    from zhongshu.channels import services
    from zhongshu.channels.models import SkuMapping
    from zhongshu.core.errors import ValidationFailed
    from zhongshu.orders.models import Order

    account, _key = services.account_create(actor=chan_admin, kind="agent", name="代理乙",
                                              default_region="华东")  # fmt: skip
    SkuMapping.objects.create(channel="agent", channel_sku="A-1", material=mapped[0])
    sheet = f"外部单号,商品编码,数量,单价,买家\nWX-002,A-1,{value},10,张三\n"
    with pytest.raises(ValidationFailed) as refused:
        services.agent_upload(account=account, filename="a.csv", content=sheet.encode())
    assert [e["field"] for e in refused.value.errors] == ["row 2: quantity"]
    assert not Order.objects.filter(external_no="WX-002").exists()
