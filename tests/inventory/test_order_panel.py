"""The stock-and-shipments panel of the order page: each line with the stock of its material and
what is held for it, the shipments with carrier and tracking number, each half only for the roles
allowed to see it, and a statement count that does not grow with the lines."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MaterialFactory, make_order, make_user, put_stock
from zhongshu.inventory.panels import order_panel
from zhongshu.inventory.services import shipment_create

pytestmark = pytest.mark.django_db


def _order(actor, customer, keeper, n_lines, status="confirmed", prefix="PNL"):
    lines = []
    for i in range(n_lines):
        material = MaterialFactory(code=f"{prefix}-{i:02d}", unit="件")
        put_stock(material, 20, actor=keeper)
        lines.append({"material": material.code, "quantity": "4"})
    return make_order(actor=actor, customer=customer, lines=lines, status=status)


def _cell(html, line_no, name):
    row = re.search(rf'<tr data-line="{line_no}">(.*?)</tr>', html, re.S)
    assert row, html
    cell = re.search(rf"<td[^>]*data-{name}>([^<]*)</td>", row.group(1))
    assert cell, row.group(1)
    return cell.group(1)


def test_lines_show_held_on_hand_reserved_and_available(
    client_as, warehouse, keeper, sales_east, customer_east
):
    order = _order(sales_east, customer_east, keeper, 2)
    planner = make_user("planner")

    html = client_as(planner).get(f"/orders/{order.pk}/").content.decode()

    assert 'id="stock-panel"' in html
    assert "库存与发货" in html
    assert _cell(html, 1, "held") == "4 件"
    assert _cell(html, 1, "on-hand") == "20 件"
    assert _cell(html, 1, "reserved") == "4 件"
    assert _cell(html, 1, "available") == "16 件"


def test_shipments_show_carrier_and_tracking_number(
    client_as, warehouse, keeper, sales_east, customer_east
):
    order = _order(sales_east, customer_east, keeper, 2)
    shipment_create(
        actor=keeper,
        order_id=order.pk,
        lines=[{"line_no": 1, "quantity": "3"}],
        carrier="顺丰速运",
        tracking_no="SF1234567890",
    )

    html = client_as(sales_east).get(f"/orders/{order.pk}/").content.decode()

    row = re.search(rf'<tr data-shipment="{order.number}-S01">(.*?)</tr>', html, re.S)
    assert row, html
    assert "顺丰速运" in row.group(1)
    assert "SF1234567890" in row.group(1)
    assert "分钟前" in row.group(1) or "刚刚" in row.group(1)
    assert _cell(html, 1, "held") == "1 件"


def test_each_half_shows_only_to_roles_allowed_to_see_it(
    rf, warehouse, keeper, sales_east, customer_east
):
    order = _order(sales_east, customer_east, keeper, 1)

    def panel_for(user):
        request = rf.get("/")
        request.user = user
        return order_panel(request, order)

    qc_html = panel_for(make_user("qc"))
    assert "data-line=" not in qc_html  # QC sees shipments, not stock
    assert "发货" in qc_html or "Shipments" in qc_html
    assert panel_for(make_user("operator")) is None


def test_detail_page_statements_do_not_grow_with_the_lines(
    client_as, warehouse, keeper, sales_east, customer_east
):
    planner = make_user("planner")
    client = client_as(planner)
    one = _order(sales_east, customer_east, keeper, 1)
    many = _order(sales_east, customer_east, keeper, 8, prefix="PNM")
    client.get(f"/orders/{one.pk}/")  # warm caches

    counts = []
    for order in (one, many):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/orders/{order.pk}/")
        assert response.status_code == 200
        assert 'id="stock-panel"' in response.content.decode()
        counts.append(len(ctx.captured_queries))

    assert counts[1] <= counts[0], counts
