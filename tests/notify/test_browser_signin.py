"""On a phone (390 px): the manager taps the WeCom app message, the simulated WeCom sign-in sends
the browser back signed in, and the approval request opens — no password. The sign-in's return
address opened again, in another browser, signs nobody in."""

import pytest

from tests.notify.conftest import APP_PEOPLE, configure_app, pending_request, start_app_simulator
from tests.support.browser import IMAGES, PHONE
from zhongshu.accounts.services import contact_update
from zhongshu.notify.app_simulators import ChatAppSimulator
from zhongshu.notify.delivery import deliver_due

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def phone_world(transactional_db, settings, live_server):
    from tests.factories import make_user

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PUBLIC_BASE_URL = live_server.url
    userid = APP_PEOPLE["wecom"]
    sim = start_app_simulator(ChatAppSimulator("wecom", users={userid: "u"}))
    configure_app(sim)
    manager = make_user("manager", username="wang.manager")
    contact_update(actor=manager, user_id=manager.pk, wecom_userid=userid)
    req = pending_request(manager)  # the request's own WeCom app message to the manager
    assert deliver_due().get("sent") == 1
    sim.phone_user = userid  # the manager holds the phone, signed in to WeCom
    yield sim, req
    sim.stop()


def test_message_link_opens_the_request_signed_in(live_server, browser, phone_world):
    sim, req = phone_world
    [message] = sim.delivered
    assert message.url.startswith(f"{live_server.url}/notifications/signin/wecom/")

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    seen = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(message.url)
    # (the browser keeps the authorize URL's #wechat_redirect fragment through the redirects)
    landing = f"{live_server.url}/approvals/{req.pk}/?via=wecom"
    page.wait_for_url(lambda url: url.split("#")[0] == landing)
    # through WeCom's authorize page and back, no password asked
    assert any(u.startswith(f"{sim.url}/connect/oauth2/authorize") for u in seen)
    assert not any("/login/" in u for u in seen)
    assert req.order.number in page.inner_text("main")
    # a decision made here records WeCom as where it was made
    assert page.locator('input[name="channel"]').first.input_value() == "wecom"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "notify-wecom-signin-phone.png"), full_page=True)
    context.close()

    # the return address with its code, opened again in another browser: nobody signed in
    [callback] = [u for u in seen if "/notifications/signin/wecom/done/" in u]
    other = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    page = other.new_page()
    response = page.goto(callback)
    assert response.status == 403
    assert "登录被拒绝" in page.inner_text("main")
    page.goto(f"{live_server.url}/approvals/{req.pk}/")
    assert "/login/" in page.url
    other.close()
