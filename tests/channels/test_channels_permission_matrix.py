"""Every role × every channels endpoint and page, with the exact status; refusals change nothing.
Channel accounts, mappings and exceptions are not regional: only the role decides."""

import pytest
from django.test import Client

from tests.factories import make_user
from tests.support.matrix import ROLES
from zhongshu.accounts.services import token_create_for
from zhongshu.channels.models import (
    AddressRegion,
    ChannelAccount,
    ChannelException,
    ChannelOrder,
    SkuMapping,
)

pytestmark = pytest.mark.django_db

VIEW = {"admin", "manager", "sales", "planner"}
MANAGE = {"admin"}
MAP = {"admin", "sales", "planner"}


@pytest.fixture
def world(east, materials):
    account = ChannelAccount.objects.create(kind="taobao", name="店", default_region=east)
    co = ChannelOrder.objects.create(account=account, external_id="T1", status="X", state="exception",
                                     modified_at="2026-01-01T00:00:00Z")  # fmt: skip
    exc = ChannelException.objects.create(channel_order=co, channel="taobao", sku_id="S1")
    co2 = ChannelOrder.objects.create(account=account, external_id="T2", status="X",
                                      state="exception", modified_at="2026-01-01T00:00:00Z")  # fmt: skip
    addr = ChannelException.objects.create(channel_order=co2, channel="taobao", reason="address",
                                           province="山东", city="青岛")  # fmt: skip
    mapping = SkuMapping.objects.create(channel="taobao", channel_sku="S0", material=materials[0])
    return {"account": account, "exc": exc, "addr": addr, "mapping": mapping,
            "material": materials[1]}  # fmt: skip


def _snapshot():
    return (ChannelAccount.objects.count(), SkuMapping.objects.count(),
            list(ChannelAccount.objects.values_list("name", "is_active")),
            ChannelException.objects.filter(resolved_at__isnull=True).count(),
            list(SkuMapping.objects.values_list("channel_sku", "material_id")),
            list(AddressRegion.objects.values_list("province", "city", "region_id")))  # fmt: skip


def _api(user):
    token, _obj = token_create_for(actor=user, user_id=user.pk, name="t", days=1)
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(role, world):
    user = make_user(role, regions=("华东",))
    c = _api(user)
    cases = [
        ("get", "/api/v1/channels/accounts", None, VIEW, 200),
        ("get", "/api/v1/channels/mappings", None, VIEW, 200),
        ("get", "/api/v1/channels/exceptions", None, VIEW, 200),
        ("get", "/api/v1/channels/runs", None, VIEW, 200),
        ("patch", f"/api/v1/channels/accounts/{world['account'].pk}", {"name": "新名"}, MANAGE, 200),
        ("post", "/api/v1/channels/accounts",
         {"kind": "agent", "name": f"代理{role}", "default_region": "华东"}, MANAGE, 201),
        ("post", "/api/v1/channels/mappings",
         {"channel": "douyin", "channel_sku": f"X{role}", "material": world["material"].code},
         MAP, 201),
        ("delete", f"/api/v1/channels/mappings/{world['mapping'].pk}", None, MAP, 204),
        ("post", f"/api/v1/channels/exceptions/{world['exc'].pk}/map-and-retry",
         {"material": world["material"].code}, MAP, 200),
        ("get", "/api/v1/channels/address-regions", None, VIEW, 200),
        ("post", "/api/v1/channels/address-regions",
         {"province": f"浙江{role}", "region": "华东"}, MAP, 201),
        ("post", f"/api/v1/channels/exceptions/{world['addr'].pk}/route-and-retry",
         {"region": "华东"}, MAP, 200),
    ]  # fmt: skip
    for method, url, body, allowed, ok in cases:
        before = _snapshot()
        kwargs = {"content_type": "application/json", "data": body} if body else {}
        resp = getattr(c, method)(url, **kwargs)
        expected = ok if role in allowed else 403
        assert resp.status_code == expected, (role, method, url, resp.content)
        if expected == 403:
            assert _snapshot() == before, (role, url)


def test_api_needs_authentication(world):
    assert Client().get("/api/v1/channels/accounts").status_code == 401
    assert (
        Client()
        .post("/api/v1/channels/mappings", data={}, content_type="application/json")
        .status_code
        == 401
    )


@pytest.mark.parametrize("role", ROLES)
def test_pages_matrix(role, world):
    user = make_user(role, regions=("华东",))
    c = Client()
    c.force_login(user)
    for url in (
        "/channels/",
        "/channels/mappings/",
        "/channels/orders/",
        "/channels/accounts/",
        "/channels/carriers/",
    ):
        assert c.get(url).status_code == (200 if role in VIEW else 403), (role, url)
    before = _snapshot()
    r = c.post("/channels/mappings/save/", {"channel": "taobao", "channel_sku": "Z",
                                            "material": world["material"].code})  # fmt: skip
    if role in MAP:
        assert r.status_code == 302
    else:
        assert r.status_code == 403 and _snapshot() == before
    before = _snapshot()
    r = c.post("/channels/carriers/save/", {"name": "中通物流", "channel": "taobao", "code": "ZTO"})
    from zhongshu.channels.models import CarrierMapping

    mapped = CarrierMapping.objects.filter(name="中通物流").exists()
    assert (r.status_code, mapped) == ((302, True) if role in MAP else (403, False)), role
    # the agent portal needs an agent key, not a login
    assert c.get("/channels/agent/").status_code == 200


def test_secrets_are_never_shown_back(world, chan_admin):
    from zhongshu.channels import services

    services.account_update(actor=chan_admin, account_id=world["account"].pk,
                            data={"secret": "top-secret-1", "token": "sess-2"})  # fmt: skip
    body = _api(chan_admin).get("/api/v1/channels/accounts").content.decode()
    assert "top-secret-1" not in body and "sess-2" not in body
    assert '"secret_set": true' in body.replace('":true', '": true')
    stored = ChannelAccount.objects.get(pk=world["account"].pk).secret_enc
    assert "top-secret-1" not in stored


