"""From an empty database with one administrator to a shipped, invoiced order, using only pages
and imports: no shell, no demo, no factories. What a factory does in its first week."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhongshu.finance.models import Receivable
from zhongshu.imports.models import ImportBatch
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db

PASSWORD = "Zs-first-week-2026!"


def _book(rows, *, title: str) -> bytes:
    """A workbook as a person makes one: a merged title row above the headers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, max(len(r) for r in rows) - 1, title)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def _login(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def _import(client: Client, kind: str, rows) -> ImportBatch:
    upload = io.BytesIO(_book(rows, title=f"{kind} 期初"))
    upload.name = f"{kind}.xlsx"
    response = client.post("/imports/", {"kind": kind, "file": upload})
    assert response.status_code == 302, response.content[:2000].decode(errors="replace")
    batch_id = int(re.search(r"/imports/(\d+)/", response["Location"]).group(1))
    batch = ImportBatch.objects.get(pk=batch_id)
    assert batch.invalid == 0, list(batch.rows.values_list("errors", flat=True))
    response = client.post(f"/imports/{batch_id}/commit/", {"mode": "all_or_nothing"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "committed"
    return batch


def _step(client: Client, key: str) -> dict:
    steps = {s["key"]: s for s in client.get("/api/v1/setup").json()["steps"]}
    return steps[key]


def test_an_empty_install_reaches_a_shipped_invoiced_order(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("adduser", "boss", "--role", "admin", "--password", PASSWORD)
    admin = _login("boss")
    assert admin.get("/")["Location"] == "/setup/"
    assert _step(admin, "warehouses")["done"] is False

    # day 1: the company, regions with their provinces, warehouses
    r = admin.post("/documents/company/", {"name": "宁波中枢机械有限公司", "address": "宁波市北仑区",
                                           "tax_id": "91330206MA2XXXXX1"})  # fmt: skip
    assert r.status_code == 302
    _import(
        admin, "regions", [["区域", "省份", "城市"], ["华东", "浙江省", ""], ["华东", "上海", ""]]
    )
    _import(admin, "warehouses", [["仓库编码", "仓库名称", "默认仓库"], ["FG", "成品仓", "是"]])
    for key in ("company", "regions", "warehouses"):
        assert _step(admin, key)["done"] is True, key

    # day 2: people, through the user page
    for username, role in (
        ("wang.sales", "sales"),
        ("li.plan", "planner"),
        ("zhao.wh", "warehouse"),
    ):
        data = {"username": username, "display_name": username, "password": PASSWORD,
                "roles": [role], "regions": ["华东"]}  # fmt: skip
        assert admin.post("/users/new/", data).status_code == 302, username

    # day 3 and 5: customers, materials, opening stock
    _import(admin, "customers", [["客户编码", "客户名称", "区域"], ["C-NB01", "宁波精工", "华东"]])
    _import(
        admin,
        "materials",
        [["物料编码", "物料名称", "单位", "标准价"], ["M-FL50", "法兰盘 DN50", "件", "12.50"]],
    )
    keeper = _login("zhao.wh")
    assert keeper.get("/")["Location"] == "/inventory/"
    _import(keeper, "stock", [["仓库编码", "物料编码", "数量"], ["FG", "M-FL50", 100]])

    # the order: sales enters and submits it, planning confirms it, the warehouse ships it
    sales = _login("wang.sales")
    assert sales.get("/")["Location"] == "/orders/"
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    r = sales.post("/orders/new/", {
        "customer": "C-NB01", "due_date": due, "priority": "normal", "discount_rate": "0",
        "tax_rate": "13", "payment_terms": "net30", "note": "",
        "lines-0-material": "M-FL50", "lines-0-quantity": "40", "lines-0-unit_price": "",
        "save": "1",
    })  # fmt: skip
    assert r.status_code == 302, r.content[:3000].decode(errors="replace")
    order = Order.objects.get()
    assert sales.post(f"/orders/{order.pk}/transition/",
                      {"action": "submit", "version": order.version}).status_code == 302  # fmt: skip
    order.refresh_from_db()
    planner = _login("li.plan")
    assert planner.post(f"/orders/{order.pk}/transition/",
                        {"action": "confirm", "version": order.version}).status_code == 302  # fmt: skip
    order.refresh_from_db()
    assert order.status == "confirmed"
    line = order.lines.get()
    r = keeper.post("/inventory/shipments/new/", {"order": order.number, f"qty-{line.line_no}": "40",
                                                  "carrier": "德邦", "tracking_no": "DB2026"})  # fmt: skip
    assert r.status_code == 302, r.content[:3000].decode(errors="replace")
    order.refresh_from_db()
    assert order.status == "shipped"

    # invoiced: the shipment bills the customer, tax included
    receivable = Receivable.objects.get(order=order)
    assert receivable.amount == order.total_amount == Decimal("565.00")  # 40 × 12.50 + 13 %
    # the delivery note carries the company entered on day 1
    note = keeper.get(f"/documents/shipments/{receivable.shipment_id}/").content.decode()
    assert "宁波中枢机械有限公司" in note and "91330206MA2XXXXX1" in note
    assert _step(admin, "opening_stock")["done"] is True
    assert _step(admin, "users")["count"] == 4
