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
