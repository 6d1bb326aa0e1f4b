"""The demo's WeCom app: the manager's simulated phone shows the message, and its link signs the
manager in and opens the approvals — no password."""

import re
import urllib.parse

import httpx
import pytest
from django.test import Client

from tests.factories import make_user
from zhongshu.accounts.services import contact_update
from zhongshu.notify import demo
from zhongshu.notify.delivery import deliver_due

pytestmark = pytest.mark.django_db


def test_demo_manager_opens_the_approvals_from_the_phone(settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    manager = make_user("manager", username="manager")
    contact_update(actor=manager, user_id=manager.pk, wecom_userid="demo.manager")
    _name, phone_url, stop = demo.start_apps("127.0.0.1")
    try:
        demo._seed_chat_app({"manager": manager})
        assert deliver_due().get("sent") == 1
        page = httpx.get(phone_url).text
        [link] = re.findall(r'href="([^"]+)"', page)
        link = link.replace("&amp;", "&")
        assert link == "http://testserver/notifications/signin/wecom/?next=%2Fapprovals%2F"
        client = Client()
        authorize = client.get(link.removeprefix("http://testserver"))["Location"]
        back = httpx.get(authorize.split("#")[0]).headers["location"]
        split = urllib.parse.urlsplit(back)
        r = client.get(f"{split.path}?{split.query}")
        assert r.status_code == 302 and r["Location"] == "/approvals/"
        assert client.session["_auth_user_id"] == str(manager.pk)
    finally:
        stop()
        demo._sims.pop("wecom_app", None)
