"""In headless Chromium, from an empty install: the administrator lands on the go-live checklist,
creates the first warehouse on its page, imports the regions from a workbook, sees both steps
turn done — and goes on, through pages and imports only, to a shipped, invoiced order."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.management import call_command
from django.utils import timezone

from zhongshu.finance.models import Receivable
from zhongshu.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Zs-first-week-2026!"


def _book(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def _import(page, base: str, kind: str, rows) -> None:
    """Upload a workbook on the imports page and commit its valid rows."""
    page.goto(f"{base}/imports/")
    page.select_option("select[name=kind]", kind)
    page.set_input_files(
        "input[name=file]",
        files=[{"name": f"{kind}.xlsx", "mimeType": "application/octet-stream",
                "buffer": _book(rows)}],
    )  # fmt: skip
    page.click("form.import-upload button.primary")
    page.wait_for_selector("button[name=mode][value=valid_only]")
    page.click("button[name=mode][value=valid_only]")
    page.wait_for_load_state()


def test_the_admin_sets_up_warehouses_and_regions_from_the_checklist(
    live_server, browser, transactional_db, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("adduser", "boss", "--role", "admin", "--password", PASSWORD)
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/")
    assert page.get_attribute("tr[data-step=warehouses]", "class") == "todo"

    page.click("tr[data-step=warehouses] a")
    page.wait_for_url(f"{base}/inventory/warehouses/")
    page.click("a[href='/inventory/warehouses/new/']")
    page.fill("input[name=code]", "fg")
    page.fill("input[name=name]", "成品仓")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/inventory/warehouses/")
    assert "仓库已保存" in page.inner_text(".messages")
    assert "FG" in page.inner_text("table")

    _import(page, base, "regions", [["区域", "省份"], ["华东", "浙江省"], ["华南", "广东"]])

    page.goto(f"{base}/setup/")
    for key in ("warehouses", "regions"):
        assert page.get_attribute(f"tr[data-step={key}]", "class") == "done", key
    assert page.inner_text("tr[data-step=regions] td.num") == "2"

    # the company printed on documents, then customers, materials and opening stock
    page.goto(f"{base}/documents/company/")
    page.fill("input[name=name]", "宁波中枢机械有限公司")
    page.fill("input[name=tax_id]", "91330206MA2XXXXX1")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".messages")
    _import(
        page, base, "customers", [["客户编码", "客户名称", "区域"], ["C-NB01", "宁波精工", "华东"]]
    )
    _import(page, base, "materials",
            [["物料编码", "物料名称", "单位", "标准价"], ["M-FL50", "法兰盘 DN50", "件", "12.50"]])  # fmt: skip
    _import(page, base, "stock", [["仓库编码", "物料编码", "数量"], ["FG", "M-FL50", 100]])

    # the order, entered through the pickers, submitted and confirmed on its page
    page.goto(f"{base}/orders/new/")
    page.fill("#id_customer", "宁波")
    page.click("#customer-results button[data-code='C-NB01']")
    page.wait_for_selector("#customer-field .picked:has-text('宁波精工')")
    page.fill("#id_due_date", (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.select_option("#id_priority", "normal")
    page.fill("input[name='lines-0-material']", "法兰")
    page.click("#material-results-0 button[data-code='M-FL50']")
    page.wait_for_selector("#line-0 input[name='lines-0-material'][value='M-FL50']")
    page.fill("input[name='lines-0-quantity']", "40")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r".*/orders/\d+/$"))
    page.click("button[data-action=submit]")
    page.wait_for_selector("h1 .badge:has-text('待审核')")
    page.click("button[data-action=confirm]")
    page.wait_for_selector("h1 .badge:has-text('已确认')")
    order = Order.objects.get()

    # shipped from the shipment page: the customer is invoiced, tax included
    page.goto(f"{base}/inventory/shipments/new/?order={order.number}")
    page.fill(f"input[name=qty-{order.lines.get().line_no}]", "40")
    page.fill("input[name=carrier]", "德邦")
    page.click("form.card.form button.primary")
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == "shipped"
    receivable = Receivable.objects.get(order=order)
    assert receivable.amount == Decimal("565.00")  # 40 × 12.50 + 13 %
    page.goto(f"{base}/documents/shipments/{receivable.shipment_id}/")
    assert "宁波中枢机械有限公司" in page.content()
    context.close()
