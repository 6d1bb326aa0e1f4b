import datetime as dt
import time
from decimal import Decimal

import httpx
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.factories import MaterialFactory, make_order, make_user, put_stock
from tests.inventory.helpers import assert_ledger_matches_levels, level_of
from zhongshu.inventory import tplus
from zhongshu.inventory.models import ErpPosting, StockLevel, StockMovement, TplusSync, Warehouse
from zhongshu.inventory.services import stock_adjust
from zhongshu.inventory.tplus_simulator import TplusSimulator

KEYS = {"TPLUS_APP_KEY": "k1", "TPLUS_APP_SECRET": "s1", "TPLUS_OPEN_TOKEN": "t1"}


@pytest.fixture
def sim():
    simulator = TplusSimulator(app_key="k1", app_secret="s1", open_token="t1")
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def tplus_on(settings, sim):
    settings.TPLUS_BASE_URL = sim.url
    settings.TPLUS_TIMEOUT = 0.5
    settings.TPLUS_STALE_AFTER = 1800
    for k, v in KEYS.items():
        setattr(settings, k, v)
    cache.clear()
    yield sim
    cache.clear()


@pytest.fixture
def flange(warehouse, keeper):
    material = MaterialFactory(code="FL-50", unit="件")
    put_stock(material, 10, actor=keeper)
    # stock T+ already has: its opening receipt counts as posted
    ErpPosting.objects.update(status="posted")
    return material


def test_full_sync_writes_on_hand_as_corrections(tplus_on, flange):
    # given T+ knows 14 of FL-50 in two batches, a second warehouse, and a material we don't have
    tplus_on.set_stock("01", "FL-50", 9)
    tplus_on.stock[("01", "FL-50b")] = {**tplus_on.stock[("01", "FL-50")], "ExistingQuantity": 5,
                                        "InventoryCode": "FL-50"}  # fmt: skip
    tplus_on.set_stock("03", "FL-50", 2)
    tplus_on.set_stock("01", "UNKNOWN-9", 100)
    # when the scheduled sync runs
    run = tplus.tplus_sync()
    # then on_hand follows T+, through ledger movements, and the run is recorded
    assert (run.ok, run.rows, run.changed, run.error) == (True, 4, 1, "")
    assert run.finished_at is not None
    level = level_of(flange, Warehouse.objects.get(code="01"))
    assert (level.on_hand, level.reserved, level.tplus_on_hand) == (Decimal(14), 0, Decimal(14))
    assert level.synced_at is not None
    # a warehouse only T+ has is not created on the fly (the master data page lists it)
    assert not Warehouse.objects.filter(code="03").exists()
    corrections = StockMovement.objects.filter(kind="sync_correction").order_by("id")
    assert [(m.warehouse.code, m.quantity, m.reason) for m in corrections] == [
        ("01", Decimal(4), "T+ reports 14"),
    ]
    # and a second run with nothing changed writes no movement
    assert tplus.tplus_sync().changed == 0
    assert StockMovement.objects.filter(kind="sync_correction").count() == 1
    assert_ledger_matches_levels()


def test_sync_below_reserved_keeps_reserved_and_flags_the_risk(
    tplus_on, flange, sales_east, customer_east
):
    make_order(
        actor=sales_east,
        customer=customer_east,
        lines=[{"material": "FL-50", "quantity": "8"}],
        status="confirmed",
    )
    tplus_on.set_stock("01", "FL-50", 3)
    run = tplus.tplus_sync()
    assert run.ok
    level = level_of(flange)
    assert (level.on_hand, level.reserved, level.tplus_on_hand, level.oversold_risk) == (
        Decimal(8),
        Decimal(8),
        Decimal(3),
        True,
    )
    # T+ recovers: the flag clears
    tplus_on.set_stock("01", "FL-50", 20)
    tplus.tplus_sync()
    level = level_of(flange)
    assert (level.on_hand, level.oversold_risk) == (Decimal(20), False)
    assert_ledger_matches_levels()


