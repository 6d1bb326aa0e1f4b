"""List exports: the workbook holds exactly the rows the list shows the user (scope + filters),
in the user's language, with formulas neutralised, streamed, and every download logged."""

import datetime as dt
import tracemalloc
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.exports.helpers import column, read_sheet, response_bytes, sheet_xml
from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from zhongshu.accounts.models import ExportLog
from zhongshu.catalog.selectors import material_list
from zhongshu.core import xlsx
from zhongshu.customers.selectors import customer_list
from zhongshu.inventory.selectors import level_list, shipment_list
from zhongshu.inventory.services import shipment_create
from zhongshu.orders.models import Order
from zhongshu.orders.selectors import OrderFilters, order_list

pytestmark = pytest.mark.django_db

EVIL = "=cmd|' /C calc'!A0"


# --- orders ---------------------------------------------------------------------------------------


def test_a_sales_users_order_export_is_exactly_their_scoped_filtered_list(
    two_regions, sales_east, web_as
):
    # given east and north orders, one east order urgent
    urgent = two_regions["east"][0]
    Order.objects.filter(pk=urgent.pk).update(priority="urgent")

    # when the east sales user exports the order list, unfiltered and filtered by priority
    client = web_as(sales_east)
    everything = read_sheet(response_bytes(client.get("/orders/export.xlsx")))
    filtered = read_sheet(response_bytes(client.get("/orders/export.xlsx?priority=urgent")))

    # then each workbook lists the same orders, in the same order, as the selector does
    expected_all = list(order_list(actor=sales_east).values_list("number", flat=True))
    expected_urgent = list(
        order_list(actor=sales_east, filters=OrderFilters(priority="urgent")).values_list(
            "number", flat=True
        )
    )
    assert column(everything, "订单号") == expected_all
    assert len(expected_all) == 3
    assert column(filtered, "订单号") == expected_urgent == [urgent.number]
    north = {o.number for o in two_regions["north"]}
    assert not north & set(column(everything, "订单号"))


def test_the_api_order_export_takes_the_list_filters_and_the_token_users_scope(
    two_regions, sales_east, api_as
):
    # given a sales user (east) with a Bearer token and a customer filter
    code = two_regions["east"][1].customer.code

    # when they export through the API
    response = api_as(sales_east).get(f"/api/v1/orders/export.xlsx?customer={code}")

    # then the workbook holds that customer's orders, as the list endpoint would return them
    assert response.status_code == 200
    rows = read_sheet(response_bytes(response))
    listed = api_as(sales_east).get(f"/api/v1/orders?customer={code}").json()["items"]
    assert column(rows, "订单号") == [o["number"] for o in listed]
    # a north customer's code yields nothing for them
    north_code = two_regions["north"][0].customer.code
    rows = read_sheet(
        response_bytes(api_as(sales_east).get(f"/api/v1/orders/export.xlsx?customer={north_code}"))
    )
    assert rows[1:] == []


def test_order_cells_are_typed_and_labelled_in_the_users_language(two_regions, admin_user, web_as):
    # given an order of 3 × 12.50 (13% tax)
    order = two_regions["east"][0]

    # when an admin exports in English and in Chinese
    en = read_sheet(response_bytes(web_as(admin_user, "en").get("/orders/export.xlsx")))
    zh = read_sheet(response_bytes(web_as(admin_user).get("/orders/export.xlsx")))

    # then the headers and the status labels follow the language, numbers and dates stay typed
    row = dict(zip(en[0], next(r for r in en[1:] if r[0] == order.number), strict=True))
    assert row["Status"] == "Draft"
    assert row["Total"] == pytest.approx(float(order.total_amount))
    assert row["Due date"] == order.due_date
    assert isinstance(row["Created"], dt.datetime)
    zh_row = dict(zip(zh[0], next(r for r in zh[1:] if r[0] == order.number), strict=True))
    assert zh_row["状态"] == "草稿"


def test_the_download_is_named_in_the_users_language_with_rfc5987(two_regions, admin_user, web_as):
    # when an admin downloads the order list
    response = web_as(admin_user).get("/orders/export.xlsx")

    # then the file is an xlsx called 订单_<today>.xlsx, encoded for any browser
    disposition = response["Content-Disposition"]
    today = timezone.localdate().isoformat()
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == f"订单_{today}.xlsx"
    assert response["Content-Type"] == xlsx.XLSX_MIME


# --- formula injection ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_a_customer_named_like_a_formula_stays_text(east, admin_user, web_as, name):
    # given a customer whose name would run as a formula in Excel
    CustomerFactory(code="C-EVIL", name=name, region=east)

    # when the customer list is exported
    data = response_bytes(web_as(admin_user).get("/customers/export.xlsx?q=C-EVIL"))

    # then the cell is the escaped text and the sheet holds no formula at all
    rows = read_sheet(data)
    assert column(rows, "名称") == ["'" + name]
    assert "<f>" not in sheet_xml(data)


