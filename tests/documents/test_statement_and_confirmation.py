"""对账单 and the order confirmation print what finance and the order say, for whom may see them."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_user
from zhongshu.documents import sources

from .support import make_deliveries, pdf_pages


@pytest.fixture
def deliveries(db):
    return make_deliveries()


def test_statement_print_page_and_pdf(deliveries):
    _order, shipments = deliveries
    today = timezone.localdate()
    start = (today - dt.timedelta(days=30)).isoformat()
    client = Client()
    client.force_login(make_user("finance"))
    url = f"/documents/statement/?customer=C-SZ&start={start}&end={today.isoformat()}"
    html = client.get(url).content.decode()
    doc = sources.statement(actor=make_user("admin"), customer="C-SZ", start=start, end=today)
    closing = f"¥{doc.closing_balance:,.2f}"
    assert doc.shipped_total > 0
    for text in ("对账单", "苏州精工机械", shipments[0].number, shipments[1].number, closing):
        assert text in html, text
    (text,) = pdf_pages(client.get(url + "&format=pdf").content)
    for expected in ("对账单", "苏州精工机械", shipments[0].number, closing):
        assert expected in text, expected
    # a bad period is a clear error, not a 500
    assert client.get("/documents/statement/?customer=C-SZ&start=x&end=y").status_code == 422


def test_order_confirmation(deliveries):
    order, _shipments = deliveries
    url = f"/documents/orders/{order.pk}/confirmation/"
    east = Client()
    east.force_login(make_user("sales", regions=("华东",)))
    html = east.get(url).content.decode()
    for text in (
        "订单确认书",
        order.number,
        "苏州精工机械",
        "不锈钢支架",
        f"¥{order.total_amount:,.2f}",
    ):
        assert text in html, text
    (text,) = pdf_pages(east.get(url + "?format=pdf").content)
    assert "订单确认书" in text and order.number in text
    north = Client()
    north.force_login(make_user("sales", regions=("华北",)))
    assert north.get(url).status_code == 404
