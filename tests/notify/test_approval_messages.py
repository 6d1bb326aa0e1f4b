"""An approval request reaches the approver as a person: the inbox and each chat app's message
carry their own ``?via=``, the app's link is absolute and signs the approver in, and the decision
records where it was made and the minutes it took. On Feishu the card's own 同意 decides."""

import datetime as dt
import json
import re
import urllib.parse

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order, make_user
from tests.notify.conftest import APP_PEOPLE
from zhongshu.approvals import services
from zhongshu.approvals.models import Decision, Request
from zhongshu.notify.app_simulators import sign_card_click
from zhongshu.notify.delivery import deliver_due
from zhongshu.notify.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.shipped_flow]
BASE = "https://zs.example.com"


@pytest.fixture
def rush(settings, chat_apps, zhang):
    """An urgent order's rush request under the shipped manager flow, waiting for zhang."""
    settings.PUBLIC_BASE_URL = BASE
    sales = make_user("sales", regions=("华东",))
    customer = CustomerFactory(name="苏州精工机械", region=RegionFactory(name="华东"))
    MaterialFactory(code="M-SHAFT", name="传动轴", fulfilment="make", standard_price=100)
    order = make_order(actor=sales, customer=customer, priority="urgent", status="pending_review",
                       lines=[{"material": "M-SHAFT", "quantity": "4"}])  # fmt: skip
    req = services.request_create(actor=sales, order_id=order.pk, kind="rush", reason="客户停线")
    # submitted 45 minutes ago: the decision records the minutes it took
    Request.objects.filter(pk=req.pk).update(submitted_at=timezone.now() - dt.timedelta(minutes=45))
    return req


def _next_of(url: str) -> str:
    """The page a sign-in link lands on (its ``next``)."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["next"]


def test_each_channel_links_with_its_own_via(rush, zhang):
    req = rush
    links = dict(
        Message.objects.filter(recipient=zhang, source="approvals").values_list("channel", "link")
    )
    assert links == {
        "inapp": f"/approvals/{req.pk}/?via=inbox",
        "wecom_app": f"/approvals/{req.pk}/?via=wecom",
        "dingtalk_app": f"/approvals/{req.pk}/?via=dingtalk",
        "feishu_app": f"/approvals/{req.pk}/?via=feishu",
    }
    # the Feishu card carries 同意 / 驳回 for the card handler; the other apps only the link
    feishu = Message.objects.get(recipient=zhang, channel="feishu_app")
    assert [(a["text"], a["value"]) for a in feishu.payload["actions"]] == [
        ("同意", {"handler": "approvals.decide", "request": req.pk, "verdict": "approve"}),
        ("驳回", {"handler": "approvals.decide", "request": req.pk, "verdict": "reject"}),
    ]
    assert "actions" not in Message.objects.get(recipient=zhang, channel="wecom_app").payload


def test_wecom_message_signs_in_and_the_decision_records_wecom(rush, zhang, app_sims):
    req = rush
    assert deliver_due().get("sent") == 3  # one app message per platform
    sim = app_sims["wecom"]
    [message] = sim.delivered_to(APP_PEOPLE["wecom"])
    # absolute, through WeCom's sign-in, landing on the request with via=wecom
    assert message.url.startswith(f"{BASE}/notifications/signin/wecom/?")
    assert _next_of(message.url) == f"/approvals/{req.pk}/?via=wecom"

    sim.phone_user = APP_PEOPLE["wecom"]
    phone = Client()
    r = phone.get(message.url.removeprefix(BASE))
    assert r.status_code == 302
    back = httpx.get(r["Location"].split("#")[0], follow_redirects=False)  # the platform
    assert back.status_code == 302
    split = urllib.parse.urlsplit(back.headers["location"])
    r = phone.get(f"{split.path}?{split.query}")
    # the sign-in keeps the link's via
    assert r.status_code == 302 and r["Location"] == f"/approvals/{req.pk}/?via=wecom"
    page = phone.get(r["Location"]).content.decode()
    assert 'name="channel" value="wecom"' in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = phone.post(f"/approvals/{req.pk}/decide/",
                   {"verdict": "approve", "channel": "wecom", "version": version})  # fmt: skip
    assert r.status_code == 302
    req.refresh_from_db()
    decision = Decision.objects.get(request=req)
    assert (req.status, req.decided_via, req.decision_minutes) == ("approved", "wecom", 45)
    assert (decision.user_id, decision.channel, decision.minutes) == (zhang.pk, "wecom", 45)


def test_feishu_card_button_decides_with_channel_feishu(rush, zhang, app_sims):
    req = rush
    deliver_due()
    [message] = app_sims["feishu"].delivered_to(APP_PEOPLE["feishu"])
    card = json.loads(message.body["content"])
    [approve] = [
        b["value"]
        for e in card["elements"]
        for b in e.get("actions", [])
        if b.get("value", {}).get("verdict") == "approve"
    ]
    body, headers = sign_card_click(
        user_id=APP_PEOPLE["feishu"], value=approve, token="fs-verify", key="fs-encrypt-key"
    )
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    r = Client().post("/notifications/feishu/card/", data=body,
                      content_type="application/json", **extra)  # fmt: skip
    assert r.json()["toast"] == {"type": "success", "content": "已同意"}
    req.refresh_from_db()
    decision = Decision.objects.get(request=req)
    assert (req.status, req.decided_via, req.decision_minutes) == ("approved", "feishu", 45)
    assert (decision.user_id, decision.channel, decision.minutes) == (zhang.pk, "feishu", 45)
