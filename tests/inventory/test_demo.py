import httpx
import pytest

from tests.factories import MaterialFactory
from zhongshu.core.demo import new_context
from zhongshu.inventory import demo
from zhongshu.inventory.models import StockLevel, Warehouse


def test_seed_creates_warehouses_and_stock_for_stock_materials(db):
    ctx = new_context()
    ctx.materials = [
        MaterialFactory(code="D-STOCK", safety_stock=200),
        MaterialFactory(code="D-RAW", kind="raw"),
        MaterialFactory(code="D-MAKE", fulfilment="make"),
    ]
    demo.seed(ctx)
    assert list(Warehouse.objects.values_list("code", "name", "is_default")) == [
        ("01", "成品库", True),
        ("02", "原材料库", False),
    ]
    levels = sorted(
        (lv.material.code, lv.warehouse.code, lv.on_hand) for lv in StockLevel.objects.all()
    )
    assert levels == [("D-RAW", "02", 500), ("D-STOCK", "01", 800)]
    assert demo.SEED_ORDER == 20


def test_demo_service_runs_the_simulator(settings):
    (start,) = demo.SERVICES
    name, url, stop = start("127.0.0.1")
    try:
        assert name == "T+ simulator"
        assert url == settings.TPLUS_BASE_URL
        r = httpx.post(
            f"{url}/tplus/api/v2/currentStock/Query",
            json={"param": {"PageIndex": 1, "PageSize": 10}},
            headers={"appKey": "demo-key", "appSecret": "demo-secret", "openToken": "demo-token"},
        )
        assert r.status_code == 200
        assert r.json()["TotalCount"] == len(r.json()["Data"])
    finally:
        stop()
        demo._simulator = None


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch):
    # the demo service exports its URL for server processes; keep it out of other tests
    for name in ("TPLUS_BASE_URL", "TPLUS_APP_KEY", "TPLUS_APP_SECRET", "TPLUS_OPEN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
