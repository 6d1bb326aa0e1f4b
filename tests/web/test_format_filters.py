"""The formatting filters: quantities with their unit and no trailing zeros, moments in the
factory's time zone to the minute, relative times in Chinese."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from zhongshu.web.templatetags.zs_format import ago, local_time, qty

NOW = dt.datetime(2026, 12, 7, 6, 0, 30, 123456, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("12.000"), "件", "12 件"),
        (Decimal("2.500"), "kg", "2.5 kg"),
        (Decimal("1200"), "件", "1,200 件"),
        (Decimal("0.000"), "件", "0 件"),
        (Decimal("-3.250"), "", "-3.25"),
        ("x", "件", ""),
    ],
)
def test_quantity_with_its_unit(value, unit, expected):
    assert qty(value, unit) == expected


def test_local_time_is_in_the_factory_zone_without_seconds(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert local_time(NOW) == "2026-12-07 14:00"
    assert local_time(None) == ""


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (dt.timedelta(seconds=-20), "刚刚"),
        (dt.timedelta(minutes=-3), "3 分钟前"),
        (dt.timedelta(hours=-5, minutes=-2), "5 小时前"),
        (dt.timedelta(days=2, minutes=1), "2 天后"),
        (dt.timedelta(days=-65), "2 个月前"),
        (dt.timedelta(days=800), "2 年后"),
    ],
)
def test_relative_times_in_chinese(delta, expected):
    with translation.override("zh-hans"):
        assert ago(NOW + delta, NOW) == expected


def test_relative_time_of_nothing_is_empty():
    assert ago(None) == ""


@pytest.mark.django_db
def test_order_timeline_shows_local_minutes_and_relative_times(
    client_as, sales_east, customer_east, shaft
):
    import re

    from tests.factories import make_order

    order = make_order(
        actor=sales_east, customer=customer_east, lines=[{"material": shaft.code, "quantity": "2"}]
    )
    detail = client_as(sales_east).get(f"/orders/{order.pk}/").content.decode()
    when = re.search(r'<div class="when"><time datetime="[^"]+">([^<]+)</time>', detail)
    assert when and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", when.group(1)), detail
    assert '<small class="ago">刚刚</small>' in detail
