"""On a phone (390×844): the header shows how many messages are unread, the inbox opens, opening a
message goes to its order and the count drops."""

import re

import pytest

from tests.factories import CustomerFactory, RegionFactory, make_order, make_user
from tests.support.browser import PHONE, fill_login
from zhongshu.notify.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def inbox_data(transactional_db):
    east = RegionFactory(name="华东")
    sales = make_user("sales", regions=("华东",), username="zhou.sales")
    order = make_order(actor=sales, customer=CustomerFactory(name="苏州精工机械", region=east))
    notify(
        recipients=[sales],
        subject=f"{order.number} 交期还剩 2 天",
        body="尚未开始生产，请跟进。",
        link=f"/orders/{order.pk}/",
        order=order,
        source="rule:1",
    )
    notify(recipients=[sales], subject="欢迎使用中枢", body="您的角色：销售", link="/")
    return sales, order


def _badge(page) -> str:
    badge = page.query_selector("header a.badge-link[href='/notifications/'] .badge")
    return badge.inner_text() if badge else ""


def test_phone_user_opens_a_message_from_the_inbox(live_server, browser, inbox_data, tmp_path):
    sales, order = inbox_data
    base = live_server.url
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()

    # given a sales user with two unread messages, logged in on a phone
    page.goto(f"{base}/login/")
    fill_login(page, sales.username)
    page.wait_for_url(lambda url: "/login/" not in url)  # their home page
    # then the header shows the unread count, visible on the small screen
    assert _badge(page) == "2"
    assert page.is_visible("header a.badge-link[href='/notifications/'] .badge")

    # when they open the inbox
    page.click("header a.badge-link[href='/notifications/']")
    page.wait_for_url(f"{base}/notifications/")
    items = page.query_selector_all("li.inbox-item.unread")
    assert len(items) == 2
    # the page fits the phone: nothing wider than the viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "inbox-phone.png"), full_page=True)

    # and open the message about their order
    item = page.locator("li.inbox-item", has_text=f"{order.number} 交期还剩 2 天")
    item.locator("button[name=go]").click()
    # then they land on the order, and one message is left unread
    page.wait_for_url(re.compile(rf".*/orders/{order.pk}/$"))
    assert order.number in page.inner_text("h1")
    assert _badge(page) == "1"

    # and back in the inbox that message is read, the other still unread
    page.goto(f"{base}/notifications/?unread=1")
    unread = page.query_selector_all("li.inbox-item.unread")
    assert [u.query_selector("strong").inner_text() for u in unread] == ["欢迎使用中枢"]
    page.screenshot(path=str(tmp_path / "inbox-unread-phone.png"), full_page=True)
    context.close()
