"""In headless Chromium: an administrator adds a field, fills it on an order, filters the list on
it and keeps the list as a saved view with the field as a column."""

import pytest

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from tests.support.browser import login as _login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shop(transactional_db):
    east = RegionFactory(name="华东")
    boss = make_user("admin", regions=("华东",), username="zhao.admin")
    customer = CustomerFactory(code="C-SZJG", name="苏州精工机械", region=east)
    made = MaterialFactory(code="M-SHAFT", name="传动轴", fulfilment="make")
    lines = [{"material": made.code, "quantity": "2", "unit_price": "88"}]
    plated = make_order(actor=boss, customer=customer, lines=lines)
    other = make_order(actor=boss, customer=customer, lines=lines)
    return plated, other


def test_define_fill_filter_and_save_a_view(live_server, browser, shop):
    plated, other = shop
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, base, "zhao.admin")

    # define a choice field that lists can filter on
    page.goto(f"{base}/settings/fields/new/?entity=order")
    page.fill("#id_key", "finish")
    page.fill("#id_label_zh", "表面处理")
    page.fill("#id_label_en", "Surface treatment")
    page.select_option("#id_type", "choice")
    page.fill("#id_choices", "anodized | 阳极氧化 | Anodized\nplated | 电镀 | Plated")
    page.check("#id_filterable")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/settings/fields/")
    assert "表面处理" in page.inner_text("main")

    # fill it on an order
    page.goto(f"{base}/orders/{plated.pk}/edit/")
    page.select_option("select[name=cf_finish]", "plated")
    page.click("button[name=save]")
    page.wait_for_url(f"{base}/orders/{plated.pk}/")
    assert "电镀" in page.inner_text(".facts")

    # filter the list on it (htmx swaps the table)
    page.goto(f"{base}/orders/?view=0")
    page.select_option("select[name=cf_finish]", "plated")
    page.wait_for_function(
        "n => !document.querySelector('#order-table').innerText.includes(n)", arg=other.number
    )
    assert plated.number in page.inner_text("#order-table")

    # keep it as a view with the field as a column
    page.click("details.save-view summary")
    page.check("input[name=columns][value=cf_finish]")
    page.fill("#view-name", "电镀件")
    page.click("details.save-view button.primary")
    page.wait_for_selector("nav.saved-views a.active:has-text('电镀件')")
    assert "表面处理" in page.inner_text("#order-table thead")
    assert "电镀" in page.inner_text("#order-table tbody")
    assert other.number not in page.inner_text("#order-table")
    context.close()