def test_sync_below_zero_with_an_unposted_issue_keeps_zero_and_flags_the_level(
    tplus_on, flange, keeper
):
    """A count here books −6 before T+ has it, and T+ meanwhile issues 5 by itself: 10 − 5 − 6
    is below zero. On-hand stays at 0 (never negative), and the level asks for a count."""
    tplus_on.set_stock("01", "FL-50", 10)
    tplus.tplus_sync()
    tplus_on.mode = "down"  # the adjustment waits in the outbox
    stock_adjust(actor=keeper, material="FL-50", quantity=Decimal(-6), reason="盘点")
    assert ErpPosting.objects.exclude(status="posted").count() == 1
    tplus_on.mode = "ok"
    tplus_on.set_stock("01", "FL-50", 5)
    assert tplus.tplus_sync().ok
    level = level_of(flange)
    assert (level.on_hand, level.reserved, level.tplus_on_hand, level.oversold_risk) == (
        Decimal(0),
        Decimal(0),
        Decimal(5),
        True,
    )
    assert_ledger_matches_levels()


def test_sync_pages_through_totalcount(tplus_on, warehouse):
    for i in range(230):
        MaterialFactory(code=f"PG-{i:03d}")
        tplus_on.set_stock("01", f"PG-{i:03d}", i)
    before = tplus_on.requests
    run = tplus.tplus_sync()
    assert (run.ok, run.rows) == (True, 230)
    assert tplus_on.requests - before == 3
    assert StockLevel.objects.get(material__code="PG-229").on_hand == 229


@pytest.mark.parametrize("mode", ["down", "garbage", "bad_credentials"])
def test_failed_sync_is_recorded_and_changes_nothing(tplus_on, flange, settings, mode):
    tplus_on.set_stock("01", "FL-50", 99)
    if mode == "bad_credentials":
        settings.TPLUS_APP_SECRET = "wrong"
    else:
        tplus_on.mode = mode
    run = tplus.tplus_sync()
    assert run.ok is False
    assert run.error != ""
    assert level_of(flange).on_hand == 10
    assert not StockMovement.objects.filter(kind="sync_correction").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"TotalCount": 1},
        {"Data": [{"WarehouseCode": "01"}], "TotalCount": 1},
        {"Data": [{"WarehouseCode": "01", "InventoryCode": "FL-50", "ExistingQuantity": "lots"}]},
        {"Data": ["x"], "TotalCount": 1},
        {"Data": [], "TotalCount": "many"},
        "just a string",
        {"Data": [{"WarehouseCode": "01", "InventoryCode": "FL-50", "ExistingQuantity": "NaN"}]},
    ],
)
def test_wrong_shapes_are_unavailable(body):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    client = tplus.TplusClient(base_url="http://tplus.test", transport=transport)
    with pytest.raises(tplus.TplusUnavailable):
        client.current_stock()


def test_the_query_body_and_headers(settings):
    seen = []
    for k, v in KEYS.items():
        setattr(settings, k, v)

    def handler(request):
        seen.append((request.url.path, dict(request.headers), request.content))
        return httpx.Response(200, json={"Data": [], "TotalCount": 0})

    client = tplus.TplusClient(base_url="http://tplus.test", transport=httpx.MockTransport(handler))
    client.current_stock(warehouse="01", material="M-001")
    path, headers, content = seen[0]
    assert path == "/tplus/api/v2/currentStock/Query"
    assert (headers["appkey"], headers["appsecret"], headers["opentoken"]) == ("k1", "s1", "t1")
    import json

    assert json.loads(content) == {
        "param": {
            "Warehouse": [{"Code": "01"}],
            "Inventory": [{"Code": "M-001"}],
            "PageSize": 100,
            "PageIndex": 1,
        }
    }


def test_availability_refreshes_from_tplus(api_as, tplus_on, flange, sales_east):
    tplus_on.set_stock("01", "FL-50", 33)
    r = api_as(sales_east).get("/api/v1/inventory/availability", {"material": "FL-50"})
    assert r.status_code == 200
    body = r.json()
    assert (body["on_hand"], body["available"], body["source"], body["stale"]) == (
        "33.000",
        "33.000",
        "tplus",
        False,
    )
    assert body["synced_at"] is not None
    assert TplusSync.objects.get().scope == "material:FL-50"