def test_formula_like_text_in_orders_is_escaped_too(east, admin_user, web_as):
    # given an order for a customer named like a formula, with a formula-like note
    customer = CustomerFactory(code="C-EVIL2", name=EVIL, region=east)
    material = MaterialFactory()
    make_order(
        actor=admin_user,
        customer=customer,
        lines=[{"material": material.code, "quantity": "1", "unit_price": "1"}],
        note='=HYPERLINK("http://x")',
    )

    # when the order list is exported
    data = response_bytes(web_as(admin_user).get("/orders/export.xlsx"))

    # then both are text starting with an apostrophe
    rows = read_sheet(data)
    assert column(rows, "客户") == ["'" + EVIL]
    assert column(rows, "备注") == ['\'=HYPERLINK("http://x")']
    assert "<f>" not in sheet_xml(data)


# --- the other lists ------------------------------------------------------------------------------


def test_customer_export_equals_the_scoped_list(two_regions, sales_east, web_as):
    # when the east sales user exports customers
    rows = read_sheet(response_bytes(web_as(sales_east).get("/customers/export.xlsx")))

    # then exactly their regions' customers are there
    expected = list(customer_list(actor=sales_east).values_list("code", flat=True))
    assert column(rows, "编码") == expected
    assert {c.split("-")[1] for c in expected} == {"EAST"}


def test_material_export_equals_the_filtered_list(db, admin_user, api_as):
    # given a few materials, two matching a search
    for code in ("M-BOLT-1", "M-BOLT-2", "M-NUT-1"):
        MaterialFactory(code=code)

    # when they are exported through the API with the list's search
    rows = read_sheet(
        response_bytes(api_as(admin_user).get("/api/v1/materials/export.xlsx?q=BOLT"))
    )

    # then the rows are the list's rows
    expected = list(material_list(actor=admin_user, q="BOLT").values_list("code", flat=True))
    assert column(rows, "编码") == expected == ["M-BOLT-1", "M-BOLT-2"]


def test_stock_export_equals_the_level_list_with_its_filters(db, web_as):
    # given stock of three materials, one of them below its safety stock
    keeper = make_user("warehouse")
    make_warehouse()
    low = MaterialFactory(code="M-LOW", safety_stock="50")
    put_stock(low, "10", actor=keeper)
    for code in ("M-OK-1", "M-OK-2"):
        put_stock(MaterialFactory(code=code), "100", actor=keeper)

    # when the warehouse exports all levels and the alerts only
    client = web_as(keeper)
    all_rows = read_sheet(response_bytes(client.get("/inventory/export.xlsx")))
    alerts = read_sheet(response_bytes(client.get("/inventory/export.xlsx?alerts=1")))

    # then the workbooks match the selector, quantities as numbers
    expected = [s.material.code for s in level_list(actor=keeper)]
    assert column(all_rows, "物料编码") == expected
    assert column(alerts, "物料编码") == ["M-LOW"]
    assert column(alerts, "可用") == [10.0]


def test_shipment_export_equals_the_scoped_shipment_list(east, north, sales_east, web_as, api_as):
    # given one shipment for an east customer and one for a north customer
    admin, keeper = make_user("admin"), make_user("warehouse")
    make_warehouse()
    material = MaterialFactory()
    put_stock(material, "100", actor=keeper)
    for region in (east, north):
        order = make_order(
            actor=admin,
            customer=CustomerFactory(region=region),
            lines=[{"material": material.code, "quantity": "2", "unit_price": "5"}],
            status="confirmed",
        )
        shipment_create(actor=keeper, order_id=order.pk)

    # when the east sales user exports shipments (web and API)
    web = read_sheet(response_bytes(web_as(sales_east).get("/inventory/shipments/export.xlsx")))
    api = read_sheet(
        response_bytes(api_as(sales_east).get("/api/v1/inventory/shipments/export.xlsx"))
    )

    # then only the east shipment is there, as the list shows it
    expected = list(shipment_list(actor=sales_east).values_list("number", flat=True))
    assert len(expected) == 1
    assert column(web, "发货单号") == column(api, "发货单号") == expected


# --- logging --------------------------------------------------------------------------------------


def test_each_export_is_logged_with_user_kind_filters_and_rows(two_regions, sales_east, web_as):
    # when the sales user exports urgent orders (none) and then all orders
    client = web_as(sales_east)
    client.get("/orders/export.xlsx?priority=urgent&q=")
    client.get("/orders/export.xlsx")

    # then two log rows say who, what, with which filters and how many rows
    logs = list(ExportLog.objects.order_by("id"))
    assert [(log.user, log.kind, log.filters, log.row_count) for log in logs] == [
        (sales_east, "orders", {"priority": "urgent"}, 0),
        (sales_east, "orders", {}, 3),
    ]