def test_list_queries_do_not_grow_with_rows(world, chan_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _api(chan_admin)
    page = Client()
    page.force_login(chan_admin)
    urls = ("/api/v1/channels/mappings", "/api/v1/channels/exceptions", "/api/v1/channels/accounts",
            "/api/v1/channels/runs", "/api/v1/channels/orders", "/channels/", "/channels/orders/",
            "/channels/mappings/", "/channels/accounts/",
            "/api/v1/channels/address-regions", "/api/v1/channels/carrier-mappings",
            "/channels/carriers/")  # fmt: skip
    counts = {}
    for n in (10, 100):
        SkuMapping.objects.bulk_create([SkuMapping(channel="agent", channel_sku=f"Q{n}-{i}",
                                                   material=world["material"]) for i in range(n)])  # fmt: skip
        account = world["account"]
        ChannelOrder.objects.bulk_create([ChannelOrder(account=account, external_id=f"N{n}-{i}",
                                                       status="X", state="exception",
                                                       modified_at="2026-01-01T00:00:00Z")
                                          for i in range(n)])  # fmt: skip
        co = ChannelOrder.objects.filter(external_id="T1").get()
        ChannelException.objects.bulk_create([ChannelException(channel_order=co, channel="taobao",
                                                               sku_id=f"E{n}{i}") for i in range(n)])  # fmt: skip
        ChannelException.objects.bulk_create([ChannelException(
            channel_order=co, channel="taobao", reason="address", province=f"省{n}{i}")
            for i in range(n)])  # fmt: skip
        AddressRegion.objects.bulk_create([AddressRegion(province=f"省{n}{i}",
                                                         region=account.default_region)
                                           for i in range(n)])  # fmt: skip
        for url in urls:
            client = c if url.startswith("/api/") else page
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            counts.setdefault(url, []).append(len(ctx))
    for url, (small, large) in counts.items():
        assert large <= small, (url, small, large)  # the first call may also stamp the token
        assert large <= (8 if url.startswith("/api/") else 20), (url, large)


REGIONAL = {"sales"}  # the roles that see only their regions' channel orders


@pytest.mark.parametrize("role", ROLES)
def test_pool_and_exceptions_by_region(role, world, materials):
    # given a second shop in 华南 with an order waiting on an unmapped SKU
    from tests.factories import RegionFactory

    south = RegionFactory(name="华南")
    shop = ChannelAccount.objects.create(kind="taobao", name="华南店", default_region=south)
    # a hyphenated number: the page's random CSRF token (letters and digits) can never contain it
    co = ChannelOrder.objects.create(account=shop, external_id="HN-S1", status="X", state="exception",
                                     modified_at="2026-01-01T00:00:00Z")  # fmt: skip
    south_exc = ChannelException.objects.create(channel_order=co, channel="taobao", sku_id="S9")
    user = make_user(role, regions=("华东",))
    c = _api(user)
    # the pool and the exception queue, by API and by page
    r = c.get("/api/v1/channels/orders")
    e = c.get("/api/v1/channels/exceptions")
    page = Client()
    page.force_login(user)
    html = page.get("/channels/orders/")
    if role not in VIEW:
        assert (r.status_code, e.status_code, html.status_code) == (403, 403, 403)
        return
    seen = {o["external_id"] for o in r.json()["items"]}
    queued = {x["external_id"] for x in e.json()["items"]}
    if role in REGIONAL:
        assert seen == {"T1", "T2"} and queued == {"T1", "T2"}
        assert "HN-S1" not in html.content.decode()
    else:
        assert seen == {"T1", "T2", "HN-S1"} and queued == {"T1", "T2", "HN-S1"}
        assert "HN-S1" in html.content.decode()
    # resolving another region's exception: not found for regional roles, nothing changes
    before = _snapshot()
    resp = c.post(f"/api/v1/channels/exceptions/{south_exc.pk}/map-and-retry",
                  data={"material": world["material"].code}, content_type="application/json")  # fmt: skip
    if role not in MAP:
        assert resp.status_code == 403 and _snapshot() == before
    elif role in REGIONAL:
        assert resp.status_code == 404 and _snapshot() == before
    else:
        assert resp.status_code == 200, resp.content


@pytest.mark.parametrize("role", ROLES)
def test_accounts_page_only_admin_changes(role, world):
    user = make_user(role, regions=("华东",))
    c = Client()
    c.force_login(user)
    assert c.get("/channels/accounts/").status_code == (200 if role in VIEW else 403)
    before = _snapshot()
    r = c.post("/channels/accounts/", {"action": "update", "account": world["account"].pk,
                                       "name": "改名"})  # fmt: skip
    if role in MANAGE:
        assert r.status_code == 302
        assert ChannelAccount.objects.get(pk=world["account"].pk).name == "改名"
    else:
        assert r.status_code == 403 and _snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_dismissing_an_exception_closes_the_channel_order(role, world):
    user = make_user(role, regions=("华东",))
    before = _snapshot()
    r = _api(user).post(f"/api/v1/channels/exceptions/{world['exc'].pk}/dismiss",
                        data={"note": "测试单"}, content_type="application/json")  # fmt: skip
    co = ChannelOrder.objects.get(external_id="T1")
    if role in MAP:
        assert r.status_code == 200 and co.state == "closed" and "测试单" in co.error
        assert not co.exceptions.filter(resolved_at__isnull=True).exists()
    else:
        assert r.status_code == 403 and _snapshot() == before and co.state == "exception"
