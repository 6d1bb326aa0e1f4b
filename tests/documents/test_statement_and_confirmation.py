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


@pytest.fixture
def quiet_roles(db):
    """Two roles a factory might define: 销售内勤 (sales without prices) and 仓库外包 (warehouse
    without the customers' contact details)."""
    from zhongshu.accounts import role_services

    admin = make_user("admin")
    role_services.role_create(actor=admin, code="sales_quiet", copy_from="sales",
                              data={"name": "销售内勤", "fields": {"price": "hidden"}})  # fmt: skip
    role_services.role_create(actor=admin, code="store_outsourced", copy_from="warehouse",
                              data={"name": "仓库外包", "fields": {"contact": "hidden"}})  # fmt: skip
    return admin


def _holder(admin, role, regions=("华东",)):
    from zhongshu.accounts.services import user_update

    user = make_user("sales", regions=regions)
    user_update(
        actor=admin, user_id=user.pk, display_name=role, roles=[role], regions=list(regions)
    )
    client = Client()
    client.force_login(user)
    return client


def test_a_reader_whose_roles_hide_prices_cannot_print_the_confirmation(deliveries, quiet_roles):
    order, _shipments = deliveries
    client = _holder(quiet_roles, "sales_quiet")
    url = f"/documents/orders/{order.pk}/confirmation/"

    # the print page and the PDF are refused by name, and the order page offers neither
    for answer in (client.get(url), client.get(url + "?format=pdf")):
        assert answer.status_code == 403
        assert "价格" in answer.content.decode()
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "documents/orders/" not in page


def test_a_delivery_note_leaves_off_the_contact_the_readers_roles_hide(deliveries, quiet_roles):
    _order, shipments = deliveries
    url = f"/documents/shipments/{shipments[0].pk}/"
    keeper = Client()
    keeper.force_login(make_user("warehouse"))
    outsourced = _holder(quiet_roles, "store_outsourced", regions=())

    # the shipped warehouse role prints the contact and the address; the one that hides them not
    full = keeper.get(url).content.decode()
    assert "李工" in full and "东吴北路88号" in full
    answer = outsourced.get(url)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert shipments[0].number in html and "苏州精工机械" in html
    assert "李工" not in html and "东吴北路88号" not in html
    (text,) = pdf_pages(outsourced.get(url + "?format=pdf").content)
    assert "李工" not in text and "东吴北路" not in text