def test_exports_show_on_the_audit_page(two_regions, sales_east, web_as):
    # given a sales user's export
    web_as(sales_east).get("/customers/export.xlsx?q=EAST")
    manager = make_user("manager")

    # when a manager opens the audit trail filtered to exports
    page = web_as(manager, "en").get("/audit/?kind=export")

    # then the export is listed with its user, list, row count and filters
    html = page.content.decode()
    assert page.status_code == 200
    assert "sales_east" in html
    assert "exported" in html
    assert "3 rows" in html
    assert "q=EAST" in html


def test_the_audit_trail_itself_exports_including_the_export_log(two_regions, sales_east, web_as):
    # given an export by the sales user
    web_as(sales_east).get("/orders/export.xlsx")
    admin = make_user("admin")

    # when an admin exports the audit trail filtered to that user
    rows = read_sheet(
        response_bytes(web_as(admin, "en").get("/audit/export.xlsx?kind=export&user=sales_east"))
    )

    # then the export shows up in it, and the admin's own download is logged in turn
    assert column(rows, "What") == ["exported"]
    assert ExportLog.objects.filter(user=admin, kind="audit", row_count=1).exists()


# --- streaming: bounded queries and memory ---------------------------------------------------------


def _bulk_orders(n: int, customer, owner):
    due = timezone.localdate() + dt.timedelta(days=30)
    start = Order.objects.count()
    Order.objects.bulk_create(
        Order(
            number=f"SO-BULK-{start + i:06d}",
            customer=customer,
            sales_owner=owner,
            created_by=owner,
            due_date=due,
            total_amount=i,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("path", ["/api/v1/orders/export.xlsx", "/api/v1/customers/export.xlsx"])
def test_export_query_count_does_not_grow_with_rows(east, sales_east, api_as, path):
    # given 10 orders (and customers) in the east region
    api = api_as(sales_east)
    customer = CustomerFactory(region=east)
    for _ in range(9):
        CustomerFactory(region=east)
    _bulk_orders(10, customer, sales_east)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(path)
            body = response_bytes(response)
        return len(ctx.captured_queries), len(read_sheet(body)) - 1

    queries()  # warm-up: the first request of a token records its first use
    small, small_rows = queries()

    # when the data grows tenfold
    for _ in range(90):
        CustomerFactory(region=east)
    _bulk_orders(90, customer, sales_east)
    large, large_rows = queries()

    # then the export costs the same number of queries
    assert (small_rows, large_rows) == (10, 100)
    assert large == small


def test_the_writer_streams_rows_in_constant_memory():
    # given a generator of rows (nothing held in a list)
    columns = [
        xlsx.Column("n", lambda r: r[0], xlsx.INT),
        xlsx.Column("text", lambda r: r[1]),
        xlsx.Column("amount", lambda r: r[2], xlsx.MONEY),
    ]

    def rows(n):
        return ((i, f"客户{i:08d}有限公司", i * 1.5) for i in range(n))

    def peak(n):
        with xlsx.spool() as f:
            tracemalloc.start()
            written = xlsx.write_list(f, title="t", columns=columns, rows=rows(n))
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert written == n
        return top

    # when 2,000 and 20,000 rows are written
    small, large = peak(2_000), peak(20_000)

    # then ten times the rows does not take (anywhere near) ten times the memory
    assert large < small * 2


def test_list_pages_offer_the_export_with_their_current_filters(two_regions, sales_east, web_as):
    # when the sales user opens the filtered order list and the customer search
    client = web_as(sales_east)
    orders_page = client.get("/orders/?priority=urgent").content.decode()
    customers_page = client.get("/customers/?q=EAST").content.decode()

    # then each page links to its export with the same filters
    assert 'href="/orders/export.xlsx?priority=urgent"' in orders_page
    assert 'href="/customers/export.xlsx?q=EAST"' in customers_page
    assert "导出 Excel" in orders_page


def test_control_characters_in_a_filter_are_logged_without_them(two_regions, sales_east, api_as):
    # given a search typed with a bell and an escape in it
    response = api_as(sales_east).get("/api/v1/customers/export.xlsx?q=EA%07S%1BT")

    # then the export works and the log keeps what was typed, less the control characters
    assert response.status_code == 200
    log = ExportLog.objects.get(kind="customers")
    assert log.filters == {"q": "EAST"}


def test_a_nul_in_a_filter_is_refused_and_nothing_is_exported(two_regions, sales_east, api_as):
    # given a search with a NUL in it (no text column can hold one on PostgreSQL)
    response = api_as(sales_east).get("/api/v1/customers/export.xlsx?q=EA%00ST")

    # then it is refused by name and no export is logged
    assert response.status_code == 422
    assert "NUL" in response.content.decode()
    assert not ExportLog.objects.filter(kind="customers").exists()
