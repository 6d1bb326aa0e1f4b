"""The province/city routing rules page: list, add, edit, delete, refused bad input in Chinese,
every change in the audit trail, and who may do what (a matrix written out by hand)."""

import pytest
from django.test import Client

from tests.factories import RegionFactory, make_user
from tests.support.matrix import ROLES
from zhongshu.channels.models import AddressRegion

pytestmark = pytest.mark.django_db
URL = "/channels/address-regions/"
#          admin manager sales planner supervisor operator qc warehouse purchasing finance
PAGE = "200 200 200 200 403 403 403 403 403 403"
ADD = "302 403 302 302 403 403 403 403 403 403"
EDIT = "302 403 302 302 403 403 403 403 403 403"
DELETE = "302 403 302 302 403 403 403 403 403 403"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_adds_edits_and_deletes_rules_with_an_audit_trail():
    RegionFactory(name="华东")
    RegionFactory(name="华南")
    RegionFactory(name="停用区", active=False)
    admin = make_user("admin", username="route_admin")
    client = _client(admin)
    page = client.get(URL).content.decode()
    assert "还没有地址分区规则" in page and "停用区" not in page

    assert client.post(URL, {"province": "浙江省", "city": "", "region": "华东"}).status_code == 302
    assert (
        client.post(URL, {"province": "广东", "city": "深圳", "region": "华南"}).status_code == 302
    )
    rules = {(r.province, r.city): r for r in AddressRegion.objects.select_related("region")}
    assert {k: r.region.name for k, r in rules.items()} == {
        ("浙江", ""): "华东",
        ("广东", "深圳"): "华南",
    }
    page = client.get(URL).content.decode()
    assert 'value="深圳"' in page and "地址分区规则已保存" in page

    # bad input: a Chinese message, nothing changed
    r = client.post(URL, {"province": "", "region": "火星"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "未知区域：火星" in body
    assert AddressRegion.objects.count() == 2
    shenzhen = rules[("广东", "深圳")]
    r = client.post(f"{URL}{shenzhen.pk}/", {"province": "浙江", "city": "", "region": "华南"})
    assert r.status_code == 422 and "浙江 已有规则" in r.content.decode()

    # edit: Shenzhen now goes to 华东
    r = client.post(f"{URL}{shenzhen.pk}/", {"province": "广东", "city": "深圳", "region": "华东"})
    assert r.status_code == 302
    shenzhen.refresh_from_db()
    assert shenzhen.region.name == "华东"
    # delete
    assert client.post(f"{URL}{shenzhen.pk}/delete/").status_code == 302
    assert not AddressRegion.objects.filter(pk=shenzhen.pk).exists()

    history = AddressRegion.history.filter(id=shenzhen.pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [
        ("+", admin), ("~", admin), ("-", admin),
    ]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role):
    RegionFactory(name="华东")
    other = AddressRegion.objects.create(province="江苏", region=RegionFactory(name="华北"))
    gone = AddressRegion.objects.create(province="安徽", region=other.region)
    client = _client(make_user(role, regions=("华东",)))
    expected = {name: dict(zip(ROLES, row.split(), strict=True))[role] for name, row in (
        ("page", PAGE), ("add", ADD), ("edit", EDIT), ("delete", DELETE))}  # fmt: skip
    before = list(AddressRegion.objects.values_list("province", "city", "region_id"))

    assert client.get(URL).status_code == int(expected["page"])
    r = client.post(URL, {"province": "浙江", "region": "华东"})
    assert r.status_code == int(expected["add"])
    r = client.post(f"{URL}{other.pk}/", {"province": "江苏", "city": "", "region": "华东"})
    assert r.status_code == int(expected["edit"])
    r = client.post(f"{URL}{gone.pk}/delete/")
    assert r.status_code == int(expected["delete"])
    after = list(AddressRegion.objects.values_list("province", "city", "region_id"))
    assert (after != before) == (expected["add"] == "302")


def test_the_page_costs_the_same_for_three_rules_and_for_thirty():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    regions = [RegionFactory(name=f"区域{i}") for i in range(3)]
    client = _client(make_user("admin", username="route_counter"))

    def statements() -> int:
        client.get(URL)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    AddressRegion.objects.bulk_create(
        AddressRegion(province=f"省{i}", region=regions[i % 3]) for i in range(3)
    )
    few = statements()
    AddressRegion.objects.bulk_create(
        AddressRegion(province=f"省{i}", region=regions[i % 3]) for i in range(3, 30)
    )
    assert statements() == few
