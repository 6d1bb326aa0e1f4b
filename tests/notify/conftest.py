import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_user
from zhongshu.accounts.services import contact_update
from zhongshu.notify.models import Robot
from zhongshu.notify.simulators import RobotSimulator


def start_simulator(sim: RobotSimulator) -> RobotSimulator:
    """Start ``sim`` on a port the OS picks, so parallel test workers never compete for one."""
    sim.start("127.0.0.1", 0)
    return sim


class FakeClock:
    """The real time plus however far the test has moved it on: ``deliver_due(now=clock.now())``
    and the simulators' rate-limit window both follow it."""

    def __init__(self):
        self.offset = 0.0

    def now(self):
        return timezone.now() + dt.timedelta(seconds=self.offset)

    def advance(self, seconds: float):
        self.offset += seconds
        return self.now()

    def __call__(self) -> float:
        return self.now().timestamp()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def simulators(clock):
    sims = {
        "wecom": RobotSimulator("wecom", token="wecom-key-1", clock=clock),
        "dingtalk": RobotSimulator(
            "dingtalk", token="ding-token-1", secret="SEC-ding", clock=clock
        ),
        "feishu": RobotSimulator(
            "feishu", token="feishu-hook-1", secret="feishu-secret", clock=clock
        ),
    }
    for sim in sims.values():
        start_simulator(sim)
    yield sims
    for sim in sims.values():
        sim.stop()


@pytest.fixture
def robots(db, simulators):
    """One configured robot per kind, pointing at its simulator with the right secret."""
    return {
        kind: Robot.objects.create(
            kind=kind, name=f"{kind} 生产群", webhook_url=sim.webhook_url, secret=sim.secret
        )
        for kind, sim in simulators.items()
    }


@pytest.fixture
def supervisor(db):
    user = make_user("supervisor", username="supervisor")
    return contact_update(
        actor=user,
        user_id=user.pk,
        wecom_userid="wang.wei",
        mobile="13800000001",
        email="wang@example.com",
    )