def _login(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.mark.parametrize("mode", ["down", "slow", "garbage"])
def test_order_entry_keeps_working_when_tplus_misbehaves(
    api_as, tplus_on, flange, sales_east, mode
):
    # given a figure synced two hours ago
    tplus_on.set_stock("01", "FL-50", 12)
    tplus.tplus_sync()
    StockLevel.objects.update(synced_at=timezone.now() - dt.timedelta(hours=2))
    tplus_on.set_stock("01", "FL-50", 500)
    tplus_on.mode = mode
    tplus_on.delay = 2.0
    # when the order form asks for availability
    started = time.monotonic()
    r = api_as(sales_east).get("/api/v1/inventory/availability", {"material": "FL-50"})
    # then the last synced figure comes back, marked stale, without waiting for T+
    assert r.status_code == 200
    assert (r.json()["on_hand"], r.json()["source"], r.json()["stale"]) == (
        "12.000",
        "tplus",
        True,
    )
    assert time.monotonic() - started < 1.9
    page = _login(sales_east).get(
        "/inventory/availability/fragment",
        {"row": "0", "lines-0-material": "FL-50", "lines-0-quantity": "5"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "avail-stale" in html
    assert "12" in html
    assert "T+ offline; figures from 2\xa0hours ago" in html
    failures = TplusSync.objects.filter(ok=False).count()
    assert failures == 1  # the second request did not wait for T+ again (back-off)


def test_fragment_when_tplus_is_fresh(tplus_on, flange, sales_east):
    tplus_on.set_stock("01", "FL-50", 4)
    client = _login(sales_east)
    html = client.get(
        "/inventory/availability/fragment",
        {"lines-0-material": "fl-50", "lines-0-quantity": "5"},
    ).content.decode()
    assert "avail-short" in html
    assert 'data-available="4"' in html
    assert "T+ synced 0\xa0minutes ago" in html
    html = client.get(
        "/inventory/availability/fragment", {"lines-3-material": "FL-50", "lines-3-quantity": "4"}
    ).content.decode()
    assert "avail-ok" in html


def test_sync_command(tplus_on, flange):
    tplus_on.set_stock("01", "FL-50", 6)
    call_command("sync", "tplus")
    assert level_of(flange).on_hand == 6
    tplus_on.mode = "down"
    with pytest.raises(CommandError):
        call_command("sync", "tplus")


def test_sync_command_without_tplus(settings, db):
    settings.TPLUS_BASE_URL = ""
    with pytest.raises(CommandError):
        call_command("sync", "tplus")


def test_simulator_refuses_wrong_credentials(sim):
    r = httpx.post(
        f"{sim.url}/tplus/api/v2/currentStock/Query",
        json={"param": {}},
        headers={"appKey": "k1", "appSecret": "nope", "openToken": "t1"},
    )
    assert r.status_code == 401
    assert r.json()["code"] == "EXSM0004"
    r = httpx.post(f"{sim.url}/_sim/mode", json={"mode": "down"})
    assert (r.status_code, sim.mode) == (200, "down")


def test_warehouse_user_is_not_needed_for_sync(tplus_on, flange):
    # the scheduler runs the sync as the system: movements carry no actor
    tplus_on.set_stock("01", "FL-50", 1)
    tplus.tplus_sync()
    assert StockMovement.objects.get(kind="sync_correction").actor is None


def test_fragment_unknown_material_is_empty(flange, sales_east):
    client = _login(sales_east)
    r = client.get("/inventory/availability/fragment", {"lines-0-material": "NOPE"})
    assert (r.status_code, r.content) == (200, b"")
    r = client.get("/inventory/availability/fragment", {"row": "1"})
    assert (r.status_code, r.content) == (200, b"")
    r = client.get(
        "/inventory/availability/fragment", {"lines-0-material": "FL-50", "lines-0-quantity": "x"}
    )
    assert r.status_code == 200
    assert "avail-ok" in r.content.decode()


def test_fragment_for_roles_without_stock_view_is_empty(flange):
    r = _login(make_user("operator")).get(
        "/inventory/availability/fragment", {"lines-0-material": "FL-50"}
    )
    assert (r.status_code, r.content) == (200, b"")
