"""End to end in headless Chromium on a phone: sales ask for a design change of a confirmed
order, the manager opens the link from the notification, sees the before/after and approves in
one tap; the order shows the new quantity, the reservation and the task sheets follow."""

from decimal import Decimal

import pytest

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from tests.support.browser import IMAGES, PHONE, fill_login
from zhongshu.approvals import services
from zhongshu.inventory.models import Reservation
from zhongshu.notify.models import Message
from zhongshu.orders.models import Order
from zhongshu.production.models import Task, TaskSheet

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def change(transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    from zhongshu.rules.models import Rule

    Rule.objects.exclude(builtin_key="").update(enabled=False)
    admin = make_user("admin", username="root")
    sales = make_user("sales", regions=("华东",), username="li.sales")
    manager = make_user("manager", username="wang.manager")
    customer = CustomerFactory(
        code="C-SZJG", name="苏州精工机械", region=RegionFactory(name="华东")
    )
    bolt = MaterialFactory(code="M-BOLT", name="螺栓", fulfilment="stock", standard_price=5)
    MaterialFactory(code="M-SHAFT", name="传动轴", fulfilment="make", standard_price=100)
    make_warehouse()
    put_stock(bolt, 100)
    order = make_order(
        actor=sales,
        customer=customer,
        lines=[
            {"material": "M-BOLT", "quantity": "10"},
            {"material": "M-SHAFT", "quantity": "4"},
        ],
        status="confirmed",
    )
    services.flow_create(
        actor=admin,
        data={"name": "设计变更", "kinds": ["design_change"],
              "steps": [{"name": "经理", "role": "manager"}]},
    )  # fmt: skip
    req = services.request_create(
        actor=sales, order_id=order.pk, kind="design_change", reason="客户改图，数量调整",
        payload={"lines": [{"line_no": 1, "quantity": "30"}, {"line_no": 2, "quantity": "6"}],
                 "drawing_revision": "B"},
    )  # fmt: skip
    return order, req, manager


def test_manager_approves_a_design_change_on_a_phone(live_server, browser, change):
    base = live_server.url
    order, req, manager = change
    # the notification the manager got links straight to the request
    link = Message.objects.get(recipient=manager, source="approvals").link
    assert link == f"/approvals/{req.pk}/?via=inbox"

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}{link}")  # not logged in yet: the login page brings them back
    fill_login(page, "wang.manager")
    page.wait_for_url(f"{base}{link}")

    # the order's key facts and the change as before → after, no sideways scrolling
    assert order.number in page.inner_text(".facts")
    diff = page.inner_text(".ap-diff")
    assert "10" in diff and "30" in diff and "B" in diff
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    approve = page.locator("button[data-verdict=approve]")
    assert approve.bounding_box()["height"] >= 44  # a thumb-sized target
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "approvals-phone.png"), full_page=True)

    # one tap
    approve.click()
    page.wait_for_selector("#request-status.ap-approved")
    assert "已批准" in page.inner_text("#request-status")

    # the order page shows the new quantities
    page.goto(f"{base}/orders/{order.pk}/")
    bolts = page.locator("tr", has_text="M-BOLT").locator("td.num").first.inner_text()
    shafts = page.locator("tr", has_text="M-SHAFT").locator("td.num").first.inner_text()
    assert bolts.startswith("30") and shafts.startswith("6")
    context.close()

    # and the reservation and the task sheets followed, in the same transaction
    order = Order.objects.get(pk=order.pk)
    assert list(order.lines.order_by("line_no").values_list("quantity", flat=True)) == [30, 6]
    held = sum(r.quantity for r in Reservation.objects.filter(order=order, status="active"))
    assert held == 30
    assert TaskSheet.objects.get(order=order).quantity == 6
    task = Task.objects.filter(order=order).order_by("sequence").first()
    assert "B" in task.note and task.estimated_hours > Decimal("0.9")
