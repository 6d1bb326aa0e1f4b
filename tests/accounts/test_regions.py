"""Regions as master data: create, rename, deactivate and export on the page and the API."""

import pytest

from tests.factories import make_user
from zhongshu.accounts.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user("admin", username="region_admin")


def test_page_creates_renames_deactivates_and_refuses_bad_names(client_as, admin):
    client = client_as(admin)
    assert client.post("/regions/", {"name": "华东"}).status_code == 302
    response = client.post("/regions/", {"name": "华东"})
    assert response.status_code == 422
    assert "区域 华东 已存在" in response.content.decode()
    region = Region.objects.get(name="华东")
    make_user("sales", regions=("华东",), username="region_member")
    assert client.post("/regions/", {"id": region.pk, "name": "华东大区"}).status_code == 302
    assert client.post(f"/regions/{region.pk}/active/", {"active": "0"}).status_code == 302
    region.refresh_from_db()
    assert (region.name, region.active) == ("华东大区", False)
    client.get("/regions/")  # the flash message is shown once
    assert 'value="华东大区"' not in client.get("/regions/").content.decode()
    assert 'value="华东大区"' in client.get("/regions/?all=1").content.decode()
    assert Region.history.filter(id=region.pk).count() == 3
    assert client.get("/regions/export.xlsx").status_code == 200


def test_api_renames_deactivates_and_refuses_unknown_fields(api_as, admin):
    api = api_as(admin)
    created = api.post("/api/v1/regions", {"name": "华南"}).json()
    assert created["active"] is True
    api.post("/api/v1/regions", {"name": "华北"})
    path = f"/api/v1/regions/{created['id']}"
    assert api.patch(path, {"name": "华北"}).status_code == 422
    assert api.patch(path, {"colour": "red"}).status_code == 422
    body = api.patch(path, {"name": "华南区", "active": False}).json()
    assert (body["name"], body["active"]) == ("华南区", False)
    assert api.patch("/api/v1/regions/999999", {"name": "x"}).status_code == 404
    assert api.get("/api/v1/regions/export.xlsx").status_code == 200


def test_a_deactivated_region_is_not_offered_to_new_members_but_stays_with_old_ones(
    client_as, admin
):
    from tests.factories import RegionFactory
    from tests.support.sheets import messy_xlsx
    from zhongshu.imports.models import ImportRow
    from zhongshu.imports.services import batch_upload

    RegionFactory(name="华南")
    closed = RegionFactory(name="西北", active=False)
    member = make_user("sales", regions=("华南",), username="old_member")
    member.profile.regions.add(closed)
    client = client_as(admin)

    # the new-user form offers only active regions
    page = client.get("/users/new/").content.decode()
    assert 'value="华南"' in page
    assert 'value="西北"' not in page
    # posting the closed one anyway is refused, nobody created
    response = client.post(
        "/users/new/",
        {
            "username": "newbie",
            "password": "Aa1!long-enough-pw",
            "roles": "sales",
            "regions": "西北",
        },
    )
    assert response.status_code in (200, 422)
    assert "已停用" in response.content.decode()
    assert not Region.objects.get(name="西北").members.filter(user__username="newbie").exists()
    # the edit form of a member keeps the closed region the member already holds, marked
    page = client.get(f"/users/{member.pk}/").content.decode()
    assert 'value="西北"' in page and "西北（已停用）" in page

    # the users import refuses the closed region with a Chinese row message
    content = messy_xlsx(
        "员工", ["用户名", "姓名", "角色", "区域"], [["liu", "刘", "销售", "西北"]]
    )
    batch = batch_upload(actor=admin, content=content, name="u.xlsx", kind="users")
    assert batch.invalid == 1
    (row,) = ImportRow.objects.filter(batch=batch)
    assert [(e["column"], e["message"]) for e in row.errors] == [
        ("区域", "区域 西北 已停用，不能再添加成员。")
    ]
