"""The 送货单 printed by Chromium itself (page.pdf, the browser's print): one page per delivery
and the Chinese text intact, with the font the print page loads."""

import pytest

from tests.factories import PASSWORD

from .support import make_deliveries, pdf_pages, squeeze

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_chromium_prints_one_page_per_delivery_with_chinese_text(
    live_server, browser, transactional_db, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from tests.factories import make_user

    order, shipments = make_deliveries()
    make_user("warehouse", username="sun.keeper")
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "sun.keeper")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{base}/documents/orders/{order.pk}/delivery-notes/?paper=241")
    page.wait_for_function("document.fonts.status === 'loaded'")
    page.emulate_media(media="print")
    body = page.pdf(prefer_css_page_size=True, print_background=False)
    context.close()
    pages = pdf_pages(body)
    assert len(pages) == len(shipments) == 2
    for text, shipment in zip(pages, shipments, strict=True):
        for expected in ("送货单", "苏州精工机械", "不锈钢支架", shipment.number, shipment.carrier,
                         shipment.tracking_no, "签收"):  # fmt: skip
            assert squeeze(expected) in text, (expected, text[:200])
