"""End to end in headless Chromium on a phone: an operator starts and finishes the tasks of an
order, the order reaches awaiting QC, a QC inspector records a passing inspection, the warehouse
ships it."""

from decimal import Decimal

import pytest

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
)
from tests.support.browser import IMAGES, PHONE, fill_login
from zhongshu.orders.models import Order
from zhongshu.production import services as production
from zhongshu.production.models import Task
from zhongshu.quality.models import InspectionRecord
from zhongshu.quality.services import plan_save

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shop(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from zhongshu.rules.models import Rule

    Rule.objects.exclude(builtin_key="").update(enabled=False)
    admin = make_user("admin", username="root")
    make_user("operator", username="zhao.operator")
    make_user("qc", username="qian.qc")
    make_user("warehouse", username="sun.keeper")
    production.work_center_create(
        actor=admin, code="L1", name="机加一线", hours_per_shift=Decimal(8),
        members=["zhao.operator"],
    )  # fmt: skip
    MaterialFactory(code="M-SHAFT", name="传动轴", fulfilment="make")
    production.routing_set(
        actor=admin,
        material_code="M-SHAFT",
        operations=[
            {"name": "车削", "work_center": "L1", "setup_hours": "1", "run_hours_per_unit": "0.5"},
            {"name": "磨削", "work_center": "L1", "setup_hours": "1", "run_hours_per_unit": "0.2"},
        ],
    )
    plan_save(
        actor=admin,
        material="M-SHAFT",
        items=[
            {"name": "外径", "kind": "measure", "target": "20", "lower_tolerance": "0.02",
             "upper_tolerance": "0.01", "unit": "mm"},
            {"name": "表面", "kind": "attribute"},
        ],
    )  # fmt: skip
    customer = CustomerFactory(
        code="C-SZJG", name="苏州精工机械", region=RegionFactory(name="华东")
    )
    return make_order(
        actor=admin,
        customer=customer,
        lines=[{"material": "M-SHAFT", "quantity": "4", "unit_price": "88"}],
        status="confirmed",
    )


def _login(page, base, username, next_path):
    page.goto(f"{base}/login/?next={next_path}")
    fill_login(page, username)
    page.wait_for_url(f"{base}{next_path}")


def _logout(page, base):
    page.click("form[action='/logout/'] button")
    page.wait_for_url(f"{base}/login/")


def test_operator_on_a_phone_runs_an_order_through_production_and_qc_passes_it(
    live_server,
    browser,
    shop,
):
    base = live_server.url
    order = shop
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()

    # the operator's home: their tasks, big buttons, no horizontal scrolling at 390 px
    _login(page, base, "zhao.operator", "/production/my/")
    tasks = list(Task.objects.filter(order=order).order_by("sequence"))
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "production-my-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for task in tasks:
        card = f"#task-{task.pk}"
        button = page.locator(f"{card} button[data-action=start]")
        assert button.bounding_box()["height"] >= 48  # a thumb-sized target
        button.click()
        page.wait_for_selector(f"{card}[data-status=in_progress]")
        page.click(f"{card} button[data-action=finish]")
        page.wait_for_selector(f"{card}[data-status=done]")
    assert "待质检" in page.inner_text(f"#task-{tasks[-1].pk} .card-note")
    assert Order.objects.get(pk=order.pk).status == "awaiting_qc"
    _logout(page, base)

    # QC: the order is in the queue; readings are judged as they are typed; the record passes
    _login(page, base, "qian.qc", "/qc/")
    page.click(f"a[href='/qc/orders/{order.pk}/']")
    page.fill("input[aria-label=外径]", "20.004")
    page.wait_for_selector("td.qc-verdict.ok")
    page.screenshot(path=str(IMAGES / "qc-inspect-phone.png"), full_page=True)
    page.select_option("select[aria-label=表面]", "ok")
    page.click("button[data-action=inspect]")
    page.wait_for_url(f"{base}/qc/")
    assert order.number in page.inner_text(".messages")
    assert InspectionRecord.objects.get(order=order).result == "pass"
    _logout(page, base)

    # the warehouse ships it from the order page
    _login(page, base, "sun.keeper", f"/orders/{order.pk}/")
    page.click("button[data-action=ship]")
    page.wait_for_selector("h1 .badge:has-text('已发货')")
    assert Order.objects.get(pk=order.pk).status == "shipped"
    context.close()
