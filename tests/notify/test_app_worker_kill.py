"""Fifty people, one WeCom app message each, and the worker killed -9 in the middle: after a
restart every person has exactly one message in their chat — none lost (the outbox), none doubled
(the platform's duplicate check catches the one re-sent after the kill)."""

import signal

import pytest

from tests.factories import make_user
from tests.notify.conftest import configure_app, start_app_simulator, worker_env
from tests.support.processes import start_worker, wait_for
from zhongshu.accounts.services import contact_update
from zhongshu.notify.app_simulators import ChatAppSimulator
from zhongshu.notify.models import Message, Status
from zhongshu.notify.services import notify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

N = 50


def test_kill_9_while_sending_to_50_people(sqlite_file_db, tmp_path):
    people = {f"worker.{i:02d}": f"union-{i}" for i in range(N)}
    sim = start_app_simulator(ChatAppSimulator("wecom", client_id="corp", users=people))
    sim.delay = 0.05  # each call takes a moment, so the kill lands mid-batch
    configure_app(sim)
    users = []
    for userid in people:
        user = make_user("operator", username=userid.replace(".", "_"))
        contact_update(actor=user, user_id=user.pk, wecom_userid=userid)
        users.append(user)
    notify(recipients=users, channels=("app",), subject="明日排产已发布", body="请查看")
    assert Message.objects.filter(channel="wecom_app").count() == N
    worker = start_worker(tmp_path, "first", worker_env(tmp_path))
    try:
        wait_for(lambda: len(sim.delivered) >= 10, "the first deliveries")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        at_kill = len(sim.delivered)
        assert 0 < at_kill < N
        assert Message.objects.filter(status=Status.SENDING).exists()  # really mid-batch
        worker = start_worker(tmp_path, "second", worker_env(tmp_path))
        wait_for(
            lambda: Message.objects.filter(channel="wecom_app", status=Status.SENT).count() == N,
            "every message sent",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        sim.stop()
    # each person exactly once in their chat
    assert sorted(d.to for d in sim.delivered) == sorted(people)
    sends = [p for _m, p in sim.received if p == "/cgi-bin/message/send"]
    print(f"\n{len(sends)} send calls for {N} people, {at_kill} delivered before the kill")
    assert len(sends) >= N
    assert not Message.objects.filter(channel="inapp").exists()
