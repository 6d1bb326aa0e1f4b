"""End to end in headless Chromium on a phone (390 px): sales ask to expedite an order already in
production; the manager opens the link from the notification, sees what is asked (priority
before → after), the projected finish before/after and the order it would push later, and
approves in one tap. The order changes, the schedule reflows, and the requester and the pushed
order's owner find their messages in the in-app inbox."""

import pytest

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    default_line,
    give_routing,
    make_order,
    make_user,
)
from tests.support.browser import IMAGES, PHONE, fill_login, login
from zhongshu.approvals import services
from zhongshu.notify.models import Message
from zhongshu.orders.models import Order
from zhongshu.production.models import ProductionPlan

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.shipped_flow]


@pytest.fixture
def rush(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sales = make_user("sales", regions=("华东",), username="li.sales")
    other_sales = make_user("sales", regions=("华东",), username="zhao.sales")
    manager = make_user("manager", username="wang.manager")
    customer = CustomerFactory(
        code="C-SZJG", name="苏州精工机械", region=RegionFactory(name="华东")
    )
    shaft = MaterialFactory(code="M-SHAFT", name="传动轴", fulfilment="make", standard_price=100)
    give_routing(shaft, (default_line(), "0.5", "0.1", None), (default_line(), "0.5", "0.1", None))
    lines = [{"material": "M-SHAFT", "quantity": "100"}]
    # another salesperson's order, due sooner, waits for the line; ours is in production
    other = make_order(actor=other_sales, customer=customer, lines=lines, status="confirmed",
                       due_in_days=10)  # fmt: skip
    order = make_order(actor=sales, customer=customer, lines=lines, status="in_production",
                       due_in_days=30)  # fmt: skip
    req = services.request_create(
        actor=sales, order_id=order.pk, kind="rush", reason="客户产线停线，要求提前交付",
        payload={"priority": "critical"},
    )  # fmt: skip
    return order, other, req, manager


def test_manager_expedites_an_order_in_production_in_one_tap(live_server, browser, rush):
    base = live_server.url
    order, other, req, manager = rush
    other_finish = ProductionPlan.objects.get(order=other).projected_finish
    link = Message.objects.get(recipient=manager, source="approvals", channel="inapp").link
    assert link == f"{req.link}?via=inbox"

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}{link}")
    fill_login(page, "wang.manager")
    page.wait_for_url(f"{base}{link}")

    # what is asked: the priority before → after, the finish before/after, who is pushed later
    diff = page.inner_text(".ap-diff")
    assert "普通" in diff and "特急" in diff
    assert page.inner_text("[data-finish=after]") < page.inner_text("[data-finish=before]")
    assert page.locator(f"[data-pushed='{other.number}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    approve = page.locator("button[data-verdict=approve]")
    reject = page.locator("button[data-verdict=reject]")
    assert approve.inner_text() == "同意" and reject.inner_text() == "驳回"
    assert approve.bounding_box()["height"] >= 44 and reject.bounding_box()["height"] >= 44
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "approvals-expedite-phone.png"), full_page=True)

    # one tap
    approve.click()
    page.wait_for_selector("#request-status.ap-approved")
    context.close()

    # the order changed, and the schedule reflowed after the commit
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.priority) == ("in_production", "critical")
    req.refresh_from_db()
    assert req.decided_via == "inbox"  # opened from the inbox message's link
    assert ProductionPlan.objects.get(order=other).projected_finish > other_finish
    # the requester and the pushed order's owner find their messages in the inbox
    for username, expect in [("li.sales", other.number), ("zhao.sales", other.number)]:
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
        page = context.new_page()
        login(page, base, username)
        page.goto(f"{base}/notifications/")
        inbox = page.inner_text("main")
        assert expect in inbox and order.number in inbox
        context.close()
