"""In headless Chromium: an administrator creates the role 跟单员 (every region, prices hidden,
notes allowed) on the roles page and gives it to a user, who then sees the orders of two regions
without any price, on the list and on the detail page."""

import pytest

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from tests.support.browser import login
from zhongshu.web.templatetags.zs_format import money

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACTIONS = ("orders.view", "orders.edit", "orders.edit_others", "customers.view")


@pytest.fixture
def two_regions(transactional_db):
    make_user("admin", username="boss")
    orders = []
    for region in ("华东", "华西"):
        customer = CustomerFactory(region=RegionFactory(name=region))
        lines = [{"material": MaterialFactory().code, "quantity": "3", "unit_price": "1234.5"}]
        sales = make_user("sales", regions=(region,))
        orders.append(make_order(actor=sales, customer=customer, lines=lines))
    clerk = make_user("sales", regions=("华东",), username="clerk")
    return orders, clerk


def _create_role(page, base: str) -> None:
    page.goto(f"{base}/accounts/roles/")
    page.fill("form.card input[name=code]", "follow_up")
    page.fill("form.card input[name=name]", "跟单员")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/accounts/roles/follow_up/")
    page.select_option("select[name=scope]", "all_regions")
    for action in ACTIONS:
        page.check(f"input[name=actions][value='{action}']")
    page.check("input[name=field_price][value=hidden]")
    page.check("input[name=field_schedule][value=read]")
    page.check("input[name=field_lines][value=read]")
    page.click("form.card > div.actions > button[type=submit]")
    page.wait_for_selector("#preview")
    page.click("#preview button[name=confirm]")
    page.wait_for_selector(".messages, .message, [role=status]", state="attached")


def test_a_follow_up_clerk_sees_two_regions_without_prices(live_server, browser, two_regions):
    orders, clerk = two_regions
    base = live_server.url
    admin = browser.new_context(locale="zh-CN").new_page()
    login(admin, base, "boss")
    _create_role(admin, base)
    admin.goto(f"{base}/users/{clerk.pk}/")
    admin.uncheck("input[name=roles][value=sales]")
    admin.check("input[name=roles][value=follow_up]")
    admin.click("form.card button[type=submit].primary")
    admin.wait_for_load_state()

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "clerk")
    page.goto(f"{base}/orders/")
    table = page.inner_text("#order-table")
    assert all(o.number in table for o in orders)
    assert "¥" not in table
    for order in orders:
        order.refresh_from_db()
        line = order.lines.get()
        page.goto(f"{base}/orders/{order.pk}/")
        text = page.inner_text("main")
        assert order.number in text
        figures = (line.unit_price, line.amount, order.subtotal, order.total_amount)
        assert not [money(f) for f in figures if money(f) in text]
        assert "¥" not in text
