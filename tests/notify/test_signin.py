"""Sign-in from a message link through each platform's OAuth, against the simulators over real
HTTP. Forged or replayed codes, a wrong or expired state, another browser, an unknown id: all
refused with a page in Chinese, and nobody signed in."""

import urllib.parse

import httpx
import pytest
from django.test import Client

from tests.factories import make_user
from tests.notify.conftest import APP_PEOPLE
from zhongshu.notify.models import UsedNonce

pytestmark = pytest.mark.django_db
NEXT = "/notifications/"


def _start(client: Client, kind: str, next_url: str = NEXT) -> str:
    """Open the message link; returns the platform's authorize URL the browser is sent to."""
    r = client.get(f"/notifications/signin/{kind}/", {"next": next_url})
    assert r.status_code == 302
    return r["Location"]


def _platform(authorize_url: str) -> str:
    """What the platform does on the phone: redirect back with a code. Returns our callback
    path with its query."""
    r = httpx.get(authorize_url.split("#")[0], follow_redirects=False)
    assert r.status_code == 302, r.text
    split = urllib.parse.urlsplit(r.headers["location"])
    return f"{split.path}?{split.query}"


def _signed_in(client: Client):
    return client.session.get("_auth_user_id")


def _refused(response) -> str:
    assert response.status_code == 403
    text = response.content.decode()
    assert "登录被拒绝" in text
    return text


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_message_link_signs_the_person_in(chat_apps, app_sims, zhang, kind):
    app_sims[kind].phone_user = APP_PEOPLE[kind]
    client = Client()
    authorize = _start(client, kind, "/approvals/7/")
    assert authorize.startswith(app_sims[kind].url)
    r = client.get(_platform(authorize))
    assert r.status_code == 302 and r["Location"] == "/approvals/7/"
    assert _signed_in(client) == str(zhang.pk)


def test_wecom_authorize_url_follows_the_platform(chat_apps, app_sims, zhang):
    url = _start(Client(), "wecom")
    split = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(split.query))
    assert split.path == "/connect/oauth2/authorize" and split.fragment == "wechat_redirect"
    assert query["scope"] == "snsapi_base" and query["appid"] == "wecom-corp"
    assert query["agentid"] == "1000002" and query["response_type"] == "code"
    assert query["redirect_uri"].endswith("/notifications/signin/wecom/done/")


def test_replayed_callback_signs_nobody_in(chat_apps, app_sims, zhang):
    app_sims["wecom"].phone_user = APP_PEOPLE["wecom"]
    first = Client()
    callback = _platform(_start(first, "wecom"))
    first.get(callback)
    assert _signed_in(first) == str(zhang.pk)
    # the same URL in another browser: no cookie
    other = Client()
    _refused(other.get(callback))
    assert _signed_in(other) is None
    # and even with the first browser's cookie copied: the state was used
    copied = Client()
    copied.cookies["zs_signin"] = "whatever"
    _refused(copied.get(callback))
    assert _signed_in(copied) is None


def test_replay_in_the_same_browser_is_refused(chat_apps, app_sims, zhang):
    app_sims["wecom"].phone_user = APP_PEOPLE["wecom"]
    client = Client()
    authorize = _start(client, "wecom")
    cookie = client.cookies["zs_signin"].value
    callback = _platform(authorize)
    client.get(callback)
    client.logout()
    client.cookies["zs_signin"] = cookie  # the browser kept the old cookie somehow
    text = _refused(client.get(callback))
    assert "已经用过" in text
    assert _signed_in(client) is None


def test_forged_code_is_refused(chat_apps, app_sims, zhang):
    client = Client()
    authorize = _start(client, "wecom")
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))["state"]
    _refused(client.get("/notifications/signin/wecom/done/", {"code": "forged", "state": state}))
    assert _signed_in(client) is None


def test_a_used_code_with_a_fresh_state_is_refused_by_the_platform(chat_apps, app_sims, zhang):
    app_sims["feishu"].phone_user = APP_PEOPLE["feishu"]
    first = Client()
    callback = _platform(_start(first, "feishu"))
    first.get(callback)
    code = dict(urllib.parse.parse_qsl(callback.split("?", 1)[1]))["code"]
    attacker = Client()
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(_start(attacker, "feishu")).query))[
        "state"
    ]
    _refused(attacker.get("/notifications/signin/feishu/done/", {"code": code, "state": state}))
    assert _signed_in(attacker) is None


def test_wrong_state_is_refused(chat_apps, app_sims, zhang):
    app_sims["wecom"].phone_user = APP_PEOPLE["wecom"]
    client = Client()
    callback = _platform(_start(client, "wecom"))
    tampered = callback.replace("state=", "state=x")
    _refused(client.get(tampered))
    # a state made for another app
    app_sims["feishu"].phone_user = APP_PEOPLE["feishu"]
    feishu_callback = _platform(_start(client, "feishu"))
    state = dict(urllib.parse.parse_qsl(feishu_callback.split("?", 1)[1]))["state"]
    _refused(client.get("/notifications/signin/wecom/done/", {"code": "c", "state": state}))
    assert _signed_in(client) is None
    # nothing was recorded for the refused tries
    assert not UsedNonce.objects.exists()


def test_expired_state_is_refused(chat_apps, app_sims, zhang, settings):
    app_sims["wecom"].phone_user = APP_PEOPLE["wecom"]
    client = Client()
    callback = _platform(_start(client, "wecom"))
    settings.NOTIFY_SIGNIN_SECONDS = -1
    assert "过期" in _refused(client.get(callback))
    assert _signed_in(client) is None


def test_unknown_userid_gets_a_clear_page(chat_apps, app_sims, zhang):
    sim = app_sims["wecom"]
    sim.users["wu.new"] = "union-wu"
    sim.phone_user = "wu.new"  # in the company's WeCom, not linked to any user here
    client = Client()
    text = _refused(client.get(_platform(_start(client, "wecom"))))
    assert "wu.new" in text and "没有关联" in text
    assert _signed_in(client) is None


def test_id_shared_by_two_users_signs_nobody_in(chat_apps, app_sims, zhang):
    from zhongshu.accounts.services import contact_update

    twin = make_user("sales", username="twin")
    contact_update(actor=twin, user_id=twin.pk, wecom_userid=APP_PEOPLE["wecom"])
    app_sims["wecom"].phone_user = APP_PEOPLE["wecom"]
    client = Client()
    _refused(client.get(_platform(_start(client, "wecom"))))
    assert _signed_in(client) is None


def test_inactive_user_is_not_signed_in(chat_apps, app_sims, zhang):
    zhang.is_active = False
    zhang.save()
    app_sims["dingtalk"].phone_user = APP_PEOPLE["dingtalk"]
    client = Client()
    _refused(client.get(_platform(_start(client, "dingtalk"))))
    assert _signed_in(client) is None


def test_next_must_be_a_local_path(chat_apps, app_sims, zhang):
    app_sims["wecom"].phone_user = APP_PEOPLE["wecom"]
    client = Client()
    r = client.get(_platform(_start(client, "wecom", "https://evil.example.com/")))
    assert r["Location"] == "/"
    assert UsedNonce.objects.filter(purpose="signin").count() == 1


def test_no_app_no_sign_in(db):
    assert Client().get("/notifications/signin/wecom/", {"next": "/"}).status_code == 404
