"""Every printable document is reachable from its own page with a print and a PDF link: the order
page (confirmation, task sheets, delivery notes), the shipment list, the statement and the
purchase-order list. The links answer 200 for a role that may print them, 403/404 for others."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import MaterialFactory, give_routing, make_order, make_user
from zhongshu.catalog.models import Material
from zhongshu.planning import purchasing
from zhongshu.planning.models import MrpRun, PurchaseSuggestion, Supplier, SupplierPrice
from zhongshu.production.models import TaskSheet, WorkCenter

from .support import make_deliveries

HREF = re.compile(r'href="(/documents/[^"]+)" data-(print|pdf)="([a-z_]+)"')


@pytest.fixture
def world(db):
    order, shipments = make_deliveries()
    line = WorkCenter.objects.create(code="PL", name="冲压线")
    part = Material.objects.get(code="BRK-1")
    part.fulfilment = "make"
    part.save()
    give_routing(part, (line, "1", "0.1", None))
    made = make_order(actor=make_user("admin"), customer=order.customer, status="confirmed",
                      lines=[{"material": "BRK-1", "quantity": "5", "unit_price": "12"}])  # fmt: skip
    return order, shipments, made


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _links(html: str) -> list[tuple[str, str, str]]:
    return [(url.replace("&amp;", "&"), kind, doc) for url, kind, doc in HREF.findall(html)]


def test_the_order_page_links_every_document_of_the_order(world):
    order, shipments, made = world
    manager = _client(make_user("manager"))
    links = _links(manager.get(f"/orders/{order.pk}/").content.decode())
    assert {(kind, doc) for _u, kind, doc in links} == {
        ("print", "confirmation"), ("pdf", "confirmation"), ("print", "delivery"), ("pdf", "delivery"),
    }  # fmt: skip
    assert len([1 for _u, _k, doc in links if doc == "delivery"]) == 2 * len(shipments)
    for url, _kind, _doc in links:
        assert manager.get(url).status_code == 200, url
    # the made-to-order one has its task sheet
    sheet = TaskSheet.objects.get(order=made)
    links = _links(manager.get(f"/orders/{made.pk}/").content.decode())
    sheet_links = [u for u, _k, doc in links if doc == "task_sheet"]
    assert sheet_links == [f"/documents/task-sheets/{sheet.pk}/",
                           f"/documents/task-sheets/{sheet.pk}/?format=pdf"]  # fmt: skip
    for url in sheet_links:
        response = manager.get(url)
        assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"


def test_roles_that_may_not_print_see_no_link_and_are_refused(world):
    order, shipments, made = world
    sheet = TaskSheet.objects.get(order=made)
    # sales sees the order but may not print task sheets: no link, and 403 on the document
    sales = _client(make_user("sales", regions=("华东",)))
    page = sales.get(f"/orders/{made.pk}/").content.decode()
    assert 'data-print="confirmation"' in page and "task_sheet" not in page
    assert sales.get(f"/documents/task-sheets/{sheet.pk}/").status_code == 403
    # an operator sees no order and prints nothing of it
    operator = _client(make_user("operator"))
    for url in (f"/orders/{order.pk}/", f"/documents/orders/{order.pk}/confirmation/",
                f"/documents/shipments/{shipments[0].pk}/", f"/documents/task-sheets/{sheet.pk}/"):  # fmt: skip
        assert operator.get(url).status_code in (403, 404), url


def test_shipment_list_statement_and_purchase_orders_link_their_documents(world):
    _order, shipments, _made = world
    warehouse = _client(make_user("warehouse"))
    links = _links(warehouse.get("/inventory/shipments/").content.decode())
    assert {u for u, _k, _d in links} == {
        *(f"/documents/shipments/{s.pk}/" for s in shipments),
        *(f"/documents/shipments/{s.pk}/?format=pdf" for s in shipments),
    }
    assert warehouse.get(links[0][0]).status_code == 200

    finance = _client(make_user("finance"))
    start = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    page = finance.get(
        f"/finance/statement/?customer=C-SZ&start={start}&end={timezone.localdate().isoformat()}"
    ).content.decode()
    links = _links(page)
    assert [(k, d) for _u, k, d in links] == [("print", "statement"), ("pdf", "statement")]
    for url, _k, _d in links:
        assert finance.get(url).status_code == 200, url
    assert _client(make_user("warehouse")).get(links[0][0]).status_code == 403

    # the purchase-order list
    buyer = make_user("purchasing")
    supplier = Supplier.objects.create(code="S-1", name="华东钢材")
    run = MrpRun.objects.create()
    mat = MaterialFactory(code="BOLT", name="六角螺栓", kind="raw")
    SupplierPrice.objects.create(supplier=supplier, material=mat, price=D("1.25"),
                                 valid_from=timezone.localdate())  # fmt: skip
    PurchaseSuggestion.objects.create(
        run=run, material=mat, quantity=D(10), net_requirement=D(10), reason="demand",
        order_by=timezone.localdate(), need_date=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    (number,) = purchasing.suggestions_accept_grouped(actor=buyer)
    client = _client(buyer)
    links = _links(client.get("/planning/purchase-orders/").content.decode())
    assert [u for u, _k, _d in links] == [f"/documents/purchase-orders/{number}/",
                                         f"/documents/purchase-orders/{number}/?format=pdf"]  # fmt: skip
    for url, _k, _d in links:
        assert client.get(url).status_code == 200, url
    assert _client(make_user("qc")).get(links[0][0]).status_code in (403, 404)
