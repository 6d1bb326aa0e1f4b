"""In the browser, in Chinese: an administrator sets up the T+ connection and tests it with one
click (连接正常, then 失败: … once the token expired); the warehouse lead finds a document T+
refused on the reconciliation page, with T+'s message, and sends it again."""

import pytest

from tests.factories import MaterialFactory, make_user, make_warehouse, put_stock
from tests.support.browser import fill_login
from zhongshu.inventory import posting
from zhongshu.inventory.models import ErpConnection, ErpPosting
from zhongshu.inventory.tplus_simulator import TplusSimulator

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def tplus_sim(transactional_db, settings):
    sim = TplusSimulator(app_key="k-browser", app_secret="s-browser", open_token="t-browser")
    sim.start()
    settings.TPLUS_BASE_URL = ""  # configured on the page, not from the environment
    settings.TPLUS_TIMEOUT = 2.0
    yield sim
    sim.stop()


def _sign_in(browser, base, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/login/")
    fill_login(page, username)
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_connection_page_and_reconciliation_page(live_server, browser, tplus_sim):
    admin = make_user("admin", username="erp.admin")
    keeper = make_user("warehouse", username="erp.keeper")
    base = live_server.url

    # the administrator enters the connection and tests it
    page = _sign_in(browser, base, admin.username)
    page.goto(f"{base}/inventory/erp/")
    page.fill("input[name=base_url]", tplus_sim.url)
    page.fill("input[name=app_key]", "k-browser")
    page.fill("input[name=app_secret]", "s-browser")
    page.fill("input[name=open_token]", "t-browser")
    page.click("button[name=action][value=save]")
    page.wait_for_selector("text=连接已保存")
    assert "s-browser" not in page.content() and "t-browser" not in page.content()
    page.click("button[name=action][value=test]")
    page.wait_for_selector("#last-test")
    assert "连接正常" in page.inner_text("#last-test")
    # the token expires in T+: the same click says why, and the page raises the alert
    tplus_sim.mode = "expired"
    page.click("button[name=action][value=test]")
    page.wait_for_selector("#erp-auth-alert")
    assert page.inner_text("#last-test").startswith("失败")
    assert "HTTP 401" in page.inner_text("#last-test")
    assert ErpConnection.objects.get(pk=1).auth_failed_at is not None
    tplus_sim.mode = "ok"
    page.click("button[name=action][value=test]")
    page.wait_for_selector("#erp-auth-alert", state="detached")
    assert "连接正常" in page.inner_text("#last-test")

    # a receipt of a material T+ does not know is refused by T+
    make_warehouse("01", "成品库", is_default=True)
    tplus_sim.warehouses["01"] = "成品库"
    put_stock(MaterialFactory(code="NEW-1"), 4, actor=keeper)
    assert posting.drain().failed == 1
    refused = ErpPosting.objects.get()

    # the warehouse lead sees it with T+'s message and retries once it exists in T+
    page = _sign_in(browser, base, keeper.username)
    page.goto(f"{base}/inventory/reconciliation/")
    row = page.locator("#failed-postings tbody tr", has_text=refused.external_code)
    assert "存货编码 NEW-1 不存在" in row.inner_text()
    assert "NEW-1" in page.inner_text("#reconciliation")
    tplus_sim.set_stock("01", "NEW-1", 0)
    row.locator("button", has_text="重试").click()
    page.wait_for_selector(f"text={refused.external_code} 将重新发送到 T+")
    refused.refresh_from_db()
    assert refused.status == "pending"
    assert posting.drain().posted == 1
    page.reload()
    assert "没有" in page.inner_text("#failed-postings") or refused.external_code not in (
        page.inner_text("#failed-postings")
    )
    assert tplus_sim.on_hand("01", "NEW-1") == 4
