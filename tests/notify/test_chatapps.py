"""Messages to one person through the chat apps' internal apps, against the simulators over real
HTTP: tokens cached and refreshed, an unknown person falls back to the inbox, rate limits, the
platforms' duplicate checks."""

import pytest

from tests.factories import make_user
from zhongshu.accounts.services import contact_update
from zhongshu.notify import selectors
from zhongshu.notify.chatapps import unseal
from zhongshu.notify.delivery import deliver_due
from zhongshu.notify.models import ChatApp, Delivery, Message, Status
from zhongshu.notify.services import notify

pytestmark = pytest.mark.django_db


def test_one_message_per_app_reaches_the_person(chat_apps, app_sims, zhang, settings):
    settings.PUBLIC_BASE_URL = "https://zs.example.com"
    rows = notify(recipients=[zhang], channels=("app",), subject="加急审批", body="ZS-1 需要您审批",
                  link="/approvals/7/")  # fmt: skip
    assert sorted(m.channel for m in rows) == ["dingtalk_app", "feishu_app", "wecom_app"]
    counts = deliver_due()
    assert counts.get("sent") == 3
    for kind, sim in app_sims.items():
        [got] = sim.delivered
        assert got.title == "加急审批" and "ZS-1" in got.text
        # absolute, through the app's own sign-in, landing on the request
        assert (
            got.url
            == f"https://zs.example.com/notifications/signin/{kind}/?next=%2Fapprovals%2F7%2F"
        )
    # no inbox copy: every app reached the person
    assert not Message.objects.filter(channel="inapp").exists()


def test_person_without_ids_gets_the_inbox_and_is_counted(chat_apps, app_sims):
    nobody = make_user("purchasing", username="li")
    [row] = notify(recipients=[nobody], channels=("app",), subject="请跟进采购")
    assert row.channel == "inapp" and row.recipient_id == nobody.pk
    missing = selectors.users_missing_contact_ids()
    assert nobody in list(missing) and missing.count() >= 1
    contact_update(actor=nobody, user_id=nobody.pk, feishu_user_id="fs_li")
    assert nobody not in list(selectors.users_missing_contact_ids())


def test_no_app_configured_means_nobody_missing(db):
    make_user("sales")
    assert selectors.users_missing_contact_ids().count() == 0


def test_token_is_cached_then_fetched_anew_when_the_platform_drops_it(chat_apps, app_sims, zhang):
    sim = app_sims["wecom"]
    for i in range(2):
        notify(recipients=[zhang], channels=("wecom_app",), subject=f"第{i}条")
    deliver_due()
    gets = [p for m, p in sim.received if p == "/cgi-bin/gettoken"]
    assert len(gets) == 1  # one token for both messages
    sim.expire_tokens()  # 40014 from now on for the cached token
    notify(recipients=[zhang], channels=("wecom_app",), subject="第三条")
    assert deliver_due().get("sent") == 1
    assert len([p for m, p in sim.received if p == "/cgi-bin/gettoken"]) == 2
    assert [d.title for d in sim.delivered] == ["第0条", "第1条", "第三条"]
    # the token is stored encrypted
    app = ChatApp.objects.get(kind="wecom")
    assert app.access_token_encrypted.startswith("v1:") and unseal(app.access_token_encrypted)


def test_expired_token_is_refreshed(chat_apps, app_sims, zhang, clock):
    sim = app_sims["feishu"]
    notify(recipients=[zhang], channels=("feishu_app",), subject="一")
    deliver_due(now=clock.now())
    clock.advance(7200 + 5)  # the platform's token has expired; ours is refreshed first
    notify(recipients=[zhang], channels=("feishu_app",), subject="二")
    assert deliver_due(now=clock.now()).get("sent") == 1
    assert [d.title for d in sim.delivered] == ["一", "二"]


def test_unknown_userid_is_a_dead_letter_and_an_inbox_message(chat_apps, app_sims):
    ghost = make_user("sales", username="ghost")
    contact_update(actor=ghost, user_id=ghost.pk, wecom_userid="left.company")
    [row] = notify(
        recipients=[ghost], channels=("wecom_app",), subject="交期提醒", link="/orders/1/"
    )
    assert deliver_due().get("dead") == 1
    row.refresh_from_db()
    assert row.status == Status.DEAD and "81013" in row.last_error
    inbox = Message.objects.get(channel="inapp", recipient=ghost)
    assert inbox.subject == "交期提醒" and inbox.link == "/orders/1/"
    assert app_sims["wecom"].delivered == []


def test_feishu_unknown_receive_id_falls_back_too(chat_apps, app_sims):
    ghost = make_user("sales", username="ghost2")
    contact_update(actor=ghost, user_id=ghost.pk, feishu_user_id="fs_nobody")
    notify(recipients=[ghost], channels=("feishu_app",), subject="x")
    assert deliver_due().get("dead") == 1
    assert Message.objects.filter(channel="inapp", recipient=ghost).count() == 1


def test_per_person_limit_waits_instead_of_failing(chat_apps, app_sims, zhang, clock, settings):
    settings.NOTIFY_PERSON_PER_MINUTE = 3
    for i in range(5):
        notify(recipients=[zhang], channels=("dingtalk_app",), subject=f"m{i}")
    counts = deliver_due(now=clock.now())
    assert counts.get("sent") == 3
    waiting = Message.objects.filter(status=Status.PENDING)
    assert waiting.count() == 2 and all(m.attempts == 0 for m in waiting)
    assert deliver_due(now=clock.now()).get("claimed") == 0
    clock.advance(61)
    assert deliver_due(now=clock.now()).get("sent") == 2
    assert len(app_sims["dingtalk"].delivered) == 5
    assert Delivery.objects.filter(recipient_id=zhang.pk).count() == 5


def test_repeated_send_is_dropped_by_the_platform(chat_apps, app_sims, zhang):
    """What a worker killed between the platform's answer and its own commit does: send the same
    message again. Each platform's duplicate check keeps it to one in the person's chat."""
    rows = notify(recipients=[zhang], channels=("app",), subject="同一条", body="内容")
    deliver_due()
    Message.objects.filter(pk__in=[m.pk for m in rows]).update(status=Status.PENDING, attempts=0)
    assert deliver_due().get("sent") == 3
    for sim in app_sims.values():
        assert len(sim.delivered) == 1


def test_dedupe_key_makes_one_message_per_person(chat_apps, zhang):
    for _ in range(3):
        notify(recipients=[zhang], channels=("app",), subject="a", dedupe_key="rule:1:order:2")
    assert Message.objects.count() == 3


def test_feishu_card_carries_the_decision_buttons(chat_apps, app_sims, zhang):
    value = {"handler": "approvals.decide", "request": 5, "verdict": "approve"}
    notify(recipients=[zhang], channels=("feishu_app",), subject="审批", body="b",
           actions=[{"text": "同意", "value": value}])  # fmt: skip
    deliver_due()
    [got] = app_sims["feishu"].delivered
    import json

    card = json.loads(got.body["content"])
    buttons = card["elements"][1]["actions"]
    assert [b["text"]["content"] for b in buttons] == ["查看详情", "同意"]
    assert buttons[1]["value"] == value


def test_feishu_robot_mentions_by_user_id(db, robots, simulators, zhang):
    notify(recipients=[zhang], channels=("feishu",), subject="群提醒")
    deliver_due()
    [got] = simulators["feishu"].accepted
    assert '<at user_id="fs_zhang">zhang</at>' in got.text
