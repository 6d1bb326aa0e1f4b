import datetime as dt
import itertools
import json
import os

import pytest

from tests.factories import MaterialFactory, RegionFactory, make_user
from zhongshu.catalog.models import Fulfilment
from zhongshu.channels import platforms as p
from zhongshu.channels import services
from zhongshu.channels.models import ChannelKind, SkuMapping
from zhongshu.channels.simulators import DouyinSimulator, TaobaoSimulator


def _port_range() -> range:
    """The simulators' ports: CHANNELS_TEST_PORTS ("8620-8627" by default, inclusive), split
    between the xdist workers so two workers never bind the same port."""
    lo, hi = (int(x) for x in os.environ.get("CHANNELS_TEST_PORTS", "8620-8627").split("-"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    n = int(worker.removeprefix("gw") or 0)
    span = max(1, (hi - lo + 1) // max(count, 1))
    start = lo + (n % max(count, 1)) * span
    return range(start, min(start + span, hi + 1))


_ports = itertools.cycle(_port_range())


@pytest.fixture(autouse=True)
def fast_backoff(settings):
    settings.CHANNELS_THROTTLE_PAUSE = 0.01


@pytest.fixture
def east(db):
    return RegionFactory(name="华东")


@pytest.fixture
def chan_admin(db):
    return make_user("admin", username="chan-admin")


@pytest.fixture
def materials(db):
    return [
        MaterialFactory(code=f"CH-{i}", fulfilment=Fulfilment.STOCK, standard_price="10")
        for i in range(4)
    ]


SKUS = [(f"50{i}", f"OUT-{i}", f"法兰{i}") for i in range(4)]


@pytest.fixture
def mapped(materials):
    for kind in ("taobao", "douyin"):
        for (sku, _outer, _t), m in zip(SKUS, materials, strict=True):
            SkuMapping.objects.create(channel=kind, channel_sku=sku, material=m, multiplier=1)
    return materials


def _start(sim):
    for _ in range(8):
        try:
            return sim.start("127.0.0.1", next(_ports))
        except OSError:
            continue
    raise RuntimeError("no free port in 8620-8627")


@pytest.fixture
def taobao_sim():
    sim = _start(TaobaoSimulator(app_key="tb-k", secret="tb-s", session="tb-sess"))
    yield sim
    sim.stop()


@pytest.fixture
def douyin_sim():
    sim = _start(DouyinSimulator(app_key="dy-k", secret="dy-s", token="dy-t"))
    yield sim
    sim.stop()


@pytest.fixture
def taobao_account(chan_admin, east, taobao_sim):
    account, _ = services.account_create(
        actor=chan_admin, kind=ChannelKind.TAOBAO, name="淘宝旗舰店", base_url=taobao_sim.url,
        app_key="tb-k", secret="tb-s", token="tb-sess", default_region="华东",
    )  # fmt: skip
    return account


@pytest.fixture
def douyin_account(chan_admin, east, douyin_sim):
    account, _ = services.account_create(
        actor=chan_admin, kind=ChannelKind.DOUYIN, name="抖店", base_url=douyin_sim.url,
        app_key="dy-k", secret="dy-s", token="dy-t", shop_id="4463798", default_region="华东",
    )  # fmt: skip
    return account


def signed_form(sim, tid, **change):
    """A Taobao push form for trade ``tid`` as the simulator has it (with ``change`` on top),
    signed with the account's secret."""
    trade = sim.snapshot(tid) | change
    form = {
        "app_key": sim.app_key,
        "topic": "taobao_trade_TradeChanged",
        "timestamp": p.top_time(dt.datetime.now(dt.UTC)),
        "sign_method": "hmac-sha256",
        "content": json.dumps(trade, ensure_ascii=False),
    }
    form["sign"] = p.top_sign(form, sim.secret, "hmac-sha256")
    return form
