"""Who may read and change the segments, the effect report and the leaderboard: every role ×
endpoint (API and pages), a sales user only sees the customers of their regions (others' are
404), and a refused change changes nothing."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.histories import add_orders
from tests.conftest import ApiClient
from tests.factories import make_user
from tests.support.matrix import ROLES
from zhongshu.analytics import segments
from zhongshu.analytics.models import AnalyticsSettings, SegmentRun

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.analytics.insight_urlconf")]

SEGMENT_READERS = {"admin", "manager", "sales"}
CONFIGURERS = {"admin", "manager"}
EFFECT = "?a_start=2026-07-01&a_end=2026-09-30&b_start=2026-10-01&b_end=2026-11-15"


@pytest.fixture
def world(east, north, customer_east, customer_north):
    owner = make_user("sales", regions=("华东",))
    today = timezone.localdate()
    add_orders(customer_east, owner, [200, 100, 10], today=today, amount="5000")
    add_orders(customer_north, owner, [300, 150, 20], today=today, amount="5000")
    segments.recompute()
    users = {r: make_user(r, regions=("华东",) if r == "sales" else ()) for r in ROLES}
    return users


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("role", ROLES)
def test_segment_reads(world, role):
    api = ApiClient(world[role])
    listed = api.get("/api/v1/analytics/segments")
    own = api.get("/api/v1/analytics/segments/C-EAST")
    other = api.get("/api/v1/analytics/segments/C-NORTH")
    summary = api.get("/api/v1/analytics/segments/summary")
    page = web(world[role]).get("/analytics/segments/")
    if role not in SEGMENT_READERS:
        assert {listed.status_code, own.status_code, summary.status_code} == {403}
        assert page.status_code == 403
        return
    assert own.status_code == 200 and own.json()["customer"] == "C-EAST"
    assert page.status_code == 200
    codes = {item["customer"] for item in listed.json()["items"]}
    total = sum(t["customers"] for t in summary.json()["tiers"])
    if role == "sales":  # 华东 only: the 华北 customer does not exist for them
        assert codes == {"C-EAST"} and total == 1
        assert other.status_code == 404
        assert b"C-NORTH" not in page.content
    else:
        assert codes == {"C-EAST", "C-NORTH"} and total == 2
        assert other.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_configure_and_recompute(world, role):
    api = ApiClient(world[role])
    before = (AnalyticsSettings.objects.get().version, SegmentRun.objects.count())
    put = api.patch("/api/v1/analytics/segments/settings", {"key_min_orders": 20})
    run = api.post("/api/v1/analytics/segments/recompute")
    form = web(world[role]).post("/analytics/segments/settings/", {"key_min_orders": "30"})
    if role in CONFIGURERS:
        assert put.status_code == 200 and put.json()["key_min_orders"] == 20
        assert run.status_code == 200 and run.json()["customers"] == 2
        assert form.status_code == 302
        assert AnalyticsSettings.objects.get().key_min_orders == 30
    else:
        assert (put.status_code, run.status_code, form.status_code) == (403, 403, 403)
        after = (AnalyticsSettings.objects.get().version, SegmentRun.objects.count())
        assert after == before
        assert AnalyticsSettings.objects.get().key_min_orders == 12


@pytest.mark.parametrize("role", ROLES)
def test_effect_and_leaderboard(world, role):
    api = ApiClient(world[role])
    client = web(world[role])
    responses = [
        api.get("/api/v1/analytics/effect" + EFFECT),
        api.get("/api/v1/analytics/effect.xlsx" + EFFECT),
        api.get("/api/v1/analytics/leaderboard"),
        api.get("/api/v1/analytics/daily-active"),
        client.get("/analytics/effect/" + EFFECT),
        client.get("/analytics/effect.xlsx" + EFFECT),
        client.get("/analytics/leaderboard/"),
    ]
    expected = 200 if role in CONFIGURERS else 403
    assert [r.status_code for r in responses] == [expected] * len(responses)


def test_bad_input_is_refused_not_a_500(world):
    api = ApiClient(world["admin"])
    r = api.get("/api/v1/analytics/effect?a_start=2026-09-30&a_end=2026-07-01"
                "&b_start=2026-10-01&b_end=2026-11-15")  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    assert api.get("/api/v1/analytics/effect?a_start=nonsense").status_code == 422
    r = api.patch("/api/v1/analytics/segments/settings", {"recent_weight": 5, "window_days": 3})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["details"]["errors"]} == {"recent_weight", "window_days"}
    r = api.patch("/api/v1/analytics/segments/settings", {"version": 99, "key_min_orders": 3})
    assert r.status_code == 409
    assert web(world["admin"]).get("/analytics/effect/?a_start=2026-09-30&a_end=2026-07-01")\
        .status_code == 200  # fmt: skip
    r = api.get("/api/v1/analytics/daily-active?start=2026-05-02&end=2026-05-01")
    assert r.status_code == 422


def test_customer_page_shows_tier_rhythm_and_next_order(world):
    page = web(world["sales"]).get("/customers/C-EAST/edit/")
    assert page.status_code == 200
    assert b'id="customer-segment"' in page.content
    assert b"tier-" in page.content
