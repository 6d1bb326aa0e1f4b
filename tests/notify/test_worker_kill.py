"""``zhongshu worker`` as a real process: killed with SIGKILL mid-batch and started again, it
loses nothing and sends at most the documented duplicate (the message whose HTTP call had
succeeded when the process died)."""

import os
import signal
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.db import connection

from tests.notify.conftest import start_simulator
from tests.support.processes import start_worker, wait_for
from zhongshu.notify.models import Message, Robot, Status
from zhongshu.notify.services import notify
from zhongshu.notify.simulators import RobotSimulator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

N = 18  # below the 20-a-minute robot limit, so the test never waits for the window


def _env(tmp_path) -> dict:
    env = {
        **os.environ,
        "NOTIFY_LEASE_SECONDS": "3",
        "NOTIFY_DELIVER_EVERY": "1",
        "NOTIFY_BACKOFF_BASE": "1",
        # a data directory of the test's own, so parallel test workers share no files
        "ZHONGSHU_DATA_DIR": str(tmp_path),
    }
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)  # tmp_path/zhongshu.sqlite3 is the test database
    else:
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def test_sigkill_mid_batch_then_restart_loses_nothing(sqlite_file_db, tmp_path):
    # given a slow robot and 18 queued messages for it
    sim = start_simulator(RobotSimulator("wecom", token="kill-test"))
    sim.mode, sim.delay = "slow", 0.3
    Robot.objects.create(kind="wecom", name="慢机器人", webhook_url=sim.webhook_url)
    for i in range(N):
        notify(channels=("wecom",), subject=f"msg-{i:02d}")
    worker = start_worker(tmp_path, "first", _env(tmp_path))
    try:
        # when the worker is killed -9 in the middle of its batch
        wait_for(lambda: len(sim.accepted) >= 5, "the first deliveries")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        at_kill = len(sim.received)
        in_flight = Message.objects.filter(status=Status.SENDING).count()
        assert 0 < at_kill < N and in_flight > 0  # really mid-batch
        # and a new worker starts
        worker = start_worker(tmp_path, "second", _env(tmp_path))
        wait_for(
            lambda: Message.objects.filter(status=Status.SENT).count() == N, "every message sent"
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
        sim.stop()
    # then every message arrived, and at most the one in the air at the kill arrived twice
    subjects = [r.text for r in sim.accepted]
    assert sorted(set(subjects)) == [f"msg-{i:02d}" for i in range(N)]
    duplicates = len(subjects) - N
    assert duplicates <= 1, subjects
    # and the second worker stopped cleanly on SIGTERM
    assert code == 0, (tmp_path / "second.log").read_text()


def test_worker_once_delivers_and_exits(sqlite_file_db, tmp_path):
    sim = start_simulator(RobotSimulator("feishu", token="once", secret="s3"))
    Robot.objects.create(kind="feishu", name="一次", webhook_url=sim.webhook_url, secret="s3")
    notify(channels=("feishu",), subject="once")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "zhongshu.cli", "worker", "--once"],
            env=_env(tmp_path),
            capture_output=True,
            timeout=120,
        )
    finally:
        sim.stop()
    assert result.returncode == 0, result.stderr.decode()
    assert "notify.deliver" in result.stdout.decode()
    assert [r.text for r in sim.accepted] == ["once"]
    assert Message.objects.get().status == Status.SENT
