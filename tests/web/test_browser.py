"""End to end in headless Chromium: sales enter an order through the pickers, planning confirms it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
)
from tests.support.browser import IMAGES
from tests.support.browser import login as _login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _pick_material(page, row: int, query: str, code: str, quantity: str) -> None:
    page.fill(f"input[name='lines-{row}-material']", query)
    page.click(f"#material-results-{row} button[data-code='{code}']")
    page.wait_for_selector(f"#line-{row} input[name='lines-{row}-material'][value='{code}']")
    page.fill(f"input[name='lines-{row}-quantity']", quantity)


@pytest.fixture
def factory_data(transactional_db):
    east = RegionFactory(name="华东")
    sales = make_user("sales", regions=("华东",), username="wang.sales")
    make_user("planner", username="li.planner")
    CustomerFactory(code="C-SZJG", name="苏州精工机械", region=east)
    MaterialFactory(code="M-SHAFT", name="传动轴", standard_price="88.00", fulfilment="make")
    MaterialFactory(code="M-GEAR", name="斜齿轮", standard_price="45.50", fulfilment="make")
    return sales, east


def test_sales_enter_an_order_and_planning_confirms_it(live_server, browser, factory_data):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()

    # sales: a new order through the customer and material pickers
    _login(page, base, "wang.sales")
    page.goto(f"{base}/orders/")
    page.click("a[href='/orders/new/']")
    # the picker listens through htmx, which binds once the page has loaded: typing before that
    # (a slow machine) would search nothing
    page.wait_for_url(f"{base}/orders/new/")
    page.wait_for_load_state("load")
    page.fill("#id_customer", "苏州")
    page.click("#customer-results button[data-code='C-SZJG']")
    page.wait_for_selector("#customer-field .picked:has-text('苏州精工机械')")
    page.fill("#id_due_date", (timezone.localdate() + dt.timedelta(days=21)).isoformat())
    page.select_option("#id_priority", "normal")  # urgent ones need an approved rush request
    _pick_material(page, 0, "传动", "M-SHAFT", "4")
    assert page.input_value("input[name='lines-0-unit_price']") == "88"
    page.click("#add-line")
    page.wait_for_selector("input[name='lines-2-material']")
    _pick_material(page, 1, "齿轮", "M-GEAR", "10")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r".*/orders/\d+/$"))
    assert "已创建" in page.inner_text(".messages")
    assert page.inner_text("h1 .badge") == "草稿"
    assert "¥807.00" in page.inner_text(".facts")  # 4 × 88 + 10 × 45.50

    page.click("button[data-action=submit]")
    page.wait_for_selector("h1 .badge:has-text('待审核')")
    order_url = page.url
    page.click("form[action='/logout/'] button")
    page.wait_for_url(f"{base}/login/")

    # planning confirms
    _login(page, base, "li.planner")
    page.goto(order_url)
    assert [b.get_attribute("data-action") for b in page.query_selector_all("[data-action]")] == [
        "reject",
        "confirm",
        "cancel",
    ]
    page.click("button[data-action=confirm]")
    page.wait_for_selector("h1 .badge:has-text('已确认')")

    timeline = page.inner_text(".timeline")
    assert "wang.sales" in timeline and "li.planner" in timeline
    assert re.search(r"提交审核\s*草稿\s*→\s*待审核", timeline)
    assert re.search(r"确认\s*待审核\s*→\s*已确认", timeline)
    context.close()


def test_order_list_screenshots(live_server, browser, factory_data):
    sales, east = factory_data
    customers = [
        CustomerFactory(code=f"C-{i}", name=name, region=east)
        for i, name in enumerate(["无锡液压件厂", "常州精密机床", "宁波模具科技", "杭州传动设备"])
    ]
    statuses = [
        "draft",
        "pending_review",
        "confirmed",
        "scheduling",
        "in_production",
        "awaiting_qc",
        "shipped",
        "completed",
        "cancelled",
        "pending_review",
    ]
    for i, status in enumerate(statuses):
        make_order(
            actor=sales,
            customer=customers[i % 4],
            status=status,
            due_in_days=3 + i * 4,
            priority=["normal", "urgent", "critical"][i % 3],
            lines=[
                {"material": "M-SHAFT", "quantity": str(2 + i)},
                {"material": "M-GEAR", "quantity": "12"},
            ],
        )
    IMAGES.mkdir(parents=True, exist_ok=True)

    for name, viewport in (
        ("order-list.png", {"width": 1280, "height": 860}),
        ("order-list-phone.png", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
        page = context.new_page()
        _login(page, live_server.url, "wang.sales")
        page.goto(f"{live_server.url}/orders/")
        page.screenshot(path=str(IMAGES / name), full_page=name == "order-list.png")
        assert len(page.query_selector_all("table.orders tbody tr")) == len(statuses)
        context.close()

    # filters are applied by htmx without a full reload, and the URL follows
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url, "wang.sales")
    page.goto(f"{live_server.url}/orders/")
    page.click("label.chip:has-text('待审核')")
    page.wait_for_url(re.compile(r".*status=pending_review.*"))
    page.wait_for_function("document.querySelectorAll('table.orders tbody tr').length === 2")
    context.close()
