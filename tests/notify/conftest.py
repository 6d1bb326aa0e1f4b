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


# --- the chat apps' internal apps ------------------------------------------------------------------

APP_PEOPLE = {"wecom": "zhang.san", "dingtalk": "ding-zhang", "feishu": "fs_zhang"}


def start_app_simulator(sim):
    sim.start("127.0.0.1", 0)
    return sim


def configure_app(sim, *, callback_token: str = "", callback_key: str = ""):
    """The factory's app for ``sim``'s platform, every base URL pointing at the simulator."""
    from zhongshu.notify.services import chat_app_save

    admin = make_user("admin")
    return chat_app_save(
        actor=admin,
        kind=sim.kind,
        name=f"{sim.kind} 中枢",
        client_id=sim.client_id,
        agent_id=sim.agent_id,
        secret=sim.secret,
        api_base=sim.url,
        open_api_base=sim.url,
        oauth_base=sim.url,
        callback_token=callback_token,
        callback_key=callback_key,
    )


@pytest.fixture
def app_sims(clock):
    from zhongshu.notify.app_simulators import ChatAppSimulator

    sims = {
        kind: start_app_simulator(
            ChatAppSimulator(
                kind,
                client_id=f"{kind}-corp",
                secret=f"{kind}-secret",
                users={uid: f"union-{uid}"},
                clock=clock,
            )
        )
        for kind, uid in APP_PEOPLE.items()
    }
    yield sims
    for sim in sims.values():
        sim.stop()


@pytest.fixture
def chat_apps(db, app_sims):
    return {
        kind: configure_app(sim, callback_token="fs-verify", callback_key="fs-encrypt-key")
        for kind, sim in app_sims.items()
    }


@pytest.fixture
def zhang(db):
    """A manager every app knows (WeCom userid, DingTalk userid and unionId, Feishu user_id)."""
    user = make_user("manager", username="zhang")
    return contact_update(
        actor=user,
        user_id=user.pk,
        wecom_userid=APP_PEOPLE["wecom"],
        dingtalk_userid=APP_PEOPLE["dingtalk"],
        dingtalk_unionid=f"union-{APP_PEOPLE['dingtalk']}",
        feishu_user_id=APP_PEOPLE["feishu"],
    )


def pending_request(manager):
    """A design change of a confirmed order waiting for ``manager`` (role manager) to decide."""
    from tests.factories import CustomerFactory, MaterialFactory, RegionFactory, make_order
    from zhongshu.approvals import services
    from zhongshu.rules.models import Rule

    Rule.objects.exclude(builtin_key="").update(enabled=False)
    admin = make_user("admin")
    sales = make_user("sales", regions=("华东",))
    customer = CustomerFactory(name="苏州精工机械", region=RegionFactory(name="华东"))
    MaterialFactory(code="M-SHAFT", name="传动轴", fulfilment="make", standard_price=100)
    order = make_order(
        actor=sales,
        customer=customer,
        lines=[{"material": "M-SHAFT", "quantity": "4"}],
        status="confirmed",
    )
    services.flow_create(
        actor=admin,
        data={"name": "设计变更", "kinds": ["design_change"],
              "steps": [{"name": "经理", "role": "manager", "users": [manager.username]}]},
    )  # fmt: skip
    return services.request_create(
        actor=sales, order_id=order.pk, kind="design_change", reason="客户改图",
        payload={"lines": [{"line_no": 1, "quantity": "6"}]},
    )  # fmt: skip


def worker_env(tmp_path) -> dict:
    """The environment of a ``zhongshu worker`` child process on this test's database, with short
    leases and this process's SECRET_KEY (the chat apps' secrets are encrypted with it)."""
    import os
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection

    env = {
        **os.environ,
        "NOTIFY_LEASE_SECONDS": "3",
        "NOTIFY_DELIVER_EVERY": "1",
        "NOTIFY_BACKOFF_BASE": "1",
        "ZHONGSHU_DATA_DIR": str(tmp_path),
        "SECRET_KEY": settings.SECRET_KEY,
    }
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
    else:
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env
