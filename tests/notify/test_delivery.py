"""The outbox end to end: rows written by ``notify``, delivered over real HTTP to the robot
simulators, which check signatures exactly like the platforms do."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from tests.factories import make_user
from zhongshu.notify import channels
from zhongshu.notify.delivery import backoff_seconds, claim, deliver_due
from zhongshu.notify.models import Delivery, Message, Status
from zhongshu.notify.services import notify

pytestmark = pytest.mark.django_db


def _texts(sim):
    return [r.text for r in sim.accepted]


def test_each_robot_channel_reaches_its_simulator_signed_and_mentioning(
    robots, simulators, supervisor, clock
):
    # given one robot of each kind and a supervisor with a WeCom id and a mobile
    notify(
        roles=["supervisor"],
        channels=("wecom", "dingtalk", "feishu"),
        subject="SO-1 交期两天",
        body="尚未开始生产",
        link="/orders/1/",
    )
    # when the worker runs
    counts = deliver_due(now=clock.now())
    # then each simulator accepted exactly one correctly signed message
    assert counts.get("sent") == 3, counts
    for kind, sim in simulators.items():
        assert len(sim.accepted) == 1, (kind, [r.reply for r in sim.received])
        assert "SO-1 交期两天" in sim.accepted[0].text
    wecom = simulators["wecom"].accepted[0].body["text"]
    assert wecom["mentioned_list"] == ["wang.wei"]
    ding = simulators["dingtalk"].accepted[0]
    assert ding.body["at"]["atMobiles"] == ["13800000001"] and "@13800000001" in ding.text
    assert ding.query["sign"] and ding.query["timestamp"].isdigit()
    feishu = simulators["feishu"].accepted[0].body
    assert feishu["sign"] and feishu["timestamp"].isdigit()
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    assert Delivery.objects.filter(ok=True).count() == 3


def test_email_goes_to_each_recipient_with_an_address(supervisor, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    nobody = make_user("supervisor", username="no_mail")  # no address anywhere
    nobody.email = ""
    nobody.save()
    # given an email notification to both supervisors
    rows = notify(
        roles=["supervisor"], channels=("email",), subject="质检待处理", body="两单", link="/qc/"
    )
    # then one message for the one with an address, delivered by the worker
    assert [m.target for m in rows] == ["email:wang@example.com"]
    deliver_due(now=clock.now())
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert mail.outbox[0].subject == "质检待处理"


def test_inapp_needs_no_worker_and_is_one_per_recipient(supervisor):
    other = make_user("supervisor", username="sup2")
    rows = notify(recipients=[supervisor], roles=["supervisor"], subject="新订单")
    assert sorted(m.recipient_id for m in rows) == sorted([supervisor.pk, other.pk])
    assert all(m.status == Status.SENT and m.read_at is None for m in rows)
    assert claim() == []  # nothing for the worker


def test_wrong_secret_is_refused_with_the_platform_code_retried_then_dead(
    robots, simulators, clock, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    # given the DingTalk and Feishu robots configured with a wrong secret
    for kind in ("dingtalk", "feishu"):
        robots[kind].secret = "wrong"
        robots[kind].save()
    notify(channels=("dingtalk", "feishu"), subject="签名错误")
    # when the worker tries three times, waiting out each backoff
    for _ in range(3):
        deliver_due(now=clock.now())
        clock.advance(3600)
    # then the simulators refused every try with the real codes, and the messages are dead
    assert [r.reply["errcode"] for r in simulators["dingtalk"].received] == [310000] * 3
    assert [r.reply["code"] for r in simulators["feishu"].received] == [19021] * 3
    assert not simulators["dingtalk"].accepted and not simulators["feishu"].accepted
    dead = Message.objects.filter(status=Status.DEAD)
    assert dead.count() == 2
    assert all(
        (m.attempts == 3 and "[310000]" in m.last_error) or "[19021]" in m.last_error for m in dead
    )
    # and nothing more is tried later
    clock.advance(7200)
    assert deliver_due(now=clock.now()) == {"claimed": 0}


def test_robot_down_five_minutes_then_back_every_message_once(robots, simulators, clock):
    # given 12 messages for the WeCom robot, and the robot unreachable
    sim = simulators["wecom"]
    for i in range(12):
        notify(channels=("wecom",), subject=f"消息 {i}")
    sim.go_down()
    # when the worker keeps running every 10 s for five minutes
    for _ in range(30):
        deliver_due(now=clock.now())
        clock.advance(10)
    down = Message.objects.filter(status=Status.FAILED).count()
    assert down == 12 and not sim.received
    # and the robot comes back and the worker runs on for another hour
    sim.come_back()
    for _ in range(360):
        deliver_due(now=clock.now())
        clock.advance(10)
    # then every message arrived exactly once
    assert sorted(_texts(sim)) == sorted(f"消息 {i}" for i in range(12))
    assert Message.objects.filter(status=Status.SENT).count() == 12
    assert Delivery.objects.filter(ok=False, http_status__isnull=True).exists()  # refused


def test_twenty_a_minute_per_robot_the_rest_wait(robots, simulators, clock):
    # given 25 messages for one robot
    for i in range(25):
        notify(channels=("wecom",), subject=f"批量 {i}")
    # when the worker runs now
    deliver_due(now=clock.now(), limit=50)
    # then 20 went out and 5 wait, not failed, no try used up
    assert len(simulators["wecom"].accepted) == 20
    waiting = Message.objects.exclude(status=Status.SENT)
    assert waiting.count() == 5
    assert {(m.status, m.attempts) for m in waiting} == {(Status.PENDING, 0)}
    # and half a minute later still nothing more goes out
    clock.advance(30)
    assert deliver_due(now=clock.now(), limit=50) == {"claimed": 0}
    # and after the minute the other 5 go
    clock.advance(31)
    deliver_due(now=clock.now(), limit=50)
    assert len(simulators["wecom"].accepted) == 25
    assert not [r for r in simulators["wecom"].received if not r.accepted]  # never refused


def test_platform_rate_limit_answer_waits_without_using_a_try(robots, simulators, clock):
    simulators["wecom"].mode = "throttle"
    notify(channels=("wecom",), subject="限流")
    deliver_due(now=clock.now())
    message = Message.objects.get()
    assert simulators["wecom"].received[0].reply["errcode"] == 45009
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    simulators["wecom"].mode = "ok"
    clock.advance(61)
    deliver_due(now=clock.now())
    assert Message.objects.get().status == Status.SENT


def test_server_error_is_retried_with_growing_backoff(robots, simulators, clock):
    simulators["feishu"].mode = "error"
    notify(channels=("feishu",), subject="500")
    start = clock.now()
    deliver_due(now=start)
    first = Message.objects.get()
    assert first.status == Status.FAILED and first.attempts == 1
    assert 30 <= (first.next_attempt_at - start).total_seconds() <= 38
    clock.advance(40)
    deliver_due(now=clock.now())
    second = Message.objects.get()
    assert second.attempts == 2
    assert 60 <= (second.next_attempt_at - clock.now()).total_seconds() <= 76
    assert backoff_seconds(30) <= 3600 * 1.25  # capped


def test_dedupe_key_makes_one_message_per_channel_and_target(robots, supervisor, clock):
    key = "rule:7:order:42:2026-11-25"
    first = notify(
        recipients=[supervisor], channels=("wecom", "inapp"), subject="A", dedupe_key=key
    )
    again = notify(
        recipients=[supervisor], channels=("wecom", "inapp"), subject="A", dedupe_key=key
    )
    assert [m.pk for m in again] == [m.pk for m in first] and len(first) == 2
    assert Message.objects.count() == 2
    # another day is another key
    notify(
        recipients=[supervisor],
        channels=("wecom",),
        subject="A",
        dedupe_key="rule:7:order:42:2026-11-26",
    )
    assert Message.objects.count() == 3


def test_messages_roll_back_with_the_callers_transaction(supervisor):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[supervisor], subject="never")
        raise RuntimeError
    assert not Message.objects.exists()


def test_unknown_channel_is_refused_with_422(supervisor):
    from zhongshu.notify.exceptions import UnknownChannel

    with pytest.raises(UnknownChannel) as exc:
        notify(recipients=[supervisor], channels=("sms",), subject="x")
    assert exc.value.http_status == 422


def test_an_expired_lease_is_claimed_again_by_another_worker(robots, clock, settings):
    settings.NOTIFY_LEASE_SECONDS = 60
    notify(channels=("wecom",), subject="lease")
    # given worker A claimed the message and died before sending
    taken = claim(now=clock.now(), worker="A")
    assert len(taken) == 1
    # then within the lease nobody else takes it
    assert claim(now=clock.advance(30), worker="B") == []
    # and after the lease worker B does, as its second try
    again = claim(now=clock.advance(31), worker="B")
    assert [m.pk for m in again] == [taken[0].pk] and again[0].attempts == 2
    # and worker A, waking up, can no longer record anything for it
    assert not Message.objects.filter(claim_token=taken[0].claim_token).exists()


def test_wecom_text_is_clipped_to_2048_bytes(robots, simulators, clock):
    notify(channels=("wecom",), subject="长" * 1000, body="文" * 1000)
    deliver_due(now=clock.now())
    assert len(simulators["wecom"].accepted) == 1
    assert len(simulators["wecom"].accepted[0].text.encode()) <= channels.WECOM_MAX_BYTES


def test_dingtalk_signature_matches_the_documented_formula():
    # the example from DingTalk's documentation style: secret, millisecond timestamp
    import base64
    import hashlib
    import hmac
    import urllib.parse

    secret, ts = "SEC123", 1700000000000
    expected = urllib.parse.quote_plus(
        base64.b64encode(
            hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
    )
    assert channels.dingtalk_sign(secret, ts) == expected
    url, _body = channels.signed_request(
        "dingtalk", "http://x/robot/send?access_token=t", secret, {}, now=ts / 1000
    )
    assert url.endswith(f"&timestamp={ts}&sign={expected}")


def test_stale_timestamp_is_refused_by_the_simulators(simulators):
    import httpx

    sim = simulators["feishu"]
    old = 1_000_000_000
    body = {
        "timestamp": str(old),
        "sign": channels.feishu_sign(sim.secret, old),
        "msg_type": "text",
        "content": {"text": "x"},
    }
    reply = httpx.post(sim.webhook_url, json=body).json()
    assert reply["code"] == 19021
    ding = simulators["dingtalk"]
    url, payload = channels.signed_request(
        "dingtalk",
        ding.webhook_url,
        ding.secret,
        {"msgtype": "text", "text": {"content": "x"}},
        now=old,
    )
    assert httpx.post(url, json=payload).json() == {
        "errcode": 310000,
        "errmsg": "invalid timestamp",
    }
    wrong_key = sim.webhook_url.replace(sim.token, "nope")
    assert httpx.post(wrong_key, json=body).json()["code"] == 19001


def test_next_attempt_time_is_in_the_future_after_failure(robots, simulators, clock):
    simulators["dingtalk"].go_down()
    notify(channels=("dingtalk",), subject="x")
    deliver_due(now=clock.now())
    m = Message.objects.get()
    assert m.next_attempt_at > clock.now() + dt.timedelta(seconds=29)
    assert "ConnectError" in m.last_error
