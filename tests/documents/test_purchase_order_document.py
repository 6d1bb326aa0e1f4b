"""The printed purchase order (采购订单): the print page and the PDF carry the company head, the
supplier, every line and the totals; the PDF embeds the Chinese font (text extracted back)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import MaterialFactory, make_user
from zhongshu.planning import purchasing, purchasing_selectors
from zhongshu.planning.models import MrpRun, PurchaseSuggestion, Supplier, SupplierPrice

from .support import pdf_pages, squeeze

TODAY = timezone.localdate()


@pytest.fixture
def po(db):
    buyer = make_user("purchasing")
    supplier = Supplier.objects.create(
        code="S-EAST", name="华东钢材有限公司", contact="王经理", phone="0512-66668888",
        payment_terms="月结30天",
    )  # fmt: skip
    run = MrpRun.objects.create()
    for code, name, qty, price in (("BOLT", "六角螺栓", "100", "1.25"),
                                   ("NUT", "法兰螺母", "240", "0.4")):  # fmt: skip
        mat = MaterialFactory(code=code, name=name, kind="raw")
        SupplierPrice.objects.create(supplier=supplier, material=mat, price=D(price),
                                     valid_from=TODAY, tax_rate=D("0.13"))  # fmt: skip
        PurchaseSuggestion.objects.create(
            run=run, material=mat, quantity=D(qty), net_requirement=D(qty), reason="demand",
            order_by=TODAY, need_date=TODAY + dt.timedelta(days=10),
        )  # fmt: skip
    (number,) = purchasing.suggestions_accept_grouped(actor=buyer)
    return buyer, purchasing_selectors.purchase_document(actor=buyer, number=number)


EXPECTED = ("华东钢材有限公司", "王经理", "月结30天", "BOLT", "六角螺栓", "100", "1.25", "125.00",
            "NUT", "法兰螺母", "240", "0.4", "96.00", "221.00", "28.73", "249.73")  # fmt: skip


@override_settings(COMPANY_NAME="苏州中枢精密机械有限公司", COMPANY_ADDRESS="苏州工业园区星湖街1号")
def test_pdf_has_supplier_lines_and_totals(po):
    buyer, doc = po
    assert (doc.net, doc.tax, doc.total) == (D("221.00"), D("28.73"), D("249.73"))
    client = Client()
    client.force_login(buyer)
    r = client.get(f"/documents/purchase-orders/{doc.number}/?format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    (text,) = pdf_pages(r.content)
    for expected in (doc.number, "采购订单", "苏州中枢精密机械有限公司", "苏州工业园区星湖街1号",
                     *EXPECTED):  # fmt: skip
        assert squeeze(expected) in text, expected
    # the font is embedded (a subset), not referenced
    assert b"/FontFile" in r.content


def test_print_page_has_the_same(po):
    buyer, doc = po
    client = Client()
    client.force_login(buyer)
    for paper in ("a4", "241"):
        html = client.get(f"/documents/purchase-orders/{doc.number}/?paper={paper}").content
        html = html.decode()
        for expected in (doc.number, *EXPECTED):
            assert expected in html, expected
        assert f"documents/paper-{paper}.css" in html


def test_who_may_print_a_purchase_order(po):
    _buyer, doc = po
    for role, status in (("warehouse", 200), ("sales", 403), ("operator", 403)):
        client = Client()
        client.force_login(make_user(role))
        assert client.get(f"/documents/purchase-orders/{doc.number}/").status_code == status
    client = Client()
    assert client.get(f"/documents/purchase-orders/{doc.number}/").status_code == 302  # login
    client.force_login(_buyer)
    assert client.get("/documents/purchase-orders/PO-NONE/").status_code == 404
