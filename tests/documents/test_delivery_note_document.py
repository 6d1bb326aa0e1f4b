"""送货单: one per shipment with its lines and quantities, carrier, tracking number and signature
lines; printing every delivery of an order gives one page per delivery (PDF text extracted)."""

import pytest
from django.test import Client

from tests.factories import (
    make_user,
)

from .support import make_deliveries, pdf_pages, squeeze


@pytest.fixture
def deliveries(db):
    return make_deliveries()


def test_one_pdf_page_per_delivery_with_its_lines(deliveries):
    order, shipments = deliveries
    client = Client()
    client.force_login(make_user("warehouse"))
    r = client.get(f"/documents/orders/{order.pk}/delivery-notes/?format=pdf&paper=241")
    assert r.status_code == 200
    pages = pdf_pages(r.content)
    assert len(pages) == 2
    for page, shipment, qty, carrier, tracking in zip(
        pages,
        shipments,
        ("12", "18"),
        ("顺丰速运", "德邦物流"),
        ("SF1234567890", "DB987654"),
        strict=True,
    ):
        for text in ("送货单", shipment.number, order.number, "苏州精工机械", "不锈钢支架", "BRK-1",
                     qty, carrier, tracking, "签收"):  # fmt: skip
            assert squeeze(text) in page, text


def test_single_delivery_print_page(deliveries):
    _order, shipments = deliveries
    client = Client()
    client.force_login(make_user("warehouse"))
    html = client.get(f"/documents/shipments/{shipments[1].pk}/").content.decode()
    assert html.count('<section class="page delivery">') == 1
    for text in (shipments[1].number, "德邦物流", "DB987654", "苏州市吴中区东吴北路88号", "18"):
        assert text in html
    assert shipments[0].number not in html
    # scope: a sales rep of another region does not see the shipment
    other = Client()
    other.force_login(make_user("sales", regions=("华北",)))
    assert other.get(f"/documents/shipments/{shipments[1].pk}/").status_code == 404
